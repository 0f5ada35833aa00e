import { mkdir } from 'node:fs/promises';
import { startMongo } from './mongo.ts';
import { startNeonBridge } from './neon-bridge/index.ts';
import { startPostgres } from './postgres/index.ts';
import { startRedis } from './redis/index.ts';
import { remoteStores } from './remote.ts';
import type { RunningStack, StackEnv, StackOptions, StartedStore, StoreName } from './types.ts';

export type { RunningStack, StackEnv, StackOptions, StoreName } from './types.ts';
export { startControlServer } from './control-server.ts';

const STORES: StoreName[] = ['postgres', 'redis', 'mongo'];

/**
 * Starts the local stores in parallel on free 127.0.0.1 ports: Postgres (system server with PostGIS,
 * else PGlite) behind the Neon bridge, Redis (redis-server, else in-process) behind an Upstash REST
 * endpoint, and CongoDB for MongoDB. FLOW_STACK_EMBEDDED=postgres,redis (or `all`) forces the embedded
 * servers (see overrides.ts).
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const log = options.log ?? (() => {});
  const remote = options.useRemoteFromEnv ? remoteStores(process.env) : {};
  if (options.persist) await mkdir(options.dataDir, { recursive: true });
  const { dataDir, persist } = options;

  const starters: Record<StoreName, () => Promise<StartedStore>> = {
    postgres: () => startLocalPostgres({ dataDir, persist }),
    redis: () => startRedis({ dataDir, persist }),
    mongo: () => startMongo({ dataDir, persist }),
  };
  const settled = await Promise.allSettled(
    STORES.map(async (name) => {
      const given = remote[name];
      if (given) return given;
      const began = performance.now();
      const started = await starters[name]();
      log(`${name}: ${started.store.kind} on ${started.store.where} (${Math.round(performance.now() - began)} ms)`);
      return started;
    }),
  );
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
  if (failures.length) {
    await Promise.allSettled(started.map((s) => s.store.close()));
    throw new AggregateError(failures, `the local stack did not start: ${failures.map((f) => f.message).join('; ')}`);
  }

  const byName = new Map(started.map((s) => [s.store.name, s.store]));
  const storeNamed = (name: StoreName) => {
    const store = byName.get(name);
    if (!store) throw new Error(`unknown store ${name}`);
    return store;
  };
  let stopping: Promise<void> | undefined;
  return {
    env: Object.assign({}, ...started.map((s) => s.env)) as StackEnv,
    stores: started.map(({ store }) => ({ name: store.name, kind: store.kind, where: store.where })),
    stopStore: (name) => storeNamed(name).stop(),
    startStore: (name) => storeNamed(name).start(),
    stop() {
      stopping ??= Promise.allSettled(started.map((s) => s.store.close())).then((results) => {
        const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
        if (errors.length) throw new AggregateError(errors, 'some stores did not stop cleanly');
      });
      return stopping;
    },
  };
}

// The Neon driver cannot speak plain TCP from a Worker: a local Postgres always comes with the bridge.
async function startLocalPostgres(options: { dataDir: string; persist: boolean }): Promise<StartedStore> {
  const postgres = await startPostgres(options);
  const bridge = await startNeonBridge().catch(async (error: unknown) => {
    await postgres.store.close();
    throw error;
  });
  return {
    env: { ...postgres.env, NEON_LOCAL_PROXY: bridge.url },
    store: {
      ...postgres.store,
      async close() {
        await bridge.close();
        await postgres.store.close();
      },
    },
  };
}

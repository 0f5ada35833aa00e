import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { embeddedForced } from '../overrides.ts';
import { freePort } from '../ports.ts';
import { spawnServer, type ServerProcess } from '../processes.ts';
import { createRespBackend } from './resp-client.ts';
import type { RedisServer } from './index.ts';

/** The path of redis-server when installed, else undefined. */
export function findRedisServer(): string | undefined {
  if (embeddedForced('redis')) return undefined;
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Starts redis-server on 127.0.0.1 and a free port; AOF in `${dataDir}/redis` when persisting. */
export async function startSystemRedis(binary: string, options: { dataDir: string; persist: boolean }): Promise<RedisServer> {
  const dir = options.persist
    ? path.join(options.dataDir, 'redis')
    : await mkdtemp(path.join(os.tmpdir(), 'flow-redis-'));
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).match(/v=([\d.]+)/)?.[1] ?? '';
  const launch = () =>
    spawnServer({
      command: binary,
      args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no',
        '--save', '', '--appendonly', options.persist ? 'yes' : 'no', '--logfile', ''],
      readyPattern: /Ready to accept connections/,
      stopSignal: 'SIGTERM',
    });
  let server: ServerProcess | undefined = await launch();
  const backend = createRespBackend(port);

  return {
    backend,
    kind: `system redis-server ${version}`.trim(),
    where: `127.0.0.1:${port}`,
    async stop() {
      // Snapshot first so the restarted server comes back with the same data, persisted or not.
      await backend.pipeline([['SAVE']]).catch(() => {});
      await server?.stop();
      server = undefined;
    },
    async start() {
      // Also brings back a server that died by itself.
      if (!server?.running()) server = await launch();
    },
    async close() {
      await backend.close();
      await server?.stop();
      server = undefined;
      if (!options.persist) await rm(dir, { recursive: true, force: true });
    },
  };
}

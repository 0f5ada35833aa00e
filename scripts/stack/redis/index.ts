import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StartedStore } from '../types.ts';
import { MemoryRedis } from './memory/index.ts';
import type { RedisBackend } from './reply.ts';
import { startUpstashRest } from './rest-server.ts';
import { findRedisServer, startSystemRedis } from './system.ts';

/** A Redis server behind the REST endpoint: redis-server or the in-process stand-in. */
export interface RedisServer {
  backend: RedisBackend;
  kind: string;
  where: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The in-process Redis as a RedisServer: stop/start toggles it, the data stays; persisted in `${dataDir}/redis`. */
export async function startMemoryRedis(options: { dataDir: string; persist: boolean }): Promise<RedisServer> {
  const backend = await MemoryRedis.open(options.persist ? path.join(options.dataDir, 'redis', 'in-process.json') : undefined);
  return {
    backend,
    kind: 'embedded in-process redis',
    where: 'in-process',
    stop: async () => backend.setAvailable(false),
    start: async () => backend.setAvailable(true),
    close: () => backend.close(),
  };
}

/** Starts redis-server (or the in-process stand-in) and the Upstash REST endpoint in front of it. */
export async function startRedis(options: { dataDir: string; persist: boolean }): Promise<StartedStore> {
  const binary = findRedisServer();
  const [redis, token] = await Promise.all([
    binary ? startSystemRedis(binary, options) : startMemoryRedis(options),
    restToken(options),
  ]);
  const rest = await startUpstashRest(redis.backend, token);
  return {
    env: { UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: token },
    store: {
      name: 'redis',
      kind: `${redis.kind} behind an Upstash REST endpoint`,
      where: redis.where,
      stop: () => redis.stop(),
      start: () => redis.start(),
      async close() {
        await rest.close();
        await redis.close();
      },
    },
  };
}

// Random per stack; stable when persisting so a running Worker's .dev.vars stays valid across restarts.
async function restToken(options: { dataDir: string; persist: boolean }): Promise<string> {
  if (!options.persist) return randomBytes(24).toString('hex');
  const file = path.join(options.dataDir, 'upstash-rest-token');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const token = randomBytes(24).toString('hex');
  await mkdir(options.dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}

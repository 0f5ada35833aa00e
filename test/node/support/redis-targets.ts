import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startMemoryRedis, type RedisServer } from '../../../scripts/stack/redis/index.ts';
import { startUpstashRest } from '../../../scripts/stack/redis/rest-server.ts';
import { findRedisServer, startSystemRedis } from '../../../scripts/stack/redis/system.ts';

export interface RedisTarget {
  url: string;
  token: string;
  server: RedisServer;
  close(): Promise<void>;
}

/** The backends the Redis contract runs against: redis-server when installed, and the in-process one. */
export function redisTargets(): Array<{ name: string; start: () => Promise<RedisTarget> }> {
  const binary = findRedisServer();
  const targets = [{ name: 'in-process', start: () => serve((dir) => startMemoryRedis({ dataDir: dir, persist: false })) }];
  if (binary) {
    targets.unshift({
      name: 'redis-server',
      start: () => serve(async (dir) => startSystemRedis(binary, { dataDir: dir, persist: false })),
    });
  } else {
    console.warn('redis-server is not installed: the Redis contract runs against the in-process Redis only');
  }
  return targets;
}

async function serve(start: (dir: string) => Promise<RedisServer>): Promise<RedisTarget> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-redis-test-'));
  const server = await start(dir);
  const token = 'test-token';
  const rest = await startUpstashRest(server.backend, token);
  return {
    url: rest.url,
    token,
    server,
    async close() {
      await rest.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

type Item = { result?: unknown; error?: string };

/** Raw REST calls as the Upstash client makes them (base64 on), decoding the strings back. */
export function rawClient(target: RedisTarget) {
  const post = async (route: string, body: unknown, base64 = true, token = target.token) => {
    const res = await fetch(`${target.url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...(base64 ? { 'upstash-encoding': 'base64' } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const decodeItem = (item: Item): Item => ('error' in item ? item : { result: decode(item.result) });
  return {
    post,
    /** One command; resolves to its decoded result, rejects with the Redis error text. */
    async cmd(...args: Array<string | number>): Promise<any> {
      const { body } = await post('/', args);
      const item = decodeItem(body as Item);
      if (item.error !== undefined) throw new Error(item.error);
      return item.result;
    },
    async pipeline(commands: Array<Array<string | number>>): Promise<Item[]> {
      return ((await post('/pipeline', commands)).body as Item[]).map(decodeItem);
    },
  };
}

function decode(value: unknown): unknown {
  if (typeof value === 'string') return Buffer.from(value, 'base64').toString('utf8');
  if (Array.isArray(value)) return value.map(decode);
  return value;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Declares one suite of the Redis contract for every target (redis-server when installed, and
 * the in-process Redis): each gets a fresh server, a raw REST client, and an empty database per test.
 */
export function describeRedisContract(title: string, suite: (client: () => ReturnType<typeof rawClient>) => void): void {
  describe.each(redisTargets())(`redis contract, ${title} ($name)`, ({ start }) => {
    let target: RedisTarget | undefined;
    let client: ReturnType<typeof rawClient>;
    beforeAll(async () => {
      target = await start();
      client = rawClient(target);
    });
    afterAll(() => target?.close());
    beforeEach(() => client.cmd('FLUSHDB'));
    suite(() => client);
  });
}

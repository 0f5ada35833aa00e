import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { neon, neonConfig } from '@neondatabase/serverless';
import { Redis } from '@upstash/redis';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer, startStack, type RunningStack, type StackEnv } from '../../scripts/stack/index.ts';

/** Points the Neon driver at a stack's bridge, as the Worker does when NEON_LOCAL_PROXY is set. */
function useBridge(env: StackEnv) {
  neonConfig.fetchEndpoint = `${env.NEON_LOCAL_PROXY}/sql`;
  return neon(env.DATABASE_URL);
}
const redisOf = (env: StackEnv) => new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN, retry: false });
async function mongoPing(env: StackEnv) {
  const client = new MongoClient(env.MONGODB_URI, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
  try {
    await client.connect();
    return await client.db().collection('probe').countDocuments();
  } finally {
    await client.close();
  }
}
/** Runs `fn`, expecting it to fail, and returns how long failing took. */
async function failureTime(fn: () => Promise<unknown>): Promise<number> {
  const began = performance.now();
  await expect(fn()).rejects.toThrow();
  return performance.now() - began;
}

describe('local stack', () => {
  let stack: RunningStack;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'flow-stack-test-'));
    stack = await startStack({ dataDir, persist: false });
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports what runs where and the env for the Worker', () => {
    expect(stack.stores.map((s) => s.name)).toEqual(['postgres', 'redis', 'mongo']);
    for (const store of stack.stores) expect(store.where).toMatch(/^(127\.0\.0\.1:\d+|in-process)$/);
    expect(stack.stores[0]!.kind).toMatch(/postgres|PGlite/);
    expect(stack.env).toMatchObject({
      DATABASE_URL: expect.stringMatching(/^postgres:\/\/.+@127\.0\.0\.1:\d+\//),
      NEON_LOCAL_PROXY: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      MONGODB_URI: expect.stringMatching(/^mongodb:\/\/127\.0\.0\.1:\d+\/flow$/),
      UPSTASH_REDIS_REST_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      UPSTASH_REDIS_REST_TOKEN: expect.stringMatching(/^[0-9a-f]{48}$/),
    });
  });

  it('stops and starts Postgres: the bridge fails fast meanwhile, the data survives', async () => {
    const sql = useBridge(stack.env);
    await sql`CREATE TABLE survivors (name text)`;
    await sql`INSERT INTO survivors VALUES ('kept')`;
    await stack.stopStore('postgres');
    expect(await failureTime(() => useBridge(stack.env)`SELECT 1`)).toBeLessThan(2_500);
    await stack.startStore('postgres');
    expect(await useBridge(stack.env)`SELECT name FROM survivors`).toEqual([{ name: 'kept' }]);
  });

  it('stops and starts Redis: the REST endpoint answers 5xx meanwhile, the data survives', async () => {
    const redis = redisOf(stack.env);
    await redis.set('kept', 'yes');
    await stack.stopStore('redis');
    expect(await failureTime(() => redis.get('kept'))).toBeLessThan(1_000);
    await stack.startStore('redis');
    expect(await redis.get('kept')).toBe('yes');
  });

  it('stops and starts MongoDB: connections are refused meanwhile, the data survives', async () => {
    const client = new MongoClient(stack.env.MONGODB_URI);
    await client.db().collection('probe').insertOne({ kept: true });
    await client.close();
    await stack.stopStore('mongo');
    expect(await failureTime(() => mongoPing(stack.env))).toBeLessThan(2_000);
    await stack.startStore('mongo');
    expect(await mongoPing(stack.env)).toBe(1);
  });

  it('lets fault tests drive outages over HTTP', async () => {
    const control = await startControlServer(stack);
    try {
      expect((await fetch(`${control.url}/stores`)).status).toBe(200);
      expect((await fetch(`${control.url}/stores/redis/stop`, { method: 'POST' })).status).toBe(204);
      await expect(redisOf(stack.env).ping()).rejects.toThrow();
      expect((await fetch(`${control.url}/stores/redis/start`, { method: 'POST' })).status).toBe(204);
      expect(await redisOf(stack.env).ping()).toBe('PONG');
      expect((await fetch(`${control.url}/stores/nope/stop`, { method: 'POST' })).status).toBe(404);
    } finally {
      await control.close();
    }
  });
});

describe('local stack options', () => {
  it('keeps data, cluster and token in dataDir when persisting', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'flow-persist-test-'));
    try {
      const first = await startStack({ dataDir, persist: true });
      try {
        await useBridge(first.env)`CREATE TABLE persisted (n int)`;
        await redisOf(first.env).set('persisted', 1);
        const mongo = new MongoClient(first.env.MONGODB_URI);
        await mongo.db().collection('probe').insertOne({ persisted: true });
        await mongo.close();
      } finally {
        await first.stop();
        await first.stop(); // idempotent
      }
      const second = await startStack({ dataDir, persist: true });
      try {
        expect(second.env.UPSTASH_REDIS_REST_TOKEN).toBe(first.env.UPSTASH_REDIS_REST_TOKEN);
        expect(await useBridge(second.env)`SELECT count(*)::int AS n FROM persisted`).toEqual([{ n: 0 }]);
        expect(await redisOf(second.env).get('persisted')).toBe(1);
        expect(await mongoPing(second.env)).toBe(1);
      } finally {
        await second.stop();
      }
      expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION')) || existsSync(path.join(dataDir, 'pglite'))).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('uses the stores named in process.env when asked, and starts nothing for them', async () => {
    const remote = {
      DATABASE_URL: 'postgres://u:secret@db.example.com/flow?sslmode=require',
      MONGODB_URI: 'mongodb://u:secret@mongo.example.com:27017/flow',
      UPSTASH_REDIS_REST_URL: 'https://eu1-example.upstash.io',
      UPSTASH_REDIS_REST_TOKEN: 'remote-token',
    };
    const saved = { ...process.env };
    Object.assign(process.env, remote);
    try {
      const stack = await startStack({ dataDir: '', persist: false, useRemoteFromEnv: true });
      expect(stack.env).toEqual(remote);
      expect(stack.stores).toEqual([
        { name: 'postgres', kind: 'remote', where: 'db.example.com' },
        { name: 'redis', kind: 'remote', where: 'eu1-example.upstash.io' },
        { name: 'mongo', kind: 'remote', where: 'mongo.example.com:27017' },
      ]);
      await expect(stack.stopStore('redis')).rejects.toThrow(/remote/);
      await stack.stop();
    } finally {
      process.env = saved;
    }
  });
});

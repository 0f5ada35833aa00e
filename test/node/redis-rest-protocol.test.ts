import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawClient, redisTargets, type RedisTarget } from './support/redis-targets.ts';

describe.each(redisTargets())('Upstash REST endpoint ($name)', ({ start }) => {
  let target: RedisTarget;
  let r: ReturnType<typeof rawClient>;
  let redis: Redis;
  beforeAll(async () => {
    target = await start();
    r = rawClient(target);
    redis = new Redis({ url: target.url, token: target.token, retry: false });
  });
  afterAll(() => target?.close());
  beforeEach(() => r.cmd('FLUSHDB'));

  it('serves the @upstash/redis client (auto-pipelined, base64, JSON values)', async () => {
    const [ok, count, , value, missing] = await Promise.all([
      redis.set('user:1', { name: 'Zoë', tags: ['a'] }, { ex: 60 }),
      redis.incr('hits'),
      redis.hset('h', { a: 1, b: 'two' }),
      redis.get<{ name: string }>('user:1'),
      redis.get('nope'),
    ]);
    expect(ok).toBe('OK');
    expect(count).toBe(1);
    expect(value).toEqual({ name: 'Zoë', tags: ['a'] });
    expect(missing).toBeNull();
    expect(await redis.hgetall('h')).toEqual({ a: 1, b: 'two' });
    expect(await redis.zadd('z', { score: 2, member: 'b' }, { score: 1, member: 'a' })).toBe(2);
    expect(await redis.zrange('z', 0, -1, { withScores: true })).toEqual(['a', 1, 'b', 2]);
    expect(await redis.scan(0, { match: 'user:*' })).toEqual(['0', ['user:1']]);
    expect(await redis.ttl('user:1')).toBeGreaterThan(50);
    await expect(redis.lpush('user:1', 'x')).rejects.toThrow('WRONGTYPE');
  });

  it('runs @upstash/redis transactions and pipelines', async () => {
    const tx = redis.multi();
    tx.set('a', 1);
    tx.incr('a');
    tx.get('a');
    expect(await tx.exec()).toEqual(['OK', 2, 2]);
    const p = redis.pipeline();
    p.sadd('s', 'x');
    p.smembers('s');
    expect(await p.exec()).toEqual([1, ['x']]);
  });

  it('answers one command at POST / with {result} or HTTP 400 {error}', async () => {
    expect(await r.post('/', ['SET', 'k', 'v'], false)).toEqual({ status: 200, body: { result: 'OK' } });
    expect(await r.post('/', ['GET', 'k'], false)).toEqual({ status: 200, body: { result: 'v' } });
    expect(await r.post('/', ['GET', 'k'])).toEqual({ status: 200, body: { result: 'dg==' } });
    expect(await r.post('/', ['INCR', 'k'], false)).toEqual({
      status: 400, body: { error: 'ERR value is not an integer or out of range' } });
    expect((await r.post('/', 'GET k', false)).status).toBe(400);
  });

  it('base64-encodes every string of a result, nested ones too, and keeps numbers and nil', async () => {
    await r.cmd('SET', 'k', 'v');
    const { body } = await r.post('/', ['SCAN', '0', 'COUNT', 10]);
    expect(body).toEqual({ result: [Buffer.from('0').toString('base64'), [Buffer.from('k').toString('base64')]] });
    expect((await r.post('/pipeline', [['MGET', 'k', 'nope'], ['DBSIZE']])).body).toEqual([
      { result: ['dg==', null] },
      { result: 1 },
    ]);
  });

  it('runs /pipeline in order with a per-command error, and /multi-exec atomically', async () => {
    expect(await r.pipeline([['SET', 'a', 'x'], ['INCR', 'a'], ['GET', 'a']])).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 'x' },
    ]);
    const tx = await r.post('/multi-exec', [['INCR', 'n'], ['LPUSH', 'a', 'y'], ['INCR', 'n']], false);
    expect(tx).toEqual({
      status: 200,
      body: [{ result: 1 }, { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' }, { result: 2 }],
    });
    const aborted = await r.post('/multi-exec', [['INCR', 'n'], ['NOPE']], false);
    expect(aborted.status).toBe(400);
    expect(aborted.body).toEqual({ error: expect.stringContaining('EXECABORT') });
    expect(await r.cmd('GET', 'n')).toBe('2');
  });

  it('requires the Bearer token and refuses connection-state commands', async () => {
    expect(await r.post('/', ['PING'], false, 'wrong')).toEqual({ status: 401, body: { error: 'Unauthorized' } });
    expect((await r.post('/', ['MULTI'], false)).status).toBe(400);
    expect((await r.post('/pipeline', [['PING'], ['SUBSCRIBE', 'c']], false)).status).toBe(400);
  });

  it('answers 5xx at once while Redis is stopped, and has the same data after it starts again', async () => {
    await r.cmd('SET', 'kept', 'yes');
    await target.server.stop();
    const began = performance.now();
    const down = await r.post('/', ['GET', 'kept']);
    expect(down.status).toBe(503);
    expect(performance.now() - began).toBeLessThan(1_000);
    await expect(redis.get('kept')).rejects.toThrow();
    await target.server.start();
    expect(await r.cmd('GET', 'kept')).toBe('yes');
  });
});

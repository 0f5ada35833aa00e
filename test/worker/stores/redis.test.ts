import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../shared/errors.ts';
import { testStores } from '../../support/stores.ts';

const { redis } = testStores();
const key = (name: string) => `test:${crypto.randomUUID()}:${name}`;

describe('Redis through the Upstash REST client', () => {
  it('stores values with a TTL', async () => {
    const name = key('ttl');
    await redis.run((client) => client.set(name, { hello: 'world' }, { ex: 60 }));
    expect(await redis.run((client) => client.get(name))).toEqual({ hello: 'world' });
    const ttl = await redis.run((client) => client.ttl(name));
    expect(ttl).toBeGreaterThan(50);
  });

  it('counts 50 concurrent increments exactly', async () => {
    const name = key('counter');
    await Promise.all(Array.from({ length: 50 }, () => redis.run((client) => client.incr(name))));
    expect(await redis.run((client) => client.get<number>(name))).toBe(50);
  });

  it('gives exactly one winner to 20 concurrent SET NX claims', async () => {
    const name = key('claim');
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => redis.run((client) => client.set(name, index, { nx: true }))));
    expect(results.filter((result) => result === 'OK')).toHaveLength(1);
  });

  it('runs a MULTI/EXEC transaction', async () => {
    const name = key('multi');
    const results = await redis.run((client) => client.multi().incr(name).expire(name, 30).get(name).exec());
    expect(results).toEqual([1, 1, 1]);
  });

  it('passes a command error through instead of calling the store down', async () => {
    const name = key('wrongtype');
    await redis.run((client) => client.set(name, 'text'));
    const error = await redis.run((client) => client.hget(name, 'field')).catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect(String(error)).toMatch(/WRONGTYPE/);
  });
});

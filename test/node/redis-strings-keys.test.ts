import { beforeEach, expect, it } from 'vitest';
import { describeRedisContract, sleep } from './support/redis-targets.ts';

// The same expectations hold for redis-server and for the in-process Redis: that is the contract.
describeRedisContract('strings and keys', (client) => {
  let r: ReturnType<typeof client>;
  beforeEach(() => {
    r = client();
  });

  it('PING, ECHO, unknown commands and arity errors', async () => {
    expect(await r.cmd('PING')).toBe('PONG');
    expect(await r.cmd('PING', 'hi')).toBe('hi');
    expect(await r.cmd('ECHO', 'héllo')).toBe('héllo');
    await expect(r.cmd('NOPE', 'a', 'b')).rejects.toThrow("ERR unknown command 'NOPE', with args beginning with: 'a' 'b' ");
    await expect(r.cmd('GET')).rejects.toThrow("ERR wrong number of arguments for 'get' command");
  });

  it('GET, SET with NX/XX/GET/KEEPTTL, GETDEL, MGET, MSET', async () => {
    expect(await r.cmd('GET', 'k')).toBeNull();
    expect(await r.cmd('SET', 'k', 'v1')).toBe('OK');
    expect(await r.cmd('SET', 'k', 'v2', 'NX')).toBeNull();
    expect(await r.cmd('SET', 'missing', 'v', 'XX')).toBeNull();
    expect(await r.cmd('SET', 'k', 'v3', 'XX', 'GET')).toBe('v1');
    expect(await r.cmd('SET', 'k', 'v4', 'EX', 100)).toBe('OK');
    expect(await r.cmd('SET', 'k', 'v5', 'KEEPTTL')).toBe('OK');
    expect(await r.cmd('TTL', 'k')).toBeGreaterThan(90);
    expect(await r.cmd('SET', 'k', 'v6')).toBe('OK');
    expect(await r.cmd('TTL', 'k')).toBe(-1);
    expect(await r.cmd('MSET', 'a', '1', 'b', '2')).toBe('OK');
    await r.cmd('HSET', 'h', 'f', 'v');
    expect(await r.cmd('MGET', 'a', 'b', 'nope', 'h')).toEqual(['1', '2', null, null]);
    expect(await r.cmd('GETDEL', 'a')).toBe('1');
    expect(await r.cmd('GETDEL', 'a')).toBeNull();
    await expect(r.cmd('SET', 'k', 'v', 'EX', 0)).rejects.toThrow("ERR invalid expire time in 'set' command");
    await expect(r.cmd('SET', 'k', 'v', 'NX', 'XX')).rejects.toThrow('ERR syntax error');
    await expect(r.cmd('MSET', 'a', '1', 'b')).rejects.toThrow("ERR wrong number of arguments for 'mset' command");
    await expect(r.cmd('GET', 'h')).rejects.toThrow('WRONGTYPE Operation against a key holding the wrong kind of value');
    await expect(r.cmd('SET', 'h', 'v', 'GET')).rejects.toThrow('WRONGTYPE');
  });

  it('INCR, INCRBY, DECR, DECRBY keep the TTL and reject non-integers', async () => {
    expect(await r.cmd('INCR', 'n')).toBe(1);
    expect(await r.cmd('INCRBY', 'n', 41)).toBe(42);
    expect(await r.cmd('DECR', 'n')).toBe(41);
    expect(await r.cmd('DECRBY', 'n', 50)).toBe(-9);
    await r.cmd('EXPIRE', 'n', 100);
    await r.cmd('INCR', 'n');
    expect(await r.cmd('TTL', 'n')).toBeGreaterThan(90);
    await r.cmd('SET', 's', 'abc');
    await expect(r.cmd('INCR', 's')).rejects.toThrow('ERR value is not an integer or out of range');
    await expect(r.cmd('INCRBY', 'n', '1.5')).rejects.toThrow('ERR value is not an integer or out of range');
    await r.cmd('SET', 'max', '9223372036854775807');
    await expect(r.cmd('INCR', 'max')).rejects.toThrow('ERR increment or decrement would overflow');
  });

  it('DEL, UNLINK, EXISTS, TYPE, DBSIZE, KEYS', async () => {
    await r.cmd('MSET', 'user:1', 'a', 'user:2', 'b', 'other', 'c');
    await r.cmd('SADD', 'set', 'x');
    expect(await r.cmd('EXISTS', 'user:1', 'user:1', 'nope')).toBe(2);
    expect(await r.cmd('TYPE', 'user:1')).toBe('string');
    expect(await r.cmd('TYPE', 'set')).toBe('set');
    expect(await r.cmd('TYPE', 'nope')).toBe('none');
    expect(await r.cmd('DBSIZE')).toBe(4);
    expect((await r.cmd('KEYS', 'user:*')).sort()).toEqual(['user:1', 'user:2']);
    expect((await r.cmd('KEYS', 'user:[13]')).sort()).toEqual(['user:1']);
    expect(await r.cmd('KEYS', 'u?er:2')).toEqual(['user:2']);
    expect(await r.cmd('DEL', 'user:1', 'nope')).toBe(1);
    expect(await r.cmd('UNLINK', 'user:2', 'other')).toBe(2);
    expect(await r.cmd('DBSIZE')).toBe(1);
    expect(await r.cmd('FLUSHALL')).toBe('OK');
    expect(await r.cmd('DBSIZE')).toBe(0);
  });

  it('EXPIRE/PEXPIRE with NX/XX/GT/LT, TTL, PTTL, PERSIST', async () => {
    expect(await r.cmd('EXPIRE', 'nope', 10)).toBe(0);
    expect(await r.cmd('TTL', 'nope')).toBe(-2);
    await r.cmd('SET', 'k', 'v');
    expect(await r.cmd('EXPIRE', 'k', 100, 'XX')).toBe(0);
    expect(await r.cmd('EXPIRE', 'k', 100, 'GT')).toBe(0); // no TTL counts as infinite
    expect(await r.cmd('EXPIRE', 'k', 100, 'NX')).toBe(1);
    expect(await r.cmd('EXPIRE', 'k', 200, 'NX')).toBe(0);
    expect(await r.cmd('EXPIRE', 'k', 50, 'GT')).toBe(0);
    expect(await r.cmd('EXPIRE', 'k', 200, 'GT')).toBe(1);
    expect(await r.cmd('EXPIRE', 'k', 300, 'LT')).toBe(0);
    expect(await r.cmd('PEXPIRE', 'k', 150_000, 'LT')).toBe(1);
    expect(await r.cmd('TTL', 'k')).toBe(150);
    const pttl = await r.cmd('PTTL', 'k');
    expect(pttl).toBeGreaterThan(149_000);
    expect(pttl).toBeLessThanOrEqual(150_000);
    expect(await r.cmd('PERSIST', 'k')).toBe(1);
    expect(await r.cmd('PERSIST', 'k')).toBe(0);
    expect(await r.cmd('TTL', 'k')).toBe(-1);
    await expect(r.cmd('EXPIRE', 'k', 10, 'NX', 'XX')).rejects.toThrow(
      'ERR NX and XX, GT or LT options at the same time are not compatible');
    expect(await r.cmd('EXPIRE', 'k', 0)).toBe(1); // a non-positive TTL deletes the key
    expect(await r.cmd('EXISTS', 'k')).toBe(0);
  });

  it('expires keys (lazily on access and from the keyspace)', async () => {
    await r.cmd('SET', 'short', 'v', 'PX', 60);
    await r.cmd('SET', 'long', 'v', 'EX', 60);
    await r.cmd('SET', 'at', 'v', 'PXAT', Date.now() + 60);
    await sleep(120);
    expect(await r.cmd('GET', 'short')).toBeNull();
    expect(await r.cmd('EXISTS', 'at')).toBe(0);
    expect(await r.cmd('DBSIZE')).toBe(1);
    expect(await r.cmd('KEYS', '*')).toEqual(['long']);
  });

  it('SCAN walks every key once, with MATCH, COUNT and TYPE', async () => {
    const keys = Array.from({ length: 45 }, (_, i) => `scan:${i}`);
    await r.pipeline(keys.map((key) => ['SET', key, 'v']));
    await r.cmd('HSET', 'scan:hash', 'f', 'v');
    const seen: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await r.cmd('SCAN', cursor, 'MATCH', 'scan:*', 'COUNT', 7);
      cursor = next;
      seen.push(...batch);
    } while (cursor !== '0');
    expect(new Set(seen).size).toBe(46);
    let hashes: string[] = [];
    cursor = '0';
    do {
      const [next, batch] = await r.cmd('SCAN', cursor, 'TYPE', 'hash', 'COUNT', 100);
      cursor = next;
      hashes = hashes.concat(batch);
    } while (cursor !== '0');
    expect(hashes).toEqual(['scan:hash']);
  });
});

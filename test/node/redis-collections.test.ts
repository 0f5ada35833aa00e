import { beforeEach, expect, it } from 'vitest';
import { describeRedisContract } from './support/redis-targets.ts';

describeRedisContract('hashes sets lists zsets', (client) => {
  let r: ReturnType<typeof client>;
  beforeEach(() => {
    r = client();
  });

  it('hashes', async () => {
    expect(await r.cmd('HSET', 'h', 'a', '1', 'b', '2')).toBe(2);
    expect(await r.cmd('HSET', 'h', 'a', '10', 'c', '3')).toBe(1);
    expect(await r.cmd('HGET', 'h', 'a')).toBe('10');
    expect(await r.cmd('HGET', 'h', 'zz')).toBeNull();
    expect(await r.cmd('HMGET', 'h', 'a', 'zz', 'c')).toEqual(['10', null, '3']);
    expect(await r.cmd('HGETALL', 'h')).toEqual(['a', '10', 'b', '2', 'c', '3']);
    expect(await r.cmd('HGETALL', 'nope')).toEqual([]);
    expect(await r.cmd('HINCRBY', 'h', 'a', -4)).toBe(6);
    expect(await r.cmd('HINCRBY', 'h', 'new', 5)).toBe(5);
    expect(await r.cmd('HEXISTS', 'h', 'new')).toBe(1);
    expect(await r.cmd('HLEN', 'h')).toBe(4);
    expect(await r.cmd('HDEL', 'h', 'a', 'b', 'zz')).toBe(2);
    expect(await r.cmd('HDEL', 'h', 'c', 'new')).toBe(2);
    expect(await r.cmd('EXISTS', 'h')).toBe(0); // empty hashes disappear
    await r.cmd('HSET', 'h', 'word', 'abc');
    await expect(r.cmd('HINCRBY', 'h', 'word', 1)).rejects.toThrow('ERR hash value is not an integer');
    await expect(r.cmd('HSET', 'h', 'odd')).rejects.toThrow("ERR wrong number of arguments for 'hset' command");
    await r.cmd('SET', 's', 'v');
    await expect(r.cmd('HGET', 's', 'f')).rejects.toThrow('WRONGTYPE');
  });

  it('sets', async () => {
    expect(await r.cmd('SADD', 's', 'a', 'b', 'a')).toBe(2);
    expect(await r.cmd('SADD', 's', 'b', 'c')).toBe(1);
    expect((await r.cmd('SMEMBERS', 's')).sort()).toEqual(['a', 'b', 'c']);
    expect(await r.cmd('SISMEMBER', 's', 'a')).toBe(1);
    expect(await r.cmd('SISMEMBER', 's', 'z')).toBe(0);
    expect(await r.cmd('SCARD', 's')).toBe(3);
    expect(await r.cmd('SREM', 's', 'a', 'z')).toBe(1);
    expect(await r.cmd('SMEMBERS', 'nope')).toEqual([]);
    await r.cmd('SREM', 's', 'b', 'c');
    expect(await r.cmd('TYPE', 's')).toBe('none');
  });

  it('lists', async () => {
    expect(await r.cmd('RPUSH', 'l', 'a', 'b', 'c')).toBe(3);
    expect(await r.cmd('LPUSH', 'l', 'y', 'z')).toBe(5);
    expect(await r.cmd('LRANGE', 'l', 0, -1)).toEqual(['z', 'y', 'a', 'b', 'c']);
    expect(await r.cmd('LRANGE', 'l', -2, 100)).toEqual(['b', 'c']);
    expect(await r.cmd('LRANGE', 'l', 3, 1)).toEqual([]);
    expect(await r.cmd('LPOP', 'l')).toBe('z');
    expect(await r.cmd('RPOP', 'l')).toBe('c');
    expect(await r.cmd('LPOP', 'l', 2)).toEqual(['y', 'a']);
    expect(await r.cmd('LLEN', 'l')).toBe(1);
    expect(await r.cmd('RPOP', 'l', 5)).toEqual(['b']);
    expect(await r.cmd('LPOP', 'l')).toBeNull();
    expect(await r.cmd('LPOP', 'l', 2)).toBeNull();
    await r.cmd('RPUSH', 'l', '1', '2', '3', '4', '5');
    expect(await r.cmd('LTRIM', 'l', 1, -2)).toBe('OK');
    expect(await r.cmd('LRANGE', 'l', 0, -1)).toEqual(['2', '3', '4']);
    expect(await r.cmd('LTRIM', 'l', 5, 10)).toBe('OK');
    expect(await r.cmd('EXISTS', 'l')).toBe(0);
    await expect(r.cmd('LPOP', 'x', -1)).rejects.toThrow('ERR value is out of range, must be positive');
  });

  it('ZADD with NX, XX, GT, LT, CH, INCR', async () => {
    expect(await r.cmd('ZADD', 'z', 1, 'a', 2, 'b', 3, 'c')).toBe(3);
    expect(await r.cmd('ZADD', 'z', 10, 'a', 4, 'd')).toBe(1);
    expect(await r.cmd('ZADD', 'z', 'CH', 11, 'a', 5, 'e')).toBe(2);
    expect(await r.cmd('ZADD', 'z', 'NX', 100, 'a', 6, 'f')).toBe(1);
    expect(await r.cmd('ZADD', 'z', 'XX', 'CH', 12, 'a', 7, 'g')).toBe(1);
    expect(await r.cmd('ZADD', 'z', 'GT', 'CH', 1, 'a')).toBe(0);
    expect(await r.cmd('ZADD', 'z', 'LT', 'CH', 1.5, 'a')).toBe(1);
    expect(await r.cmd('ZSCORE', 'z', 'a')).toBe('1.5');
    expect(await r.cmd('ZADD', 'z', 'INCR', 2, 'a')).toBe('3.5');
    expect(await r.cmd('ZADD', 'z', 'NX', 'INCR', 2, 'a')).toBeNull();
    expect(await r.cmd('ZINCRBY', 'z', -0.25, 'a')).toBe('3.25');
    expect(await r.cmd('ZSCORE', 'z', 'nope')).toBeNull();
    expect(await r.cmd('ZCARD', 'z')).toBe(6);
    expect(await r.cmd('ZREM', 'z', 'f', 'nope')).toBe(1);
    await expect(r.cmd('ZADD', 'z', 'NX', 'XX', 1, 'a')).rejects.toThrow('ERR XX and NX options at the same time are not compatible');
    await expect(r.cmd('ZADD', 'z', 'GT', 'LT', 1, 'a')).rejects.toThrow('ERR GT, LT, and/or NX options at the same time are not compatible');
    await expect(r.cmd('ZADD', 'z', 'INCR', 1, 'a', 2, 'b')).rejects.toThrow('ERR INCR option supports a single increment-element pair');
    await expect(r.cmd('ZADD', 'z', 'x', 'a')).rejects.toThrow('ERR value is not a valid float');
    await expect(r.cmd('ZADD', 'z', 1, 'a', 2)).rejects.toThrow('ERR syntax error');
  });

  it('ZRANGE by rank and by score, REV, LIMIT, WITHSCORES; ZRANGEBYSCORE, ZCOUNT, ZREMRANGEBYSCORE', async () => {
    await r.cmd('ZADD', 'z', 1, 'a', 2, 'b', 2, 'bb', 3, 'c', 4, 'd', '-inf', 'low', '+inf', 'high');
    expect(await r.cmd('ZRANGE', 'z', 0, 2)).toEqual(['low', 'a', 'b']);
    expect(await r.cmd('ZRANGE', 'z', -2, -1, 'WITHSCORES')).toEqual(['d', '4', 'high', 'inf']);
    expect(await r.cmd('ZRANGE', 'z', 0, 1, 'REV', 'WITHSCORES')).toEqual(['high', 'inf', 'd', '4']);
    expect(await r.cmd('ZRANGE', 'z', 2, 3, 'BYSCORE')).toEqual(['b', 'bb', 'c']);
    expect(await r.cmd('ZRANGE', 'z', '(1', '(3', 'BYSCORE')).toEqual(['b', 'bb']);
    expect(await r.cmd('ZRANGE', 'z', '+inf', 2, 'BYSCORE', 'REV', 'LIMIT', 1, 3)).toEqual(['d', 'c', 'bb']);
    expect(await r.cmd('ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', 5, -1)).toEqual(['d', 'high']);
    expect(await r.cmd('ZRANGEBYSCORE', 'z', 1, 2, 'WITHSCORES')).toEqual(['a', '1', 'b', '2', 'bb', '2']);
    expect(await r.cmd('ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', 0, 2)).toEqual(['low', 'a']);
    expect(await r.cmd('ZCOUNT', 'z', '(1', 3)).toBe(3);
    expect(await r.cmd('ZCOUNT', 'z', '-inf', '+inf')).toBe(7);
    expect(await r.cmd('ZREMRANGEBYSCORE', 'z', '-inf', '(2')).toBe(2);
    expect(await r.cmd('ZRANGE', 'z', 0, -1)).toEqual(['b', 'bb', 'c', 'd', 'high']);
    expect(await r.cmd('ZRANGE', 'nope', 0, -1)).toEqual([]);
    await expect(r.cmd('ZRANGE', 'z', 0, 1, 'LIMIT', 0, 1)).rejects.toThrow('LIMIT is only supported in combination with either BYSCORE or BYLEX');
    await expect(r.cmd('ZCOUNT', 'z', 'x', 1)).rejects.toThrow('ERR min or max is not a float');
    await r.cmd('SET', 's', 'v');
    await expect(r.cmd('ZRANGE', 's', 0, 1)).rejects.toThrow('WRONGTYPE');
  });
});

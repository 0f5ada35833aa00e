import type { RedisStore } from './stores/index.ts';

/**
 * Read-through JSON cache in Redis. A single value is kept under its own key and deleted when
 * the thing it caches changes. Lists (search results, rankings) cannot name every key they
 * depend on, so their keys embed a generation counter: bumping the counter orphans every list
 * of that family at once, and the orphans expire with their TTL.
 */

/** The cached value, or what `load` returns (then stored for `ttlSeconds`). Null is not cached. */
export async function readThrough<T>(redis: RedisStore, key: string, ttlSeconds: number, load: () => Promise<T | null>): Promise<T | null> {
  const cached = await redis.run((r) => r.get<T>(key));
  if (cached !== null && cached !== undefined) return cached;
  const fresh = await load();
  if (fresh !== null) await redis.run((r) => r.set(key, fresh, { ex: ttlSeconds }));
  return fresh;
}

/** Deletes cached values; the next read loads them again. */
export async function invalidate(redis: RedisStore, ...keys: string[]): Promise<void> {
  if (keys.length > 0) await redis.run((r) => r.del(...keys));
}

const generationKey = (family: string) => `cache:gen:${family}`;

/** The current generation of a family of list caches (0 before the first change). */
export async function cacheGeneration(redis: RedisStore, family: string): Promise<number> {
  return Number((await redis.run((r) => r.get<number>(generationKey(family)))) ?? 0);
}

/** Orphans every cached list of the family. */
export async function bumpGeneration(redis: RedisStore, family: string): Promise<void> {
  await redis.run((r) => r.incr(generationKey(family)));
}

/** Deletes keys and bumps generations in one round trip (one change touching both kinds). */
export async function invalidateAll(redis: RedisStore, keys: readonly string[], families: readonly string[]): Promise<void> {
  if (keys.length === 0 && families.length === 0) return;
  await redis.run(async (r) => {
    const pipeline = r.pipeline();
    if (keys.length > 0) pipeline.del(...keys);
    for (const family of families) pipeline.incr(generationKey(family));
    await pipeline.exec();
  });
}

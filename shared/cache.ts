import type { RedisStore } from './stores/index.ts';

/**
 * Read-through JSON cache in Redis. A single value is kept under its own key; a change replaces
 * it with an invalidation marker for a short hold. A load that began before the change can then
 * never cache what it read over the change: loads store only into an empty key (SET NX), and
 * reads that meet the marker load without storing. Lists (search results, rankings) cannot name
 * every key they depend on, so their keys embed a generation counter: bumping the counter orphans
 * every list of that family at once, and the orphans expire with their TTL.
 */

const INVALIDATED = '__invalidated__';
/** Longer than a load may take between its read of the key and its store (one store call, STORE_TIMEOUT_MS). */
const INVALIDATION_HOLD_SECONDS = 10;

const isValue = <T>(cached: T | typeof INVALIDATED | null | undefined): cached is T => cached !== null && cached !== undefined && cached !== INVALIDATED;

/** The cached value, or what `load` returns (then stored for `ttlSeconds`). Null is not cached. */
export async function readThrough<T>(redis: RedisStore, key: string, ttlSeconds: number, load: () => Promise<T | null>): Promise<T | null> {
  return completeRead(redis, key, ttlSeconds, await redis.run((r) => r.get<T | typeof INVALIDATED>(key)), load);
}

/**
 * Finishes a read-through whose GET of `key` returned `cached` (for callers that read it in a
 * pipeline with other commands): the cached value, else what `load` returns.
 */
export async function completeRead<T>(redis: RedisStore, key: string, ttlSeconds: number, cached: T | typeof INVALIDATED | null | undefined, load: () => Promise<T | null>): Promise<T | null> {
  if (isValue(cached)) return cached;
  const fresh = await load();
  if (fresh !== null && cached !== INVALIDATED) await redis.run((r) => r.set(key, fresh, { ex: ttlSeconds, nx: true }));
  return fresh;
}

/** How the readers of a value that is expensive to load share one load (see readThroughShared). */
export interface SharedLoad {
  /** How long the loader's claim lasts: a little more than a load may take. */
  claimMs: number;
  /** How long the others wait for its value before loading it themselves. */
  waitMs: number;
  pollMs: number;
}

/**
 * readThrough for values that cost a paid or rate-limited call (a weather forecast, say): of the
 * readers that miss at the same time, the one that claims the key (SET NX in Redis, so across
 * isolates) loads it, and the others poll the cache for up to `waitMs`. When the value does not
 * come in time (the load failed or is slow), each loads it itself, so a stuck claim never stalls
 * anyone for longer than the wait.
 */
export async function readThroughShared<T>(redis: RedisStore, key: string, ttlSeconds: number, load: () => Promise<T | null>, shared: SharedLoad): Promise<T | null> {
  const cached = await redis.run((r) => r.get<T | typeof INVALIDATED>(key));
  if (isValue(cached)) return cached;
  const claim = `${key}:loading`;
  const claimed = (await redis.run((r) => r.set(claim, '1', { nx: true, px: shared.claimMs }))) === 'OK';
  if (!claimed) {
    const until = Date.now() + shared.waitMs;
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, shared.pollMs));
      const loaded = await redis.run((r) => r.get<T | typeof INVALIDATED>(key));
      if (isValue(loaded)) return loaded;
    }
  }
  try {
    return await completeRead(redis, key, ttlSeconds, cached, load);
  } finally {
    if (claimed) await redis.run((r) => r.del(claim)).catch(() => {});
  }
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

/** Invalidates keys and bumps generations in one round trip (one change touching both kinds). */
export async function invalidateAll(redis: RedisStore, keys: readonly string[], families: readonly string[]): Promise<void> {
  if (keys.length === 0 && families.length === 0) return;
  await redis.run(async (r) => {
    const pipeline = r.pipeline();
    for (const key of keys) pipeline.set(key, INVALIDATED, { ex: INVALIDATION_HOLD_SECONDS });
    for (const family of families) pipeline.incr(generationKey(family));
    await pipeline.exec();
  });
}

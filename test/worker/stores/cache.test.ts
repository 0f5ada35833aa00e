import { describe, expect, it } from 'vitest';
import { invalidateAll, readThrough } from '../../../shared/cache.ts';
import { testStores } from '../../support/stores.ts';

const { redis } = testStores();
const key = () => `test:cache:${crypto.randomUUID()}`;

/** A load the test finishes by hand, to put a change in the middle of it. */
function heldLoad<T>(value: T) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const load = async () => {
    started();
    await released;
    return value;
  };
  return { load, running, release };
}

describe('read-through cache', () => {
  it('loads once, then serves the cached value', async () => {
    const name = key();
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect(await readThrough(redis, name, 60, load)).toEqual({ n: 1 });
    expect(await readThrough(redis, name, 60, load)).toEqual({ n: 1 });
    expect(loads).toBe(1);
  });

  it('does not cache null', async () => {
    const name = key();
    let loads = 0;
    const load = async () => (++loads, null);
    await readThrough(redis, name, 60, load);
    await readThrough(redis, name, 60, load);
    expect(loads).toBe(2);
  });

  it('never caches what a load read before a change that landed while it ran', async () => {
    const name = key();
    const stale = heldLoad({ version: 1 });
    const reading = readThrough(redis, name, 60, stale.load);
    await stale.running;
    // The change commits and invalidates while the first load is still in flight.
    await invalidateAll(redis, [name], []);
    stale.release();
    expect(await reading).toEqual({ version: 1 });
    // The next reader gets the new version, not the value the slow load tried to cache.
    expect(await readThrough(redis, name, 60, async () => ({ version: 2 }))).toEqual({ version: 2 });
  });

  it('serves a fresh value after an invalidation once the hold has passed', async () => {
    const name = key();
    await readThrough(redis, name, 60, async () => ({ version: 1 }));
    await invalidateAll(redis, [name], []);
    expect(await readThrough(redis, name, 60, async () => ({ version: 2 }))).toEqual({ version: 2 });
    // Inside the hold nothing is cached over the marker: each read loads.
    expect(await readThrough(redis, name, 60, async () => ({ version: 3 }))).toEqual({ version: 3 });
    expect(await redis.run((r) => r.ttl(name))).toBeLessThanOrEqual(10);
  });
});

import type { Stores } from '../../../shared/stores/index.ts';

// Views are counted in Redis first (one HINCRBY per view, no Postgres write on the read path)
// and moved into events.view_count in batches by the per-minute cron.
const PENDING_KEY = 'events:views:pending';
const FLUSHING_PREFIX = 'events:views:flushing:';
// A batch left behind by a flush that died half-way expires instead of piling up.
const FLUSHING_TTL_SECONDS = 86_400;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Counts one view of an event (call it in waitUntil: the reader does not wait for it). */
export async function recordEventView(stores: Stores, eventId: string): Promise<void> {
  await stores.redis.run((redis) => redis.hincrby(PENDING_KEY, eventId, 1));
}

/** Adds one view of the event to a pipeline, so a read can count its view in its own round trip. */
export function countViewIn<P extends { hincrby(key: string, field: string, increment: number): P }>(pipeline: P, eventId: string): P {
  return pipeline.hincrby(PENDING_KEY, eventId, 1);
}

/** Takes back a view counted by `countViewIn` for a read that did not show the event. */
export async function uncountEventView(stores: Stores, eventId: string): Promise<void> {
  await stores.redis.run((redis) => redis.hincrby(PENDING_KEY, eventId, -1));
}

/** Views counted since the last flush, not yet in events.view_count. */
export async function pendingEventViews(stores: Stores, eventId: string): Promise<number> {
  const pending = await stores.redis.run((redis) => redis.hget<number | string>(PENDING_KEY, eventId));
  return Number(pending ?? 0);
}

/**
 * Moves the pending view counts into events.view_count; returns how many views were applied.
 * The pending hash is first renamed to a key of this flush alone, so views counted meanwhile go
 * to a fresh hash and two overlapping flushes never apply the same counts: whichever renames
 * second finds nothing, or only the newer views. The batch is applied in one UPDATE, then deleted.
 */
export async function flushEventViews(stores: Stores): Promise<number> {
  const batchKey = `${FLUSHING_PREFIX}${crypto.randomUUID()}`;
  try {
    await stores.redis.run((redis) => redis.rename(PENDING_KEY, batchKey));
  } catch (error) {
    if (error instanceof Error && /no such key/i.test(error.message)) return 0;
    throw error;
  }
  await stores.redis.run((redis) => redis.expire(batchKey, FLUSHING_TTL_SECONDS));
  const counts = (await stores.redis.run((redis) => redis.hgetall<Record<string, number | string>>(batchKey))) ?? {};
  const ids: string[] = [];
  const views: number[] = [];
  for (const [eventId, count] of Object.entries(counts)) {
    const n = Number(count);
    if (UUID.test(eventId) && Number.isSafeInteger(n) && n > 0) {
      ids.push(eventId);
      views.push(n);
    }
  }
  if (ids.length > 0) {
    await stores.postgres.query(
      `update events e set view_count = e.view_count + v.n
         from unnest($1::uuid[], $2::bigint[]) as v(id, n) where e.id = v.id`,
      [ids, views],
    );
  }
  await stores.redis.run((redis) => redis.del(batchKey));
  return views.reduce((sum, n) => sum + n, 0);
}

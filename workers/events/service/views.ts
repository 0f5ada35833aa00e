import type { Stores } from '../../../shared/stores/index.ts';

// Views are counted in Redis first (one HINCRBY per view, no Postgres write on the read path)
// and moved into events.view_count in batches by the per-minute cron.
const PENDING_KEY = 'events:views:pending';
// A batch's key: the prefix and a random id. BATCHES_KEY indexes the batches not yet applied,
// scored by when their flush began, so finding left-behind ones needs no scan of the keyspace.
const FLUSHING_PREFIX = 'events:views:flushing:';
const BATCHES_KEY = 'events:views:batches';
// A batch no flush could apply for a whole day (Postgres down that long) expires rather than piling up.
const FLUSHING_TTL_SECONDS = 86_400;
// A flush takes well under a second; a batch this old belongs to one that died.
const ABANDONED_AFTER_MS = 5 * 60_000;
// Applied batches are marked in consumed_messages under this consumer, for longer than a batch lives.
const FLUSH_CONSUMER = 'events.flush-views';
const MARKER_RETENTION_SECONDS = 2 * FLUSHING_TTL_SECONDS;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
 * to a fresh hash and two overlapping flushes never take the same counts. A batch is applied in
 * one transaction with a marker of its key, so it applies once even when a flush dies between
 * its UPDATE and deleting the batch; batches left behind like that (or before their UPDATE) are
 * picked up by a later flush instead of expiring with their views.
 */
export async function flushEventViews(stores: Stores): Promise<number> {
  let applied = 0;
  const now = Date.now();
  const abandoned = await stores.redis.run((redis) => redis.zrange<string[]>(BATCHES_KEY, 0, now - ABANDONED_AFTER_MS, { byScore: true }));
  for (const batchKey of abandoned) applied += await applyBatch(stores, batchKey);
  const batchKey = `${FLUSHING_PREFIX}${crypto.randomUUID()}`;
  // Indexed before it exists: a flush dying between the two steps leaves an empty batch, not a lost one.
  await stores.redis.run((redis) => redis.zadd(BATCHES_KEY, { score: now, member: batchKey }));
  try {
    await stores.redis.run((redis) => redis.rename(PENDING_KEY, batchKey));
  } catch (error) {
    if (error instanceof Error && /no such key/i.test(error.message)) {
      await stores.redis.run((redis) => redis.zrem(BATCHES_KEY, batchKey));
      return applied;
    }
    throw error;
  }
  await stores.redis.run((redis) => redis.expire(batchKey, FLUSHING_TTL_SECONDS));
  return applied + (await applyBatch(stores, batchKey));
}

async function applyBatch(stores: Stores, batchKey: string): Promise<number> {
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
  const applied = await stores.postgres.transaction(async (tx) => {
    const first = await tx.query('insert into consumed_messages (consumer, message_id) values ($1, $2) on conflict do nothing returning 1', [FLUSH_CONSUMER, batchKey]);
    if (first.length === 0) return 0;
    if (ids.length > 0) {
      await tx.query(
        `update events e set view_count = e.view_count + v.n
           from unnest($1::uuid[], $2::bigint[]) as v(id, n) where e.id = v.id`,
        [ids, views],
      );
    }
    await tx.query('delete from consumed_messages where consumer = $1 and processed_at < now() - make_interval(secs => $2)', [FLUSH_CONSUMER, MARKER_RETENTION_SECONDS]);
    return views.reduce((sum, n) => sum + n, 0);
  });
  await stores.redis.run(async (redis) => {
    await redis.pipeline().del(batchKey).zrem(BATCHES_KEY, batchKey).exec();
  });
  return applied;
}

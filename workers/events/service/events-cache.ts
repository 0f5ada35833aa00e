import { completeRead, invalidateAll, readThrough } from '../../../shared/cache.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import { eventsRepo } from '../repo/events.ts';
import type { EventDocument } from '../schemas.ts';
import { eventDocument } from './events-view.ts';
import { countViewIn } from './views.ts';

/** Time to live of each cache, in seconds. */
export const EVENT_TTL = 30 * 60;
export const FEATURED_TTL = 15 * 60;
export const NEARBY_TTL = 5 * 60;

/** The family of list caches (featured, nearby) that any event change orphans. */
export const EVENT_LISTS = 'event-lists';

const eventKey = (id: string) => `event:v1:${id}`;

async function loadEventDocument(stores: Stores, id: string): Promise<EventDocument | null> {
  const row = await eventsRepo.find(stores.postgres, id);
  return row ? eventDocument(row) : null;
}

/** The event's full document (virtual link included: strip it per viewer), cached 30 minutes. */
export function cachedEventDocument(stores: Stores, id: string): Promise<EventDocument | null> {
  return readThrough(stores.redis, eventKey(id), EVENT_TTL, () => loadEventDocument(stores, id));
}

/**
 * Like cachedEventDocument, and counts a view of the event in the same Redis round trip. The
 * caller takes the view back (uncountEventView) when it does not show the event after all.
 */
export async function cachedEventDocumentCountingView(stores: Stores, id: string): Promise<EventDocument | null> {
  const [cached] = await stores.redis.run((r) => countViewIn(r.pipeline().get<EventDocument>(eventKey(id)), id).exec<[EventDocument | null, number]>());
  return completeRead(stores.redis, eventKey(id), EVENT_TTL, cached, () => loadEventDocument(stores, id));
}

/**
 * Call after any committed change to an event that the API shows (fields, status, seats, tiers,
 * counters that matter): drops its document and orphans the featured and nearby lists.
 */
export function invalidateEventCache(stores: Stores, ...eventIds: string[]): Promise<void> {
  return invalidateAll(stores.redis, eventIds.map(eventKey), [EVENT_LISTS]);
}

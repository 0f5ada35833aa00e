import type { Stores } from '../../../shared/stores/index.ts';
import { expandOccurrences, type Occurrence, type OccurrenceException } from '../recurrence/expand.ts';
import { listEvents, occurrenceExceptions, type ListedEventRow, type ListingFilter, type ListingSort } from '../repo/events-listing.ts';
import type { EventRow } from '../repo/events.ts';
import type { EventListItem, ListEventsQuery } from '../schemas.ts';
import { eventDocument, withoutLink } from './events-view.ts';
import { cursorPart, decodePageCursor, encodePageCursor } from './page-cursor.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Recurring series considered per page; enough for any real window, bounded for the worker. */
const MAX_SERIES_PER_PAGE = 200;
/** Without `to`, occurrences are looked for this far ahead. */
const OPEN_WINDOW_MS = 2 * 366 * 86_400_000;
const DEFAULT_RADIUS_METRES = 10_000;

/** The repository filter for a validated query. */
export function listingFilter(query: ListEventsQuery, viewerId: string | null, now = new Date()): ListingFilter {
  const [lat, lng] = query.near ? query.near.split(',').map(Number) as [number, number] : [0, 0];
  return {
    viewerId,
    status: query.status,
    from: query.from ? new Date(query.from) : now,
    to: query.to ? new Date(query.to) : null,
    category: query.category ? (UUID.test(query.category) ? { id: query.category } : { slug: query.category }) : null,
    tags: query.tags ? query.tags.split(',').map((tag) => tag.trim()).filter(Boolean).slice(0, 20) : [],
    type: query.type ?? null,
    free: query.free === undefined ? null : query.free === 'true',
    priceMinMinor: query.priceMin ?? null,
    priceMaxMinor: query.priceMax ?? null,
    q: query.q ?? null,
    near: query.near ? { lat, lng, radiusMetres: query.radius ?? DEFAULT_RADIUS_METRES } : null,
  };
}

/** A listing item: the public document (never the virtual link), with occurrence, distance, rank. */
function item(row: ListedEventRow, occurrence: Pick<Occurrence, 'startsAt' | 'endsAt'>): EventListItem {
  return {
    ...withoutLink(eventDocument(row)),
    occurrence: occurrenceJson(occurrence),
    ...(row.distance_m === null ? {} : { distanceMetres: Math.round(row.distance_m * 10) / 10 }),
    ...(row.rank === null ? {} : { rank: row.rank }),
  };
}

/**
 * Rows as items of a list that shows each event once (nearby, featured): a one-off with its own
 * times, a recurring event with its next occurrence (under way or later), or without one when
 * its remaining occurrences were all cancelled.
 */
export async function onceListedItems(stores: Stores, rows: EventRow[]): Promise<EventListItem[]> {
  const next = await nextOccurrences(stores, rows, new Date());
  return rows.map((row) => ({ ...withoutLink(eventDocument(row)), ...occurrenceField(row, next) }));
}

// The next occurrence of each recurring event among `rows`, by event id.
async function nextOccurrences(stores: Stores, rows: EventRow[], now: Date): Promise<Map<string, Occurrence>> {
  const next = new Map<string, Occurrence>();
  const series = rows.filter((row) => row.recurrence);
  if (series.length === 0) return next;
  const exceptions = await exceptionsBySeries(stores, series);
  for (const row of series) {
    const [occurrence] = occurrencesOf(row, exceptions.get(row.id) ?? [], now, new Date(now.getTime() + OPEN_WINDOW_MS), 1);
    if (occurrence) next.set(row.id, occurrence);
  }
  return next;
}

function occurrenceField(row: EventRow, next: Map<string, Occurrence>): Pick<EventListItem, 'occurrence'> {
  const occurrence = row.recurrence ? next.get(row.id) : { startsAt: row.starts_at, endsAt: row.ends_at };
  return occurrence ? { occurrence: occurrenceJson(occurrence) } : {};
}

const occurrenceJson = (occurrence: Pick<Occurrence, 'startsAt' | 'endsAt'>) => ({ startsAt: occurrence.startsAt.toISOString(), endsAt: occurrence.endsAt.toISOString() });

function occurrencesOf(row: EventRow, exceptions: OccurrenceException[], from: Date, to: Date, limit: number): Occurrence[] {
  return expandOccurrences({ startsAt: row.starts_at, endsAt: row.ends_at, timezone: row.timezone, rule: row.recurrence, exceptions, from, to, limit });
}

async function exceptionsBySeries(stores: Stores, rows: EventRow[]): Promise<Map<string, OccurrenceException[]>> {
  const byEvent = new Map<string, OccurrenceException[]>();
  for (const row of await occurrenceExceptions(stores.postgres, rows.filter((r) => r.recurrence).map((r) => r.id))) {
    const list = byEvent.get(row.event_id) ?? [];
    list.push({ originalStartsAt: row.original_starts_at, kind: row.kind, newStartsAt: row.new_starts_at ?? undefined, newEndsAt: row.new_ends_at ?? undefined });
    byEvent.set(row.event_id, list);
  }
  return byEvent;
}

/**
 * Sorted by start, a listing is a list of occurrences: one-off events come from one keyset
 * query, recurring series are expanded inside the window, and the two ordered streams are
 * merged. Each stream returns everything after the cursor in order, so the first `limit` of the
 * merge are exactly the next page.
 */
async function listByStart(stores: Stores, filter: ListingFilter, limit: number, cursor: string | undefined) {
  const after = cursor ? decodePageCursor(cursor, [cursorPart.literal('start'), cursorPart.isoTime, cursorPart.uuid]) : null;
  const afterStart = after ? new Date(after[1] as string) : null;
  const afterId = after ? (after[2] as string) : '';
  const [oneOffs, series] = await Promise.all([
    listEvents(stores.postgres, filter, { sort: 'start', after: after ? { value: after[1] as string, id: afterId } : null, limit: limit + 1, recurring: false }),
    listEvents(stores.postgres, filter, { sort: 'start', after: null, limit: MAX_SERIES_PER_PAGE, recurring: true }),
  ]);
  const exceptions = await exceptionsBySeries(stores, series);
  const to = filter.to ?? new Date(filter.from.getTime() + OPEN_WINDOW_MS);
  const isAfterCursor = (start: Date, id: string) => afterStart === null || start > afterStart || (start.getTime() === afterStart.getTime() && id > afterId);
  const entries = [
    ...oneOffs.map((row) => ({ row, occurrence: { startsAt: row.starts_at, endsAt: row.ends_at } })),
    ...series.flatMap((row) => occurrencesOf(row, exceptions.get(row.id) ?? [], afterStart && afterStart > filter.from ? afterStart : filter.from, to, limit + 1)
      .filter((occurrence) => isAfterCursor(occurrence.startsAt, row.id))
      .map((occurrence) => ({ row, occurrence }))),
  ].sort((a, b) => a.occurrence.startsAt.getTime() - b.occurrence.startsAt.getTime() || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
  const page = entries.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(({ row, occurrence }) => item(row, occurrence)),
    nextCursor: entries.length > limit && last ? encodePageCursor(['start', last.occurrence.startsAt.toISOString(), last.row.id]) : null,
  };
}

/**
 * Sorted by distance, relevance or popularity, each event appears once; a recurring one carries
 * its first occurrence in the window, and is left out when it has none there.
 */
async function listByValue(stores: Stores, filter: ListingFilter, sort: Exclude<ListingSort, 'start'>, limit: number, cursor: string | undefined) {
  const after = cursor ? decodePageCursor(cursor, [cursorPart.literal(sort), cursorPart.number, cursorPart.uuid]) : null;
  const rows = await listEvents(stores.postgres, filter, { sort, after: after ? { value: after[1] as number, id: after[2] as string } : null, limit: limit + 1, recurring: null });
  const page = rows.slice(0, limit);
  const exceptions = await exceptionsBySeries(stores, page);
  const to = filter.to ?? new Date(filter.from.getTime() + OPEN_WINDOW_MS);
  const items = page.flatMap((row) => {
    const occurrence = row.recurrence ? occurrencesOf(row, exceptions.get(row.id) ?? [], filter.from, to, 1)[0] : { startsAt: row.starts_at, endsAt: row.ends_at };
    return occurrence ? [item(row, occurrence)] : [];
  });
  const last = page.at(-1);
  const value = (row: ListedEventRow) => (sort === 'distance' ? row.distance_m : sort === 'relevance' ? row.rank : row.popularity) ?? 0;
  return { items, nextCursor: rows.length > limit && last ? encodePageCursor([sort, value(last), last.id]) : null };
}

/** One page of the event listing, narrowed to `fields` when asked. */
export async function listEventPage(stores: Stores, query: ListEventsQuery, viewerId: string | null) {
  const filter = listingFilter(query, viewerId);
  const page = query.sort === 'start'
    ? await listByStart(stores, filter, query.limit, query.cursor)
    : await listByValue(stores, filter, query.sort, query.limit, query.cursor);
  if (!query.fields) return page;
  const wanted = new Set(['id', ...query.fields.split(',')]);
  return { ...page, items: page.items.map((entry) => Object.fromEntries(Object.entries(entry).filter(([key]) => wanted.has(key))) as EventListItem) };
}

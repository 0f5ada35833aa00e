import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { enqueueBusMessage } from '../../../shared/bus/outbox.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import { eventsRepo, findVenuePlace, type EventRow, type EventWrite } from '../repo/events.ts';
import { ensureTags } from '../repo/tags.ts';
import type { EventChanges, EventDocument, EventInput } from '../schemas.ts';
import { cachedEventDocument, cachedEventDocumentCountingView, invalidateEventCache } from './events-cache.ts';
import { eventDocument, managesEvent, withoutLink } from './events-view.ts';
import { dependsOnStanding, ensureVisible, hiddenFrom, NO_STANDING, standingOf } from './event-visibility.ts';
import { checkEventShape, databaseRefusal, seriesEndOf, type EventShape } from './events-rules.ts';
import { uncountEventView } from './views.ts';
import { offerFreedSeats } from './waitlist.ts';

/** What the events service needs from the request; it never sees Hono. */
export interface EventsDeps {
  stores: Stores;
  correlationId: string;
  /** How long a waitlist offer holds seats (seats freed by a capacity increase go to the line). */
  offerSeconds: number;
}

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', message, { extensions: { errors: [{ in: 'json', path, message }] } });

/** Fills the event's point and address from its venue when the organizer gave none. */
async function placeFromVenue(stores: Stores, write: EventWrite): Promise<void> {
  if (!write.venueId || write.location) return;
  const place = await findVenuePlace(stores.postgres, write.venueId);
  if (!place) throw invalid('venueId', 'No such venue.');
  if (place.lat !== null && place.lng !== null) write.location = { lat: place.lat, lng: place.lng };
  write.address ??= place.address;
}

function writeOf(input: Partial<EventInput> & Pick<EventChanges, 'status'>): EventWrite {
  const { tags: _tags, startsAt, endsAt, ...rest } = input;
  return {
    ...rest,
    ...(startsAt === undefined ? {} : { startsAt: new Date(startsAt) }),
    ...(endsAt === undefined ? {} : { endsAt: new Date(endsAt) }),
  };
}

/** Creates an event for the caller; a published one is announced as event.created. */
export async function createEvent(deps: EventsDeps, organizer: AuthContext, input: EventInput): Promise<EventDocument> {
  const write = writeOf(input);
  await placeFromVenue(deps.stores, write);
  const shape = write as EventShape;
  checkEventShape(shape);
  write.seriesEndsAt = seriesEndOf(shape);
  const id = await databaseRefusal(() => deps.stores.postgres.transaction(async (tx) => {
    const eventId = await eventsRepo.insert(tx, organizer.userId, write);
    const tags = await ensureTags(tx, input.tags);
    await eventsRepo.replaceTags(tx, eventId, tags.map((tag) => tag.id));
    if (input.status === 'published') {
      await enqueueBusMessage(tx, deps.correlationId, 'event.created', { eventId, organizerId: organizer.userId, title: input.title, startsAt: new Date(input.startsAt).toISOString() });
    }
    return eventId;
  }));
  return eventDocument((await eventsRepo.find(deps.stores.postgres, id))!);
}

/**
 * The event as `viewer` may see it, or 404 (the rule is event-visibility.ts: drafts only to
 * those who manage the event, private events also to invitees, registered attendees and those
 * in its waitlist); the virtual link only to managers and attendees with an active
 * registration. The document comes from the cache; Postgres is asked only when the answer
 * depends on the viewer.
 */
export async function getEventForViewer(stores: Stores, id: string, viewer: AuthContext | null): Promise<EventDocument> {
  return visibleTo(stores, id, await cachedEventDocument(stores, id), viewer);
}

/**
 * getEventForViewer for the event's own page: the view is counted in the same Redis round trip
 * as the cache read, and taken back when the caller is not shown the event (404).
 */
export async function viewEvent(stores: Stores, id: string, viewer: AuthContext | null): Promise<EventDocument> {
  const document = await cachedEventDocumentCountingView(stores, id);
  try {
    return await visibleTo(stores, id, document, viewer);
  } catch (error) {
    // Best effort: a view left counted for a hidden event is harmless, a 503 instead of the 404 is not.
    await uncountEventView(stores, id).catch(() => {});
    throw error;
  }
}

async function visibleTo(stores: Stores, id: string, document: EventDocument | null, viewer: AuthContext | null): Promise<EventDocument> {
  if (!document) throw new AppError('not_found', 'No such event.');
  if (managesEvent(viewer, document.organizerId)) return document;
  if (document.status === 'draft') throw new AppError('not_found', 'No such event.');
  // The virtual link goes to registered attendees, so an event with one asks for the standing too.
  const asks = dependsOnStanding(document, false, viewer) || (document.virtualUrl ?? null) !== null;
  const standing = asks ? await standingOf(stores.postgres, id, viewer) : NO_STANDING;
  if (hiddenFrom(document, false, viewer, standing)) throw new AppError('not_found', 'No such event.');
  return standing.registered ? document : withoutLink(document);
}

/** The event for a change by `actor`: 404 if they may not see it, 403 if they may not change it. */
async function eventToChange(stores: Stores, id: string, actor: AuthContext): Promise<EventRow> {
  const row = await eventsRepo.find(stores.postgres, id);
  if (!row) throw new AppError('not_found', 'No such event.');
  const manages = managesEvent(actor, row.organizer_id);
  await ensureVisible(stores.postgres, row, manages, actor);
  if (!manages) throw new AppError('forbidden', 'Only the organizer or a user with edit_event may change this event.');
  return row;
}


/** The version a client last read, and where it said so. */
export interface ExpectedVersion {
  version: number;
  from: 'if-match' | 'body';
}

/** Updates (and possibly publishes) an event under optimistic concurrency. */
export async function updateEvent(deps: EventsDeps, actor: AuthContext, id: string, changes: EventChanges, expected: ExpectedVersion | null): Promise<EventDocument> {
  const { stores } = deps;
  const row = await eventToChange(stores, id, actor);
  const expectedVersion = expected?.version ?? null;
  // A stale If-Match is a failed precondition (412, RFC 9110); a stale version in the body is a
  // conflict (409). Either way the client re-reads and resends.
  const stale = () => new AppError(expected?.from === 'if-match' ? 'precondition_failed' : 'conflict', 'The event changed since you read it; read it again and resend.', { extensions: { currentVersion: row.version } });
  if (expectedVersion !== null && expectedVersion !== row.version) throw stale();
  if (row.status === 'cancelled' || row.status === 'completed') throw new AppError('conflict', `A ${row.status} event cannot be changed.`);
  if (row.status === 'published' && changes.status === 'draft') throw invalid('status', 'A published event cannot go back to draft; cancel it instead.');

  const { version: _version, ...fields } = changes;
  const write = writeOf(fields);
  if (write.venueId !== undefined && write.venueId !== row.venue_id) await placeFromVenue(stores, write);
  const merged = mergedShape(row, write);
  checkEventShape(merged);
  if (['recurrence', 'startsAt', 'endsAt', 'timezone'].some((key) => key in write)) write.seriesEndsAt = seriesEndOf(merged);
  const publishing = row.status === 'draft' && changes.status === 'published';
  const changed = Object.keys(fields);

  const newVersion = await databaseRefusal(() => stores.postgres.transaction(async (tx) => {
    const version = await eventsRepo.update(tx, id, row.version, write);
    if (version === null) return null;
    // More seats (or no limit any more): offer them to the waitlist in the same transaction.
    if ('capacity' in write) await offerFreedSeats(tx, id, deps.offerSeconds, deps.correlationId);
    if (changes.tags !== undefined) await eventsRepo.replaceTags(tx, id, (await ensureTags(tx, changes.tags)).map((tag) => tag.id));
    if (publishing) {
      await enqueueBusMessage(tx, deps.correlationId, 'event.created', { eventId: id, organizerId: row.organizer_id, title: merged.title, startsAt: merged.startsAt.toISOString() });
    } else if (row.status === 'published') {
      await enqueueBusMessage(tx, deps.correlationId, 'event.updated', { eventId: id, organizerId: row.organizer_id, changed });
    }
    return version;
  }));
  if (newVersion === null) throw stale();
  await invalidateEventCache(stores, id);
  return eventDocument((await eventsRepo.find(stores.postgres, id))!);
}

function mergedShape(row: EventRow, write: EventWrite): EventShape {
  return {
    title: write.title ?? row.title,
    type: write.type ?? row.type,
    status: write.status ?? row.status,
    location: write.location !== undefined ? write.location : (row.lat !== null && row.lng !== null ? { lat: row.lat, lng: row.lng } : null),
    startsAt: write.startsAt ?? row.starts_at,
    endsAt: write.endsAt ?? row.ends_at,
    timezone: write.timezone ?? row.timezone,
    recurrence: write.recurrence !== undefined ? write.recurrence : row.recurrence,
    virtualProvider: write.virtualProvider !== undefined ? write.virtualProvider : row.virtual_provider,
    virtualUrl: write.virtualUrl !== undefined ? write.virtualUrl : row.virtual_url,
  };
}

/** Cancels an event (the DELETE of the API) and tells attendees through event.cancelled. */
export async function cancelEvent(deps: EventsDeps, actor: AuthContext, id: string, reason: string | null): Promise<EventDocument> {
  const { stores } = deps;
  const row = await eventToChange(stores, id, actor);
  const cancelled = await stores.postgres.transaction(async (tx) => {
    if (!(await eventsRepo.cancel(tx, id, reason))) return false;
    await enqueueBusMessage(tx, deps.correlationId, 'event.cancelled', { eventId: id, organizerId: row.organizer_id, ...(reason ? { reason } : {}) });
    return true;
  });
  if (!cancelled) throw new AppError('conflict', `The event is already ${row.status}.`);
  await invalidateEventCache(stores, id);
  return eventDocument((await eventsRepo.find(stores.postgres, id))!);
}

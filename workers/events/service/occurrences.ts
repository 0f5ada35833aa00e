import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { enqueueBusMessage } from '../../../shared/bus/outbox.ts';
import { AppError } from '../../../shared/errors.ts';
import type { PostgresTransaction, Stores } from '../../../shared/stores/index.ts';
import { expandOccurrences, type Occurrence } from '../recurrence/expand.ts';
import { occurrenceExceptionsRepo } from '../repo/occurrence-exceptions.ts';
import { occurrencesRepo, type SeriesRow } from '../repo/occurrences.ts';
import { ensureVisible } from './event-visibility.ts';
import { invalidateEventCache } from './events-cache.ts';
import { managesEvent } from './events-view.ts';
import { getEventForViewer, type EventsDeps } from './events.ts';

/** The occurrences of an event overlapping [from, to), exceptions applied, as `viewer` may see the event. */
export async function listOccurrences(stores: Stores, eventId: string, viewer: AuthContext | null, window: { from: Date; to: Date; limit: number }) {
  const event = await getEventForViewer(stores, eventId, viewer);
  const exceptions = event.recurrence ? (await occurrenceExceptionsRepo.listFor(stores.postgres, [eventId])).get(eventId) : undefined;
  const items = expandOccurrences({
    startsAt: new Date(event.startsAt), endsAt: new Date(event.endsAt), timezone: event.timezone, rule: event.recurrence, exceptions, ...window,
  });
  return { eventId, timezone: event.timezone, items };
}

const noSuchOccurrence = () => new AppError('not_found', 'The event has no occurrence starting at that time.');

/** Whether the rule itself (exceptions aside) has an occurrence starting exactly at `originalStartsAt`. */
function isOccurrenceOf(series: SeriesRow, originalStartsAt: Date): boolean {
  const at = originalStartsAt.getTime();
  return expandOccurrences({
    startsAt: series.starts_at, endsAt: series.ends_at, timezone: series.timezone, rule: series.recurrence,
    from: originalStartsAt, to: new Date(at + 1),
  }).some((occurrence) => occurrence.originalStartsAt.getTime() === at);
}

/**
 * Runs `apply` on one occurrence of a recurring event the actor manages, inside a transaction
 * holding the event's row, and announces a real change as event.updated (published events only).
 * 404 when the actor may not see the event or the occurrence does not exist, 403 when they may
 * see it but not change it, 409 for a one-off, cancelled or finished event or an occurrence that
 * has already started.
 */
async function changeOccurrence(
  deps: EventsDeps, actor: AuthContext, eventId: string, originalStartsAt: Date,
  apply: (tx: PostgresTransaction, series: SeriesRow) => Promise<boolean>,
): Promise<void> {
  const changed = await deps.stores.postgres.transaction(async (tx) => {
    const series = await occurrencesRepo.lockSeries(tx, eventId);
    if (!series) throw new AppError('not_found', 'No such event.');
    const manages = managesEvent(actor, series.organizer_id);
    await ensureVisible(tx, { id: eventId, status: series.status, visibility: series.visibility }, manages, actor);
    if (!manages) throw new AppError('forbidden', 'Only the organizer or a user with edit_event may change this event.');
    if (series.status === 'cancelled' || series.status === 'completed') throw new AppError('conflict', `A ${series.status} event cannot be changed.`);
    if (!series.recurrence) throw new AppError('conflict', 'This event does not repeat; change or cancel the event itself.');
    if (!isOccurrenceOf(series, originalStartsAt)) throw noSuchOccurrence();
    if (originalStartsAt.getTime() <= Date.now()) throw new AppError('conflict', 'That occurrence has already started.');
    if (!(await apply(tx, series))) return false;
    if (series.status === 'published') {
      await enqueueBusMessage(tx, deps.correlationId, 'event.updated', { eventId, organizerId: series.organizer_id, changed: ['occurrences'] });
    }
    return true;
  });
  // Listings show occurrences, so their caches go too.
  if (changed) await invalidateEventCache(deps.stores, eventId);
}

/** Cancels one occurrence; cancelling it again changes nothing. */
export async function cancelOccurrence(deps: EventsDeps, actor: AuthContext, eventId: string, originalStartsAt: Date, reason: string | null): Promise<void> {
  await changeOccurrence(deps, actor, eventId, originalStartsAt, (tx) => occurrencesRepo.cancel(tx, eventId, originalStartsAt, reason));
}

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', message, { extensions: { errors: [{ in: 'json', path, message }] } });

/**
 * Moves one occurrence to new times (also bringing back a cancelled one). Moving it to the times
 * the rule gives removes the exception, which is how an occurrence is restored.
 */
export async function moveOccurrence(
  deps: EventsDeps, actor: AuthContext, eventId: string, originalStartsAt: Date,
  change: { startsAt: Date; endsAt: Date; reason: string | null },
): Promise<Occurrence> {
  if (change.endsAt.getTime() <= change.startsAt.getTime()) throw invalid('endsAt', 'The occurrence must end after it starts.');
  if (change.startsAt.getTime() <= Date.now()) throw invalid('startsAt', 'An occurrence can only be moved to a time still to come.');
  let restored = false;
  await changeOccurrence(deps, actor, eventId, originalStartsAt, (tx, series) => {
    const durationMs = series.ends_at.getTime() - series.starts_at.getTime();
    restored = change.startsAt.getTime() === originalStartsAt.getTime() && change.endsAt.getTime() - change.startsAt.getTime() === durationMs;
    return restored
      ? occurrencesRepo.restore(tx, eventId, originalStartsAt)
      : occurrencesRepo.move(tx, eventId, originalStartsAt, change.startsAt, change.endsAt, change.reason);
  });
  return { startsAt: change.startsAt, endsAt: change.endsAt, originalStartsAt, moved: !restored };
}

import type { PostgresTransaction, Stores } from '../../../shared/stores/index.ts';
import { commentsRepo } from '../repo/comments.ts';
import { registrationsRepo } from '../repo/registrations.ts';
import { invalidateEventCache } from './events-cache.ts';
import { offerFreedSeats } from './waitlist.ts';

/** What the deletion of an account does to events. */
export interface EventsExit {
  /** Events it organized, deleted with it. */
  deleted: string[];
  /** Events it organized that others took part in, kept without an organizer. */
  kept: string[];
  /** Upcoming events where it held seats, which the cascade frees. */
  seated: string[];
}

/**
 * In the deletion's transaction, before the account's row goes. Upcoming published events it
 * organizes block the deletion (the user cancels them first, which tells their attendees). Of
 * the rest (drafts, cancelled and past events), an event other people registered for or formed
 * a crew around stays, without an organizer, so they keep their tickets, payments and crews;
 * everything else goes, with its tiers, likes and invitations. The upcoming events where it
 * holds seats (confirmed registrations, waitlist offers holding seats) are noted for
 * `offerSeatsLeftBy`.
 */
export async function releaseEventsOf(tx: PostgresTransaction, accountId: string): Promise<EventsExit> {
  const seated = await registrationsRepo.eventsWithSeatsOf(tx, accountId);
  const deleted = await tx.query<{ id: string }>(
    `delete from events e
      where e.organizer_id = $1
        and not exists (select 1 from registrations r where r.event_id = e.id and r.account_id <> $1)
        and not exists (select 1 from crews c where c.event_id = e.id)
      returning e.id`,
    [accountId],
  );
  const kept = await tx.query<{ id: string }>('update events set organizer_id = null where organizer_id = $1 returning id', [accountId]);
  return { deleted: deleted.map((row) => row.id), kept: kept.map((row) => row.id), seated };
}

/**
 * In the same transaction, after the account's row went: the cascade freed its seats (the seat
 * triggers count the deleted registrations and offers out); each event offers them to its
 * waiting line, as a cancellation would.
 */
export async function offerSeatsLeftBy(tx: PostgresTransaction, exit: EventsExit, offerSeconds: number, correlationId: string): Promise<void> {
  for (const eventId of exit.seated) await offerFreedSeats(tx, eventId, offerSeconds, correlationId);
}

/**
 * After the deletion committed: the cached documents and lists of every event concerned (the
 * kept ones showed the organizer, the seated ones the old seat counts), and the comments of the
 * deleted ones.
 */
export async function forgetEventsOf(stores: Stores, exit: EventsExit): Promise<void> {
  const all = [...new Set([...exit.deleted, ...exit.kept, ...exit.seated])];
  if (all.length === 0) return;
  await invalidateEventCache(stores, ...all);
  if (exit.deleted.length > 0) await commentsRepo.removeForEvents(stores.mongo, exit.deleted);
}

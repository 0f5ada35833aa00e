import type { PostgresTransaction, Stores } from '../../../shared/stores/index.ts';
import { commentsRepo } from '../repo/comments.ts';
import { invalidateEventCache } from './events-cache.ts';

/** The events of a departing organizer: those deleted with the account and those kept without it. */
export interface OrganizerExit {
  deleted: string[];
  kept: string[];
}

/**
 * What happens to the events of an account being deleted, in the deletion's transaction.
 * Upcoming published events block the deletion (the user cancels them first, which tells their
 * attendees). Of the rest (drafts, cancelled and past events), an event other people registered
 * for or formed a crew around stays, without an organizer, so they keep their tickets, payments
 * and crews; everything else goes, with its tiers, likes and invitations.
 */
export async function releaseEventsOrganizedBy(tx: PostgresTransaction, accountId: string): Promise<OrganizerExit> {
  const deleted = await tx.query<{ id: string }>(
    `delete from events e
      where e.organizer_id = $1
        and not exists (select 1 from registrations r where r.event_id = e.id and r.account_id <> $1)
        and not exists (select 1 from crews c where c.event_id = e.id)
      returning e.id`,
    [accountId],
  );
  const kept = await tx.query<{ id: string }>('update events set organizer_id = null where organizer_id = $1 returning id', [accountId]);
  return { deleted: deleted.map((row) => row.id), kept: kept.map((row) => row.id) };
}

/**
 * After the deletion committed: the cached documents and lists of every event concerned (the
 * kept ones showed the organizer), and the comments of the deleted ones.
 */
export async function forgetOrganizer(stores: Stores, exit: OrganizerExit): Promise<void> {
  const all = [...exit.deleted, ...exit.kept];
  if (all.length === 0) return;
  await invalidateEventCache(stores, ...all);
  if (exit.deleted.length > 0) await commentsRepo.removeForEvents(stores.mongo, exit.deleted);
}

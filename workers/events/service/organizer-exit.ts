import type { PostgresTransaction, Stores } from '../../../shared/stores/index.ts';
import { commentsRepo } from '../repo/comments.ts';
import { invalidateEventCache } from './events-cache.ts';

/**
 * What happens to the events of an account being deleted. Upcoming published events block the
 * deletion (the user cancels them first, which tells their attendees); everything else the account
 * organized (drafts, cancelled and past events, with their tiers, registrations and likes) goes
 * with it, in the deletion's transaction. Returns the deleted events' ids.
 */
export async function deleteEventsOrganizedBy(tx: PostgresTransaction, accountId: string): Promise<string[]> {
  const rows = await tx.query<{ id: string }>('delete from events where organizer_id = $1 returning id', [accountId]);
  return rows.map((row) => row.id);
}

/** After the deletion committed: the events' cached documents and lists, and their comments. */
export async function forgetDeletedEvents(stores: Stores, eventIds: string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await invalidateEventCache(stores, ...eventIds);
  await commentsRepo.removeForEvents(stores.mongo, eventIds);
}

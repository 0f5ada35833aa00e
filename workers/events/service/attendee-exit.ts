import type { PostgresTransaction, Stores } from '../../../shared/stores/index.ts';
import { registrationsRepo } from '../repo/registrations.ts';
import { invalidateEventCache } from './events-cache.ts';
import { offerFreedSeats } from './waitlist.ts';

/**
 * The seats of an account being deleted, in the deletion's transaction: `seatsOfDepartingAccount`
 * reads, before the account's rows go, the upcoming events where it holds seats; the cascade then
 * frees those seats (the seat triggers count the deleted registrations and offers out), and
 * `offerSeatsLeftBy` offers them to each event's waiting line, as a cancellation would.
 */
export function seatsOfDepartingAccount(tx: PostgresTransaction, accountId: string): Promise<string[]> {
  return registrationsRepo.eventsWithSeatsOf(tx, accountId);
}

export async function offerSeatsLeftBy(tx: PostgresTransaction, eventIds: string[], offerSeconds: number, correlationId: string): Promise<void> {
  for (const eventId of eventIds) await offerFreedSeats(tx, eventId, offerSeconds, correlationId);
}

/** After the commit: the cached documents of those events show the old seat counts. */
export async function forgetSeatsLeftBy(stores: Stores, eventIds: string[]): Promise<void> {
  if (eventIds.length > 0) await invalidateEventCache(stores, ...eventIds);
}

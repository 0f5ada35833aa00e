import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { enqueueBusMessage } from '../../../shared/bus/outbox.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Postgres, PostgresTransaction, Stores } from '../../../shared/stores/index.ts';
import { registrationsRepo } from '../repo/registrations.ts';
import { ticketedEventsRepo } from '../repo/ticketed-events.ts';
import { tiersRepo } from '../repo/tiers.ts';
import { waitlistRepo, type WaitlistRow } from '../repo/waitlist.ts';
import { registrationView, type RegistrationView } from './attendees.ts';
import { invalidateEventCache } from './events-cache.ts';
import { decodeCursor, managedEvent, pageOf, pgViolation, visibleEvent } from './ticketing-access.ts';

/** The offer lifetime when the caller has no configuration at hand (the WAITLIST_OFFER_SECONDS default). */
const DEFAULT_OFFER_SECONDS = 86_400;
/** How far down the line one promotion looks for parties that fit the freed seats. */
const PROMOTION_SCAN = 200;
/** Events whose expired offers one run of the expiry job handles. */
const EXPIRY_EVENTS_PER_RUN = 100;

export function waitlistEntryView(row: WaitlistRow, position: number | null) {
  return {
    id: row.id,
    eventId: row.event_id,
    tierId: row.tier_id,
    partySize: row.party_size,
    status: row.status,
    position,
    offerExpiresAt: row.offer_expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

export type WaitlistEntryView = ReturnType<typeof waitlistEntryView>;

/**
 * Offers the event's free seats to the first waiting parties that fit them (event capacity and
 * their tier's), each for `offerSeconds`. Locks the event row first: promotions of one event run
 * one at a time and read exact counters, so two cancellations never offer the same seat twice
 * (and the hold trigger's CHECK would refuse it anyway). Returns how many offers were made.
 */
export async function offerFreedSeats(tx: PostgresTransaction, eventId: string, offerSeconds: number, correlationId: string): Promise<number> {
  const event = await ticketedEventsRepo.lock(tx, eventId);
  if (!event || event.status !== 'published' || event.ends_at <= new Date()) return 0;
  let eventFree = event.capacity === null ? Number.POSITIVE_INFINITY : event.capacity - event.seats_sold - event.seats_held;
  if (eventFree <= 0) return 0;
  const tierFree = new Map((await tiersRepo.list(tx, eventId)).map((tier) => [
    tier.id, tier.quantity === null ? Number.POSITIVE_INFINITY : tier.quantity - tier.sold_count - tier.held_count,
  ]));
  let offers = 0;
  for (const entry of await waitlistRepo.waitingInLine(tx, eventId, PROMOTION_SCAN)) {
    if (eventFree <= 0) break;
    const free = Math.min(eventFree, entry.tier_id === null ? Number.POSITIVE_INFINITY : tierFree.get(entry.tier_id) ?? 0);
    if (entry.party_size > free) continue; // a smaller party further down may fit
    const offered = await waitlistRepo.offer(tx, entry.id, offerSeconds);
    eventFree -= entry.party_size;
    if (entry.tier_id !== null) tierFree.set(entry.tier_id, free - entry.party_size);
    await enqueueBusMessage(tx, correlationId, 'waitlist.offered', {
      eventId, userId: entry.account_id, entryId: entry.id, expiresAt: offered.offer_expires_at!.toISOString(),
    });
    offers += 1;
  }
  return offers;
}

/**
 * Expires waitlist offers past their deadline and offers the seats to the next in line. Called
 * every minute by the cron; one transaction per event, and SKIP LOCKED on the offers, so
 * overlapping runs share the work instead of doing it twice. Returns how many offers expired.
 */
export async function expireWaitlistOffers(stores: Stores, correlationId: string, offerSeconds = DEFAULT_OFFER_SECONDS): Promise<number> {
  let expired = 0;
  for (const eventId of await waitlistRepo.eventsWithExpiredOffers(stores.postgres, EXPIRY_EVENTS_PER_RUN)) {
    const count = await stores.postgres.transaction(async (tx) => {
      await ticketedEventsRepo.lock(tx, eventId);
      const expiredHere = await waitlistRepo.expireOffers(tx, eventId);
      if (expiredHere > 0) await offerFreedSeats(tx, eventId, offerSeconds, correlationId);
      return expiredHere;
    });
    if (count > 0) await invalidateEventCache(stores, eventId);
    expired += count;
  }
  return expired;
}

/** The caller's place in the event's line (or their live offer). */
export async function myWaitlistEntry(postgres: Postgres, auth: AuthContext, eventId: string): Promise<WaitlistEntryView> {
  await visibleEvent(postgres, await ticketedEventsRepo.find(postgres, eventId), auth);
  const entry = await waitlistRepo.findLive(postgres, eventId, auth.userId);
  if (!entry) throw new AppError('not_found', 'You are not on the waitlist of this event.');
  return waitlistEntryView(entry, entry.status === 'waiting' ? await waitlistRepo.position(postgres, entry) : null);
}

/** Leaves the line; a seat that was offered to the caller goes to the next in line. */
export async function leaveWaitlist(stores: Stores, auth: AuthContext, eventId: string, offerSeconds: number, correlationId: string): Promise<void> {
  const heldSeats = await stores.postgres.transaction(async (tx) => {
    await visibleEvent(tx, await ticketedEventsRepo.find(tx, eventId), auth);
    const entry = await waitlistRepo.findLive(tx, eventId, auth.userId, true);
    if (!entry) throw new AppError('not_found', 'You are not on the waitlist of this event.');
    await waitlistRepo.close(tx, entry.id, 'cancelled');
    if (entry.status === 'offered') await offerFreedSeats(tx, eventId, offerSeconds, correlationId);
    return entry.status === 'offered';
  });
  if (heldSeats) await invalidateEventCache(stores, eventId);
}

/**
 * Turns the caller's live offer into a registration, in one transaction: the entry becomes
 * 'accepted' first (releasing its hold), then the registration takes those seats.
 */
export async function acceptOffer(stores: Stores, auth: AuthContext, eventId: string, correlationId: string): Promise<RegistrationView> {
  const registration = await stores.postgres.transaction(async (tx) => {
    const event = await visibleEvent(tx, await ticketedEventsRepo.find(tx, eventId), auth);
    const entry = await waitlistRepo.findLive(tx, eventId, auth.userId, true);
    if (!entry) throw new AppError('not_found', 'You are not on the waitlist of this event.');
    if (entry.status === 'waiting') throw new AppError('conflict', 'No seat has been offered to you yet.');
    if (!entry.offer_live) throw new AppError('conflict', 'Your offer has expired.');
    if (event.status !== 'published') throw new AppError('conflict', 'This event is no longer open for registration.');
    const tier = entry.tier_id === null ? null : await tiersRepo.find(tx, eventId, entry.tier_id);
    await waitlistRepo.close(tx, entry.id, 'accepted');
    try {
      const registration = await registrationsRepo.insert(tx, {
        eventId,
        accountId: auth.userId,
        tierId: entry.tier_id,
        quantity: entry.party_size,
        // What the tier asks per seat (for a donation tier, its minimum).
        amountMinor: Number(tier?.price_minor ?? 0) * entry.party_size,
        currency: tier?.currency ?? null,
        waitlistEntryId: entry.id,
      });
      await enqueueBusMessage(tx, correlationId, 'attendee.registered', {
        eventId, userId: auth.userId, registrationId: registration.id, quantity: registration.quantity,
      });
      return registrationView(registration);
    } catch (error) {
      if (pgViolation(error)?.code === '23505') throw new AppError('conflict', 'You already attend this event.');
      throw error;
    }
  });
  await invalidateEventCache(stores, eventId);
  return registration;
}

export interface WaitlistQuery {
  cursor?: string;
  limit: number;
}

/** The event's live line, for its organizer or staff with manage_attendees. */
export async function waitlistLine(postgres: Postgres, auth: AuthContext, eventId: string, query: WaitlistQuery) {
  await managedEvent(postgres, await ticketedEventsRepo.find(postgres, eventId), auth, 'manage_attendees');
  const rows = await waitlistRepo.line(postgres, eventId, decodeCursor(query.cursor), query.limit + 1);
  return pageOf(rows, query.limit, (row) => ({
    ...waitlistEntryView(row, row.position),
    userId: row.account_id,
    username: row.username,
    displayName: row.display_name,
  }), (row) => [row.created_at, row.id]);
}

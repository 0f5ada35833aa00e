import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { enqueueBusMessage } from '../../../shared/bus/outbox.ts';
import { AppError } from '../../../shared/errors.ts';
import type { PostgresTransaction, Stores } from '../../../shared/stores/index.ts';
import type { AttendInput } from '../ticketing-schemas.ts';
import { registrationsRepo } from '../repo/registrations.ts';
import { ticketedEventsRepo } from '../repo/ticketed-events.ts';
import { tiersRepo, type TierRow } from '../repo/tiers.ts';
import { waitlistRepo } from '../repo/waitlist.ts';
import { registrationView, type RegistrationView } from './attendees.ts';
import { invalidateEventCache } from './events-cache.ts';
import { pgViolation, visibleEvent } from './ticketing-access.ts';
import { offerFreedSeats, waitlistEntryView, type WaitlistEntryView } from './waitlist.ts';

export type AttendOutcome =
  | { status: 'confirmed'; registration: RegistrationView }
  | { status: 'waitlisted'; waitlist: WaitlistEntryView };

/** The CHECK constraints that say "no seat left" (0008_ticketing.sql). */
const SOLD_OUT = new Set(['events_not_oversold', 'ticket_tiers_not_oversold']);

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', message, { extensions: { errors: [{ in: 'json', path, message }] } });

/** The tier to register on: the one named, or the only one; null for an event without tiers. */
async function chooseTier(tx: PostgresTransaction, eventId: string, tierId: string | undefined): Promise<TierRow | null> {
  const tiers = await tiersRepo.list(tx, eventId);
  if (tierId !== undefined) {
    const tier = tiers.find((candidate) => candidate.id === tierId);
    if (!tier) throw new AppError('not_found', 'This event has no such ticket tier.');
    return tier;
  }
  if (tiers.length > 1) throw invalid('tierId', 'This event has several ticket tiers: choose one.');
  return tiers[0] ?? null;
}

function checkSalesWindow(tier: TierRow | null, now: Date): void {
  if (tier?.sales_start_at && now < tier.sales_start_at) throw new AppError('conflict', 'Sales for this tier have not started yet.');
  if (tier?.sales_end_at && now >= tier.sales_end_at) throw new AppError('conflict', 'Sales for this tier have ended.');
}

/**
 * What the registration records as paid or given. No payment provider is wired in yet: a paid
 * tier records its price times the quantity; a donation records the amount given, at least the
 * minimum per seat; a free tier records nothing.
 */
function amountFor(tier: TierRow | null, input: AttendInput): { amountMinor: number; currency: string | null } {
  const due = Number(tier?.price_minor ?? 0) * input.quantity;
  if (!tier || tier.kind === 'free') {
    if (input.amountMinor) throw invalid('amountMinor', 'This ticket is free.');
    return { amountMinor: 0, currency: null };
  }
  if (tier.kind === 'paid') {
    if (input.amountMinor !== undefined && input.amountMinor !== due) throw invalid('amountMinor', `The price is ${due} for ${input.quantity}.`);
    return { amountMinor: due, currency: tier.currency };
  }
  const given = input.amountMinor ?? due;
  if (given < due) throw invalid('amountMinor', `The minimum donation is ${due} for ${input.quantity}.`);
  return { amountMinor: given, currency: tier.currency };
}

/**
 * Registers the caller: confirmed when the seats are there, else queued on the waitlist. Seats
 * are taken by the INSERT alone; the counter triggers and CHECK constraints serialise concurrent
 * buyers on the event row and refuse the one seat too many, which then joins the line. A second
 * registration of the same person is a 409, never a duplicate.
 */
export async function attend(stores: Stores, auth: AuthContext, eventId: string, input: AttendInput, correlationId: string): Promise<AttendOutcome> {
  const outcome = await stores.postgres.transaction(async (tx): Promise<AttendOutcome> => {
    const now = new Date();
    const event = await visibleEvent(tx, await ticketedEventsRepo.find(tx, eventId), auth);
    if (event.status !== 'published') throw new AppError('conflict', 'This event is not open for registration.');
    if (event.ends_at <= now) throw new AppError('conflict', 'This event is over.');
    const tier = await chooseTier(tx, eventId, input.tierId);
    if (tier?.max_per_order && input.quantity > tier.max_per_order) throw invalid('quantity', `At most ${tier.max_per_order} per order for this tier.`);
    checkSalesWindow(tier, now);
    const amount = amountFor(tier, input);
    const existing = await registrationsRepo.findActive(tx, eventId, auth.userId);
    if (existing) throw new AppError('conflict', 'You already attend this event.', { extensions: { registrationId: existing.id } });
    if (await waitlistRepo.findLive(tx, eventId, auth.userId)) throw new AppError('conflict', 'You are already on the waitlist of this event.');

    await tx.query('savepoint take_seats');
    try {
      const registration = await registrationsRepo.insert(tx, { eventId, accountId: auth.userId, tierId: tier?.id ?? null, quantity: input.quantity, ...amount, waitlistEntryId: null });
      await enqueueBusMessage(tx, correlationId, 'attendee.registered', { eventId, userId: auth.userId, registrationId: registration.id, quantity: registration.quantity });
      return { status: 'confirmed', registration: registrationView(registration) };
    } catch (error) {
      const violation = pgViolation(error);
      if (violation?.code === '23505') throw new AppError('conflict', 'You already attend this event.');
      if (violation?.constraint === 'registrations_max_per_order') throw invalid('quantity', 'More than this tier allows per order.');
      if (violation?.code !== '23514' || !SOLD_OUT.has(violation.constraint ?? '')) throw error;
    }
    await tx.query('rollback to savepoint take_seats');
    try {
      const entry = await waitlistRepo.insert(tx, { eventId, tierId: tier?.id ?? null, accountId: auth.userId, partySize: input.quantity });
      return { status: 'waitlisted', waitlist: waitlistEntryView(entry, await waitlistRepo.position(tx, entry)) };
    } catch (error) {
      if (pgViolation(error)?.code === '23505') throw new AppError('conflict', 'You are already on the waitlist of this event.');
      throw error;
    }
  });
  if (outcome.status === 'confirmed') await invalidateEventCache(stores, eventId);
  return outcome;
}

/** Cancels the caller's registration; the freed seats are offered to the line in the same transaction. */
export async function cancelAttendance(stores: Stores, auth: AuthContext, eventId: string, offerSeconds: number, correlationId: string): Promise<void> {
  await stores.postgres.transaction(async (tx) => {
    await visibleEvent(tx, await ticketedEventsRepo.find(tx, eventId), auth);
    const cancelled = await registrationsRepo.cancelConfirmed(tx, eventId, auth.userId);
    if (!cancelled) {
      if (await registrationsRepo.findActive(tx, eventId, auth.userId)) throw new AppError('conflict', 'You have already checked in.');
      throw new AppError('not_found', 'You do not attend this event.');
    }
    await enqueueBusMessage(tx, correlationId, 'attendee.cancelled', { eventId, userId: auth.userId, registrationId: cancelled.id });
    await offerFreedSeats(tx, eventId, offerSeconds, correlationId);
  });
  await invalidateEventCache(stores, eventId);
}

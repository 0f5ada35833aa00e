import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Postgres, PostgresTransaction, Stores } from '../../../shared/stores/index.ts';
import { tierRuleViolations, type CreateTierInput, type UpdateTierInput } from '../ticketing-schemas.ts';
import { ticketedEventsRepo, type TicketedEventRow } from '../repo/ticketed-events.ts';
import { tiersRepo, type TierFields, type TierRow } from '../repo/tiers.ts';
import { invalidateEventCache } from './events-cache.ts';
import { managedEvent, pgViolation, visibleEvent } from './ticketing-access.ts';
import { offerFreedSeats } from './waitlist.ts';

const fieldsOf = (row: TierRow): TierFields => ({
  name: row.name,
  description: row.description,
  kind: row.kind,
  priceMinor: Number(row.price_minor),
  currency: row.currency,
  quantity: row.quantity,
  salesStartAt: row.sales_start_at?.toISOString() ?? null,
  salesEndAt: row.sales_end_at?.toISOString() ?? null,
  maxPerOrder: row.max_per_order,
  sortOrder: row.sort_order,
});

export function tierView(row: TierRow) {
  return {
    id: row.id,
    eventId: row.event_id,
    ...fieldsOf(row),
    sold: row.sold_count,
    held: row.held_count,
    available: row.quantity === null ? null : Math.max(0, row.quantity - row.sold_count - row.held_count),
  };
}

export type TierView = ReturnType<typeof tierView>;

/**
 * Runs a tier change for the organizer (or edit_event) with the event row locked, the same lock
 * every seat change takes first, then brings the event's price summary up to date. After the
 * commit the event's cached document (prices, seats) is dropped.
 */
async function changeTiers<T>(stores: Stores, auth: AuthContext, eventId: string, work: (tx: PostgresTransaction, event: TicketedEventRow) => Promise<T>): Promise<T> {
  const result = await stores.postgres.transaction(async (tx) => {
    const event = await managedEvent(tx, await ticketedEventsRepo.lock(tx, eventId), auth, 'edit_event');
    if (event.status === 'cancelled' || event.status === 'completed') throw new AppError('conflict', `The event is ${event.status}; its tiers can no longer change.`);
    const changed = await work(tx, event);
    await ticketedEventsRepo.refreshPriceSummary(tx, eventId);
    return changed;
  });
  await invalidateEventCache(stores, eventId);
  return result;
}

/** One event sells in one currency, so its price range means something. */
async function checkCurrency(tx: PostgresTransaction, eventId: string, tierId: string | null, currency: string | null): Promise<void> {
  if (currency === null) return;
  const others = await tiersRepo.otherCurrencies(tx, eventId, tierId);
  if (others.some((other) => other !== currency)) throw new AppError('conflict', `The other tiers of this event are priced in ${others.join(', ')}.`);
}

function tierConflict(error: unknown): never {
  const violation = pgViolation(error);
  if (violation?.constraint === 'ticket_tiers_event_name_key') throw new AppError('conflict', 'This event already has a tier with that name.');
  if (violation?.constraint === 'ticket_tiers_not_oversold') throw new AppError('conflict', 'The quantity is below the seats already sold or offered.');
  throw error;
}

/** The event's tiers; an event's draft tiers are visible to its organizer and staff only. */
export async function listTiers(postgres: Postgres, auth: AuthContext | null, eventId: string): Promise<TierView[]> {
  await visibleEvent(postgres, await ticketedEventsRepo.find(postgres, eventId), auth);
  return (await tiersRepo.list(postgres, eventId)).map(tierView);
}

export async function createTier(stores: Stores, auth: AuthContext, eventId: string, input: CreateTierInput): Promise<TierView> {
  return changeTiers(stores, auth, eventId, async (tx) => {
    const fields: TierFields = {
      name: input.name, description: input.description ?? null, kind: input.kind, priceMinor: input.priceMinor,
      currency: input.currency ?? null, quantity: input.quantity ?? null, salesStartAt: input.salesStartAt ?? null,
      salesEndAt: input.salesEndAt ?? null, maxPerOrder: input.maxPerOrder ?? null, sortOrder: input.sortOrder,
    };
    await checkCurrency(tx, eventId, null, fields.currency);
    return tierView(await tiersRepo.insert(tx, eventId, fields).catch(tierConflict));
  });
}

/** Updates a tier; seats it gains (a higher quantity) are offered to the line at once. */
export async function updateTier(stores: Stores, auth: AuthContext, eventId: string, tierId: string, input: UpdateTierInput, offerSeconds: number, correlationId: string): Promise<TierView> {
  return changeTiers(stores, auth, eventId, async (tx) => {
    const current = await tiersRepo.find(tx, eventId, tierId);
    if (!current) throw new AppError('not_found', 'This event has no such ticket tier.');
    const fields: TierFields = { ...fieldsOf(current), ...input };
    const violations = tierRuleViolations(fields);
    if (violations.length > 0) {
      const errors = violations.map((violation) => ({ in: 'json', ...violation }));
      throw new AppError('validation_failed', 'The tier would be invalid after this change.', { extensions: { errors } });
    }
    await checkCurrency(tx, eventId, tierId, fields.currency);
    await tiersRepo.update(tx, eventId, tierId, fields).catch(tierConflict);
    await offerFreedSeats(tx, eventId, offerSeconds, correlationId);
    return tierView((await tiersRepo.find(tx, eventId, tierId))!);
  });
}

/** Deletes a tier nobody ever registered on or queues for (otherwise: end its sales instead). */
export async function deleteTier(stores: Stores, auth: AuthContext, eventId: string, tierId: string): Promise<void> {
  await changeTiers(stores, auth, eventId, async (tx) => {
    if (await tiersRepo.inUse(tx, tierId)) throw new AppError('conflict', 'This tier has registrations or people waiting; end its sales window instead.');
    if (!(await tiersRepo.remove(tx, eventId, tierId))) throw new AppError('not_found', 'This event has no such ticket tier.');
  });
}

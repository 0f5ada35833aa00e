import { z } from '@hono/zod-openapi';

const uuidParam = (name: string) => z.uuid().openapi({ param: { name, in: 'path' } });
const instant = z.iso.datetime({ offset: true }).openapi({ example: '2030-06-01T18:00:00Z' });
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR').openapi({ example: 'EUR' });
const minorUnits = z.number().int().min(0).max(100_000_000).openapi({ description: 'Minor units (cents)' });

export const eventIdParam = z.strictObject({ id: uuidParam('id') });
export const registrationParams = z.strictObject({ id: uuidParam('id'), registrationId: uuidParam('registrationId') });
export const tierParams = z.strictObject({ id: uuidParam('id'), tierId: uuidParam('tierId') });

// Tiers -------------------------------------------------------------------------------------

const tierFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000).nullable(),
  kind: z.enum(['free', 'paid', 'donation']),
  priceMinor: minorUnits.openapi({ description: 'Paid: the price; donation: the minimum (0 allowed); free: 0' }),
  currency: currency.nullable(),
  quantity: z.number().int().min(0).max(1_000_000).nullable().openapi({ description: 'Seats of this tier; null: only the event capacity limits it' }),
  salesStartAt: instant.nullable(),
  salesEndAt: instant.nullable(),
  maxPerOrder: z.number().int().min(1).max(1000).nullable(),
  sortOrder: z.number().int().min(-1000).max(1000),
};

type TierShape = { kind?: string; priceMinor?: number; currency?: string | null; salesStartAt?: string | null; salesEndAt?: string | null };

/**
 * The rules the table's CHECK constraints enforce across fields, checked first so the caller gets
 * a 400 naming the field. Also applied to a tier merged with a partial update.
 */
export function tierRuleViolations(tier: TierShape): { path: string; message: string }[] {
  const violations: { path: string; message: string }[] = [];
  if (tier.kind === 'free' && (tier.priceMinor ?? 0) !== 0) violations.push({ path: 'priceMinor', message: 'A free tier costs 0' });
  if (tier.kind === 'paid' && !(tier.priceMinor && tier.priceMinor > 0)) violations.push({ path: 'priceMinor', message: 'A paid tier needs a price above 0' });
  if ((tier.kind === 'paid' || tier.kind === 'donation') && !tier.currency) violations.push({ path: 'currency', message: 'Paid and donation tiers need a currency' });
  if (tier.salesStartAt && tier.salesEndAt && Date.parse(tier.salesEndAt) <= Date.parse(tier.salesStartAt)) {
    violations.push({ path: 'salesEndAt', message: 'Sales must end after they start' });
  }
  return violations;
}

const priceMatchesKind = (tier: TierShape, ctx: z.RefinementCtx) => {
  for (const { path, message } of tierRuleViolations(tier)) ctx.addIssue({ code: 'custom', path: [path], message });
};

export const createTierBody = z.strictObject({
  name: tierFields.name,
  description: tierFields.description.optional(),
  kind: tierFields.kind.default('free'),
  priceMinor: tierFields.priceMinor.default(0),
  currency: tierFields.currency.optional(),
  quantity: tierFields.quantity.optional(),
  salesStartAt: tierFields.salesStartAt.optional(),
  salesEndAt: tierFields.salesEndAt.optional(),
  maxPerOrder: tierFields.maxPerOrder.optional(),
  sortOrder: tierFields.sortOrder.default(0),
}).superRefine(priceMatchesKind).openapi('CreateTicketTierRequest');

/** A partial update; the merged tier is checked again against the same rules before saving. */
export const updateTierBody = z.strictObject({
  name: tierFields.name.optional(),
  description: tierFields.description.optional(),
  kind: tierFields.kind.optional(),
  priceMinor: tierFields.priceMinor.optional(),
  currency: tierFields.currency.optional(),
  quantity: tierFields.quantity.optional(),
  salesStartAt: tierFields.salesStartAt.optional(),
  salesEndAt: tierFields.salesEndAt.optional(),
  maxPerOrder: tierFields.maxPerOrder.optional(),
  sortOrder: tierFields.sortOrder.optional(),
}).refine((value) => Object.keys(value).length > 0, 'Send at least one field').openapi('UpdateTicketTierRequest');

export type CreateTierInput = z.infer<typeof createTierBody>;
export type UpdateTierInput = z.infer<typeof updateTierBody>;

export const tierSchema = z.object({
  id: z.uuid(),
  eventId: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  kind: z.enum(['free', 'paid', 'donation']),
  priceMinor: z.number().int(),
  currency: z.string().nullable(),
  quantity: z.number().int().nullable(),
  sold: z.number().int(),
  held: z.number().int().openapi({ description: 'Seats held by live waitlist offers' }),
  available: z.number().int().nullable().openapi({ description: 'Seats left in this tier; null: unlimited' }),
  salesStartAt: z.string().nullable(),
  salesEndAt: z.string().nullable(),
  maxPerOrder: z.number().int().nullable(),
  sortOrder: z.number().int(),
}).openapi('TicketTier');

// Attendance --------------------------------------------------------------------------------

export const attendBody = z.strictObject({
  tierId: z.uuid().optional().openapi({ description: 'Required when the event has more than one tier' }),
  quantity: z.number().int().min(1).max(100).default(1),
  amountMinor: minorUnits.optional().openapi({ description: 'Donation tiers: the total you give (at least the minimum per seat times quantity)' }),
}).openapi('AttendRequest');

export type AttendInput = z.infer<typeof attendBody>;

export const registrationSchema = z.object({
  id: z.uuid(),
  eventId: z.uuid(),
  userId: z.uuid(),
  tierId: z.uuid().nullable(),
  quantity: z.number().int(),
  status: z.enum(['confirmed', 'cancelled', 'checked_in']),
  amountMinor: z.number().int(),
  currency: z.string().nullable(),
  createdAt: z.string(),
  cancelledAt: z.string().nullable(),
  checkedInAt: z.string().nullable(),
}).openapi('Registration');

export const waitlistEntrySchema = z.object({
  id: z.uuid(),
  eventId: z.uuid(),
  tierId: z.uuid().nullable(),
  partySize: z.number().int(),
  status: z.enum(['waiting', 'offered', 'accepted', 'expired', 'cancelled']),
  position: z.number().int().nullable().openapi({ description: 'Place in line (1 = next); null once an offer is made' }),
  offerExpiresAt: z.string().nullable(),
  createdAt: z.string(),
}).openapi('WaitlistEntry');

export const attendResultSchema = z.object({
  status: z.enum(['confirmed', 'waitlisted']),
  registration: registrationSchema.optional(),
  waitlist: waitlistEntrySchema.optional(),
}).openapi('AttendResult');

const pageQuery = {
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

export const myRegistrationsQuery = z.strictObject({
  when: z.enum(['upcoming', 'past']).default('upcoming').openapi({ description: 'upcoming: soonest first; past: most recent first' }),
  status: z.enum(['active', 'cancelled', 'all']).default('active'),
  ...pageQuery,
});

export const myRegistrationSchema = registrationSchema.extend({
  event: z.object({ id: z.uuid(), title: z.string(), startsAt: z.string(), endsAt: z.string(), timezone: z.string(), status: z.string() }),
}).openapi('MyRegistration');

export const myRegistrationsPage = z.object({ items: z.array(myRegistrationSchema), nextCursor: z.string().nullable() }).openapi('MyRegistrationsPage');

// Tickets and check-in ----------------------------------------------------------------------

export const ticketSchema = z.object({
  token: z.string().openapi({ description: 'Signed ticket (JWS, EdDSA): encode it in the QR code shown at the door' }),
  registrationId: z.uuid(),
  eventId: z.uuid(),
  quantity: z.number().int(),
  expiresAt: z.string(),
}).openapi('Ticket');

export const checkInBody = z.union([
  z.strictObject({ token: z.string().min(20).max(4096).openapi({ description: 'The scanned ticket' }) }),
  z.strictObject({ registrationId: z.uuid().openapi({ description: 'Manual check-in by staff, without a ticket' }) }),
]).openapi('CheckInRequest');

export type CheckInInput = z.infer<typeof checkInBody>;

export const attendeeSchema = z.object({
  registrationId: z.uuid(),
  userId: z.uuid(),
  username: z.string(),
  displayName: z.string().nullable(),
  tierId: z.uuid().nullable(),
  quantity: z.number().int(),
  status: z.enum(['confirmed', 'cancelled', 'checked_in']),
  registeredAt: z.string(),
  checkedInAt: z.string().nullable(),
}).openapi('Attendee');

export const checkInResultSchema = attendeeSchema.openapi('CheckInResult');

export const attendeesQuery = z.strictObject({
  status: z.enum(['confirmed', 'checked_in', 'cancelled', 'active', 'all']).default('active')
    .openapi({ description: 'active: confirmed and checked in' }),
  ...pageQuery,
});

export const attendeesPage = z.object({ items: z.array(attendeeSchema), nextCursor: z.string().nullable() }).openapi('AttendeesPage');

export const waitlistQuery = z.strictObject(pageQuery);

export const waitlistLineEntrySchema = waitlistEntrySchema.extend({
  userId: z.uuid(),
  username: z.string(),
  displayName: z.string().nullable(),
}).openapi('WaitlistLineEntry');

export const waitlistPage = z.object({ items: z.array(waitlistLineEntrySchema), nextCursor: z.string().nullable() }).openapi('WaitlistPage');

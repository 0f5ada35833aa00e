import { hasPermission, type AuthContext } from '../../../shared/auth/middleware.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Postgres } from '../../../shared/stores/index.ts';
import { venuesRepo, type VenueColumns, type VenueListAfter, type VenueRow } from '../repo/venues.ts';
import type { CreateVenueInput, ListVenuesQuery, UpdateVenueInput } from '../venue-schemas.ts';
import { cursorPart, decodePageCursor, encodePageCursor } from './page-cursor.ts';

type Pricing = NonNullable<CreateVenueInput['pricing']>;

// Pricing is camelCase in the API and snake_case in the jsonb column (the column's documented shape).
const PRICING_COLUMNS = {
  currency: 'currency',
  hourlyMinor: 'hourly_minor',
  dailyMinor: 'daily_minor',
  depositMinor: 'deposit_minor',
  minimumHours: 'minimum_hours',
} as const satisfies Record<keyof Pricing, string>;

function pricingToColumn(pricing: Pricing | null): Record<string, unknown> {
  if (!pricing) return {};
  return Object.fromEntries(Object.entries(pricing).map(([key, value]) => [PRICING_COLUMNS[key as keyof Pricing], value]));
}

function pricingFromColumn(column: Record<string, unknown>): Pricing | null {
  if (typeof column.currency !== 'string') return null;
  const entries = Object.entries(PRICING_COLUMNS).filter(([, name]) => column[name] !== undefined).map(([key, name]) => [key, column[name]]);
  return Object.fromEntries(entries) as Pricing;
}

function view(row: VenueRow) {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    description: row.description,
    address: {
      line1: row.address_line1,
      line2: row.address_line2,
      city: row.city,
      region: row.region,
      postalCode: row.postal_code,
      countryCode: row.country_code,
    },
    location: row.lat !== null && row.lng !== null ? { lat: row.lat, lng: row.lng } : null,
    timezone: row.timezone,
    capacity: row.capacity,
    amenities: row.amenities,
    pricing: pricingFromColumn(row.pricing),
    availability: row.availability,
    websiteUrl: row.website_url,
    phone: row.phone,
    ...(row.distance_m === undefined ? {} : { distanceMeters: Math.round(row.distance_m * 10) / 10 }),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type VenueView = ReturnType<typeof view>;

function columnsOf(input: UpdateVenueInput): VenueColumns {
  const address = input.address;
  return {
    name: input.name,
    description: input.description,
    address_line1: address?.line1,
    address_line2: address?.line2,
    city: address?.city,
    region: address?.region,
    postal_code: address?.postalCode,
    country_code: address?.countryCode,
    location: input.location,
    timezone: input.timezone,
    capacity: input.capacity,
    amenities: input.amenities && [...new Set(input.amenities)],
    pricing: input.pricing === undefined ? undefined : pricingToColumn(input.pricing),
    availability: input.availability,
    website_url: input.websiteUrl,
    phone: input.phone,
  };
}

const notFound = () => new AppError('not_found', 'No such venue.');

/** Creates a venue owned by the caller. */
export async function createVenue(postgres: Postgres, caller: AuthContext, input: CreateVenueInput): Promise<VenueView> {
  return view(await venuesRepo.insert(postgres, caller.userId, columnsOf(input)));
}

export async function getVenue(postgres: Postgres, id: string): Promise<VenueView> {
  const row = await venuesRepo.find(postgres, id);
  if (!row) throw notFound();
  return view(row);
}

/** Updates a venue: its owner, or a holder of `manage_venues` (admins hold every permission). */
export async function updateVenue(postgres: Postgres, caller: AuthContext, id: string, input: UpdateVenueInput): Promise<VenueView> {
  const existing = await venuesRepo.find(postgres, id);
  if (!existing) throw notFound();
  if (existing.owner_id !== caller.userId && !hasPermission(caller, 'manage_venues')) {
    throw new AppError('forbidden', 'Only the venue\'s owner, or a holder of manage_venues, may change it.');
  }
  const row = await venuesRepo.update(postgres, id, columnsOf(input));
  if (!row) throw notFound();
  return view(row);
}

// A cursor remembers how the listing was sorted, so one from a nearby listing is refused elsewhere.
function afterFromCursor(cursor: string, byDistance: boolean): VenueListAfter {
  if (byDistance) {
    const [, distance, id] = decodePageCursor(cursor, [cursorPart.literal('d'), cursorPart.number, cursorPart.uuid]);
    return { byDistance, distance: distance as number, id: id as string };
  }
  const [, name, id] = decodePageCursor(cursor, [cursorPart.literal('n'), cursorPart.text, cursorPart.uuid]);
  return { byDistance, name: name as string, id: id as string };
}

/** One page of venues matching the query. */
export async function listVenues(postgres: Postgres, query: ListVenuesQuery) {
  const near = query.near && { lat: query.near[0], lng: query.near[1], radius: query.radius };
  const rows = await venuesRepo.list(postgres, {
    city: query.city,
    country: query.country,
    near,
    amenities: query.amenities,
    minCapacity: query.minCapacity,
    after: query.cursor ? afterFromCursor(query.cursor, near !== undefined) : null,
    limit: query.limit,
  });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  const more = rows.length > query.limit && last;
  return {
    items: items.map(view),
    nextCursor: more ? encodePageCursor(near ? ['d', last.distance_m!, last.id] : ['n', last.name, last.id]) : null,
  };
}

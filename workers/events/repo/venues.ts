import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** A venue with its point as coordinates; distance_m only when listed around a point. */
export interface VenueRow {
  id: string;
  owner_id: string | null;
  name: string;
  description: string | null;
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country_code: string | null;
  lat: number | null;
  lng: number | null;
  timezone: string | null;
  capacity: number | null;
  amenities: string[];
  pricing: Record<string, unknown>;
  availability: Record<string, unknown>;
  website_url: string | null;
  phone: string | null;
  created_at: Date;
  updated_at: Date;
  distance_m?: number;
}

/** Column values a create or update writes; undefined leaves a column as it is. */
export interface VenueColumns {
  name?: string;
  description?: string | null;
  address_line1?: string | null;
  address_line2?: string | null;
  city?: string | null;
  region?: string | null;
  postal_code?: string | null;
  country_code?: string | null;
  location?: { lat: number; lng: number } | null;
  timezone?: string | null;
  capacity?: number | null;
  amenities?: string[];
  pricing?: Record<string, unknown>;
  availability?: Record<string, unknown>;
  website_url?: string | null;
  phone?: string | null;
}

/** Where a venue list page starts: after this sort key and id. */
export type VenueListAfter = { byDistance: true; distance: number; id: string } | { byDistance: false; name: string; id: string };

export interface VenueFilters {
  city?: string;
  country?: string;
  near?: { lat: number; lng: number; radius: number };
  amenities?: string[];
  minCapacity?: number;
  after: VenueListAfter | null;
  limit: number;
}

const VENUE_SELECT = `v.id, v.owner_id, v.name, v.description, v.address_line1, v.address_line2, v.city, v.region,
  v.postal_code, v.country_code, st_y(v.location::geometry) as lat, st_x(v.location::geometry) as lng, v.timezone,
  v.capacity, v.amenities, v.pricing, v.availability, v.website_url, v.phone, v.created_at, v.updated_at`;

// PostGIS points are (x, y) = (longitude, latitude).
const point = (lng: string, lat: string) => `st_setsrid(st_makepoint(${lng}::float8, ${lat}::float8), 4326)::geography`;

/** Turns column values into SET / VALUES fragments with numbered parameters. */
function assignments(columns: VenueColumns, params: unknown[]): { names: string[]; values: string[] } {
  const param = (value: unknown) => `$${params.push(value)}`;
  const names: string[] = [];
  const values: string[] = [];
  for (const [name, value] of Object.entries(columns) as [keyof VenueColumns, unknown][]) {
    if (value === undefined) continue;
    names.push(name);
    if (name === 'location') {
      const location = value as VenueColumns['location'];
      values.push(location ? point(param(location.lng), param(location.lat)) : 'null');
    } else if (name === 'pricing' || name === 'availability') {
      values.push(`${param(JSON.stringify(value))}::jsonb`);
    } else {
      values.push(param(value));
    }
  }
  return { names, values };
}

/** Venues in Postgres; location is a geography point with a GiST index. */
export const venuesRepo = {
  async insert(db: Db, ownerId: string, columns: VenueColumns): Promise<VenueRow> {
    const params: unknown[] = [ownerId];
    const { names, values } = assignments(columns, params);
    const [row] = await db.query<VenueRow>(
      `with v as (insert into venues (owner_id, ${names.join(', ')}) values ($1, ${values.join(', ')}) returning *)
       select ${VENUE_SELECT} from v`,
      params,
    );
    return row!;
  },

  async find(db: Db, id: string): Promise<VenueRow | null> {
    const rows = await db.query<VenueRow>(`select ${VENUE_SELECT} from venues v where v.id = $1`, [id]);
    return rows[0] ?? null;
  },

  /** Applies the changes in one statement; null when the venue does not exist. */
  async update(db: Db, id: string, columns: VenueColumns): Promise<VenueRow | null> {
    const params: unknown[] = [id];
    const { names, values } = assignments(columns, params);
    if (names.length === 0) return this.find(db, id);
    const sets = names.map((name, index) => `${name} = ${values[index]}`);
    const rows = await db.query<VenueRow>(
      `with v as (update venues set ${sets.join(', ')} where id = $1 returning *) select ${VENUE_SELECT} from v`,
      params,
    );
    return rows[0] ?? null;
  },

  /**
   * One page of venues matching the filters: nearest first around a point (ST_DWithin uses the
   * GiST index), otherwise by name. Asks for limit + 1 rows so the caller knows if more follow.
   */
  async list(db: Db, filters: VenueFilters): Promise<VenueRow[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where: string[] = [];
    if (filters.city) where.push(`lower(v.city) = lower(${param(filters.city)})`);
    if (filters.country) where.push(`v.country_code = ${param(filters.country)}`);
    if (filters.amenities?.length) where.push(`v.amenities @> ${param(filters.amenities)}::text[]`);
    if (filters.minCapacity) where.push(`v.capacity >= ${param(filters.minCapacity)}`);
    let distance = '';
    let order = 'v.name, v.id';
    if (filters.near) {
      const origin = point(param(filters.near.lng), param(filters.near.lat));
      distance = `st_distance(v.location, ${origin})`;
      where.push(`st_dwithin(v.location, ${origin}, ${param(filters.near.radius)})`);
      order = `${distance}, v.id`;
    }
    const after = filters.after;
    if (after?.byDistance && distance) where.push(`(${distance}, v.id) > (${param(after.distance)}::float8, ${param(after.id)}::uuid)`);
    if (after && !after.byDistance) where.push(`(v.name, v.id) > (${param(after.name)}::text, ${param(after.id)}::uuid)`);
    return db.query<VenueRow>(
      `select ${VENUE_SELECT}${distance ? `, ${distance} as distance_m` : ''} from venues v
        ${where.length ? `where ${where.join(' and ')}` : ''}
        order by ${order} limit ${param(filters.limit + 1)}`,
      params,
    );
  },
};

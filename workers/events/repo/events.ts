import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';
import type { RecurrenceInput as RecurrenceRule } from '../schemas.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** An event row as the API shows it (location as coordinates, tag names aggregated). */
export interface EventRow {
  id: string;
  organizer_id: string | null;
  title: string;
  summary: string | null;
  description: string | null;
  category_id: string | null;
  status: 'draft' | 'published' | 'cancelled' | 'completed';
  type: 'in_person' | 'virtual' | 'hybrid';
  visibility: 'public' | 'unlisted' | 'private';
  venue_id: string | null;
  lat: number | null;
  lng: number | null;
  address: string | null;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  recurrence: RecurrenceRule | null;
  virtual_provider: 'zoom' | 'teams' | 'meet' | 'webex' | 'other' | null;
  virtual_url: string | null;
  image_url: string | null;
  capacity: number | null;
  seats_sold: number;
  seats_held: number;
  is_free: boolean;
  price_min_minor: string | number | null;
  price_max_minor: string | number | null;
  currency: string | null;
  view_count: string | number;
  like_count: number;
  comment_count: number;
  share_count: number;
  registration_count: number;
  checkin_count: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
  cancelled_at: Date | null;
  cancellation_reason: string | null;
  tags: string[];
}

/** The columns of EventRow, for `select ${EVENT_COLUMNS} from events e`. */
export const EVENT_COLUMNS = `e.id, e.organizer_id, e.title, e.summary, e.description, e.category_id, e.status, e.type,
  e.visibility, e.venue_id, st_y(e.location::geometry) as lat, st_x(e.location::geometry) as lng, e.address,
  e.starts_at, e.ends_at, e.timezone, e.recurrence, e.virtual_provider, e.virtual_url, e.image_url, e.capacity,
  e.seats_sold, e.seats_held, e.is_free, e.price_min_minor, e.price_max_minor, e.currency, e.view_count,
  e.like_count, e.comment_count, e.share_count, e.registration_count, e.checkin_count, e.version, e.created_at,
  e.updated_at, e.published_at, e.cancelled_at, e.cancellation_reason,
  coalesce((select array_agg(t.name order by t.name) from event_tags et join tags t on t.id = et.tag_id
             where et.event_id = e.id), '{}') as tags`;

/** What the service writes; location is (lat, lng) and becomes a geography point. */
export interface EventWrite {
  title?: string;
  summary?: string | null;
  description?: string | null;
  categoryId?: string | null;
  type?: EventRow['type'];
  visibility?: EventRow['visibility'];
  venueId?: string | null;
  location?: { lat: number; lng: number } | null;
  address?: string | null;
  startsAt?: Date;
  endsAt?: Date;
  timezone?: string;
  recurrence?: RecurrenceRule | null;
  seriesEndsAt?: Date | null;
  virtualProvider?: EventRow['virtual_provider'];
  virtualUrl?: string | null;
  imageUrl?: string | null;
  capacity?: number | null;
  status?: 'draft' | 'published';
}

const COLUMNS = {
  title: 'title', summary: 'summary', description: 'description', categoryId: 'category_id', type: 'type',
  visibility: 'visibility', venueId: 'venue_id', address: 'address', startsAt: 'starts_at', endsAt: 'ends_at',
  timezone: 'timezone', virtualProvider: 'virtual_provider', virtualUrl: 'virtual_url', imageUrl: 'image_url',
  capacity: 'capacity', status: 'status',
} as const satisfies Partial<Record<keyof EventWrite, string>>;

/** Column assignments for the given fields, with their parameters appended to `params`. */
function assignments(write: EventWrite, params: unknown[]): Map<string, string> {
  const param = (value: unknown) => `$${params.push(value)}`;
  const sets = new Map<string, string>();
  for (const [key, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
    if (write[key] !== undefined) sets.set(column, param(write[key]));
  }
  if (write.recurrence !== undefined) sets.set('recurrence', `${param(write.recurrence === null ? null : JSON.stringify(write.recurrence))}::jsonb`);
  // null from the expansion means an endless series; the column says 'infinity'.
  if (write.seriesEndsAt !== undefined) sets.set('series_ends_at', write.seriesEndsAt === null ? `'infinity'::timestamptz` : param(write.seriesEndsAt));
  if (write.location === null) sets.set('location', 'null');
  // PostGIS points are (x, y) = (longitude, latitude).
  else if (write.location) sets.set('location', `st_setsrid(st_makepoint(${param(write.location.lng)}::float8, ${param(write.location.lat)}::float8), 4326)::geography`);
  if (write.status === 'published') sets.set('published_at', 'coalesce(published_at, now())');
  return sets;
}

/** Events in Postgres; the counters and seat columns belong to triggers and are never written here. */
export const eventsRepo = {
  async find(db: Db, id: string): Promise<EventRow | null> {
    const rows = await db.query<EventRow>(`select ${EVENT_COLUMNS} from events e where e.id = $1`, [id]);
    return rows[0] ?? null;
  },

  async insert(tx: Db, organizerId: string, write: EventWrite): Promise<string> {
    const params: unknown[] = [organizerId];
    const sets = assignments(write, params);
    // published_at = coalesce(published_at, now()) has no row to read on insert.
    if (sets.has('published_at')) sets.set('published_at', 'now()');
    const [row] = await tx.query<{ id: string }>(
      `insert into events (organizer_id, ${[...sets.keys()].join(', ')}) values ($1, ${[...sets.values()].join(', ')}) returning id`,
      params,
    );
    return row!.id;
  },

  /**
   * Applies the changes if the event is still at `version` (optimistic concurrency) and bumps
   * it. Returns the new version, or null when the version moved (or the event is gone).
   */
  async update(tx: Db, id: string, version: number, write: EventWrite): Promise<number | null> {
    const params: unknown[] = [id, version];
    const sets = assignments(write, params);
    sets.set('version', 'version + 1');
    const rows = await tx.query<{ version: number }>(
      `update events set ${[...sets].map(([column, value]) => `${column} = ${value}`).join(', ')}
        where id = $1 and version = $2 returning version`,
      params,
    );
    return rows[0]?.version ?? null;
  },

  /** Cancels a draft or published event; false when it was already cancelled or completed. */
  async cancel(tx: Db, id: string, reason: string | null): Promise<boolean> {
    const rows = await tx.query(
      `update events set status = 'cancelled', cancelled_at = now(), cancellation_reason = $2, version = version + 1
        where id = $1 and status in ('draft', 'published') returning id`,
      [id, reason],
    );
    return rows.length > 0;
  },

  async replaceTags(tx: Db, id: string, tagIds: readonly string[]): Promise<void> {
    await tx.query('delete from event_tags where event_id = $1', [id]);
    if (tagIds.length > 0) await tx.query('insert into event_tags (event_id, tag_id) select $1, unnest($2::uuid[])', [id, tagIds]);
  },
};

/** The place of a venue, copied onto events held there. */
export async function findVenuePlace(db: Db, venueId: string): Promise<{ lat: number | null; lng: number | null; address: string | null } | null> {
  const rows = await db.query<{ lat: number | null; lng: number | null; address: string | null }>(
    `select st_y(location::geometry) as lat, st_x(location::geometry) as lng,
            nullif(concat_ws(', ', address_line1, address_line2, city, postal_code, country_code), '') as address
       from venues where id = $1`,
    [venueId],
  );
  return rows[0] ?? null;
}

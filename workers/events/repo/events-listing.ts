import type { Postgres } from '../../../shared/stores/index.ts';
import { tagSlug } from './tags.ts';
import { EVENT_COLUMNS, type EventRow } from './events.ts';
import { textSearchIndex } from './search-index.ts';

/** An event row of a listing, with its distance from the search point and its text rank. */
export interface ListedEventRow extends EventRow {
  distance_m: number | null;
  rank: number | null;
  popularity: number;
}

export type ListingSort = 'start' | 'distance' | 'relevance' | 'popularity';

/** What a listing query filters on; every value arrives validated. */
export interface ListingFilter {
  viewerId: string | null;
  status: 'draft' | 'published' | 'cancelled' | 'completed';
  from: Date;
  to: Date | null;
  category: { id: string } | { slug: string } | null;
  tags: string[];
  type: 'in_person' | 'virtual' | 'hybrid' | null;
  free: boolean | null;
  priceMinMinor: number | null;
  priceMaxMinor: number | null;
  q: string | null;
  near: { lat: number; lng: number; radiusMetres: number } | null;
}

/** Where the previous page stopped: the last row's sort value and id. */
export interface ListingAfter {
  value: number | string;
  id: string;
}

/** Popularity for sort=popularity: registrations weigh most, then likes; views barely. */
const POPULARITY = `(e.registration_count * 3 + e.like_count * 2 + e.comment_count + e.share_count + e.view_count * 0.1)::float8`;

// Spherical distances (use_spheroid = false) so results agree exactly with a haversine check.
const DIRECTIONS: Record<ListingSort, 'asc' | 'desc'> = { start: 'asc', distance: 'asc', relevance: 'desc', popularity: 'desc' };

/**
 * One page of events matching the filter, ordered by `sort` then id (keyset pagination).
 * `recurring` selects one-off events (false) or recurring series (true): a series' first start
 * says nothing about where its occurrences fall, so the service expands those itself.
 * Only ids and sort values go through the sort (a text search can match thousands of rows);
 * the page's rows alone are joined back for their columns.
 */
export async function listEvents(
  db: Pick<Postgres, 'query'>,
  filter: ListingFilter,
  options: { sort: ListingSort; after: ListingAfter | null; limit: number; recurring: boolean | null },
): Promise<ListedEventRow[]> {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  const viewer = param(filter.viewerId);
  where.push(`e.status = ${param(filter.status)}`);
  // Drafts and non-public events are listed only to their organizer.
  where.push(`((e.visibility = 'public' and e.status <> 'draft') or e.organizer_id = ${viewer}::uuid)`);
  where.push(`e.series_ends_at > ${param(filter.from)}`);
  if (filter.to) where.push(`e.starts_at < ${param(filter.to)}`);
  if (options.recurring !== null) where.push(options.recurring ? 'e.recurrence is not null' : 'e.recurrence is null');
  if (filter.category) {
    const [column, value] = 'id' in filter.category ? ['id', param(filter.category.id) + '::uuid'] : ['slug', param(filter.category.slug)];
    where.push(`e.category_id in (with recursive tree(id) as (select id from categories where ${column} = ${value}
      union select c.id from categories c join tree on c.parent_id = tree.id) select id from tree)`);
  }
  if (filter.tags.length > 0) {
    where.push(`exists (select 1 from event_tags et join tags t on t.id = et.tag_id where et.event_id = e.id and t.slug = any(${param(filter.tags.map(tagSlug))}::text[]))`);
  }
  if (filter.type) where.push(`e.type = ${param(filter.type)}`);
  if (filter.free !== null) where.push(`e.is_free = ${param(filter.free)}`);
  if (filter.priceMinMinor !== null) where.push(`coalesce(e.price_max_minor, 0) >= ${param(filter.priceMinMinor)}`);
  if (filter.priceMaxMinor !== null) where.push(`coalesce(e.price_min_minor, 0) <= ${param(filter.priceMaxMinor)}`);

  let distance = 'null::float8';
  if (filter.near) {
    const point = `st_setsrid(st_makepoint(${param(filter.near.lng)}::float8, ${param(filter.near.lat)}::float8), 4326)::geography`;
    where.push(`st_dwithin(e.location, ${point}, ${param(filter.near.radiusMetres)}::float8, false)`);
    distance = `st_distance(e.location, ${point}, false)`;
  }
  let rank = 'null::float8';
  // With the RUM index (0014) relevance order comes out of the index, so only the rows up to the
  // page's end are read from the table instead of every match.
  let candidates = '';
  if (filter.q) {
    const query = `websearch_to_tsquery('english', ${param(filter.q)})`;
    where.push(`e.search_vector @@ ${query}`);
    if (await textSearchIndex(db) === 'rum') {
      // <=> is 1 / RUM's cover-density score (title A > summary B > description C, as ts_rank_cd);
      // the reciprocal turns it back into a rank, higher first. <=> is a float4, so its reciprocal
      // in float8 is strictly monotonic: ranking by it and walking the index by <=> agree exactly,
      // ties included, and the keyset below compares the very value the cursor carries.
      rank = `(1 / (e.search_vector <=> ${query})::float8)`;
      // The rows tied with the last one taken come too, so the page's id order among ties is exact.
      if (options.sort === 'relevance') candidates = `order by e.search_vector <=> ${query} fetch first ${param(options.limit)} rows with ties`;
    } else {
      rank = `ts_rank_cd(e.search_vector, ${query})::float8`;
    }
  }

  const sortValue = { start: 'e.starts_at', distance, relevance: rank, popularity: POPULARITY }[options.sort];
  const direction = DIRECTIONS[options.sort];
  if (options.after) {
    const value = options.sort === 'start' ? `${param(options.after.value)}::timestamptz` : `${param(options.after.value)}::float8`;
    const beyond = direction === 'asc' ? '>' : '<';
    // Inside, so the RUM candidates are the rows after the cursor.
    where.push(`(${sortValue} ${beyond} ${value} or (${sortValue} = ${value} and e.id > ${param(options.after.id)}::uuid))`);
  }
  // The outer select recomputes distance, rank and popularity for the page's rows only; the
  // expressions are the inner ones, so the values (and cursors made from them) are identical.
  return db.query<ListedEventRow>(
    `select ${EVENT_COLUMNS}, ${distance} as distance_m, ${rank} as rank, ${POPULARITY} as popularity
       from (
         select id, sort_value from (
           select e.id, ${sortValue} as sort_value from events e where ${where.join(' and ')} ${candidates}
         ) matched
         order by sort_value ${direction}, id
         limit ${param(options.limit)}
       ) page
       join events e on e.id = page.id
      order by page.sort_value ${direction}, page.id`,
    params,
  );
}

/**
 * The `limit` upcoming public events nearest to the point within `withinMetres`, nearest first
 * (ties by id), with their spherical distance. The GiST index walks the nearest `limit` (KNN,
 * same sphere); the distance of the last one then bounds an exact ordered pass, which also
 * takes in any event tied with it, so no tie is lost to the index's order.
 */
export async function nearestEvents(db: Pick<Postgres, 'query'>, point: { lat: number; lng: number }, withinMetres: number, limit: number): Promise<ListedEventRow[]> {
  const upcoming = `e.status = 'published' and e.visibility = 'public' and e.series_ends_at > now()`;
  const at = 'st_setsrid(st_makepoint($1::float8, $2::float8), 4326)::geography';
  return db.query<ListedEventRow>(
    `with knn as (
       select e.location <-> ${at} as distance_m from events e
        where ${upcoming} and st_dwithin(e.location, ${at}, $3::float8, false)
        order by e.location <-> ${at} limit $4
     ), page as (
       select e.id, st_distance(e.location, ${at}, false) as distance_m from events e
        where ${upcoming} and st_dwithin(e.location, ${at}, least($3::float8, (select max(distance_m) from knn) + 0.001), false)
        order by distance_m, e.id limit $4
     )
     select ${EVENT_COLUMNS}, page.distance_m, null::float8 as rank, 0::float8 as popularity
       from page join events e on e.id = page.id
      order by page.distance_m, page.id`,
    [point.lng, point.lat, withinMetres, limit],
  );
}

/** The cancelled and moved occurrences of these series, for recurrence expansion. */
export async function occurrenceExceptions(db: Pick<Postgres, 'query'>, eventIds: string[]) {
  if (eventIds.length === 0) return [];
  return db.query<{ event_id: string; original_starts_at: Date; kind: 'cancelled' | 'moved'; new_starts_at: Date | null; new_ends_at: Date | null }>(
    'select event_id, original_starts_at, kind, new_starts_at, new_ends_at from event_occurrence_exceptions where event_id = any($1::uuid[])',
    [eventIds],
  );
}

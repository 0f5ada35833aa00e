import { beforeAll, describe, expect, it } from 'vitest';
import { listEvents, type ListingFilter } from '../../../workers/events/repo/events-listing.ts';
import { textSearchIndex, type TextSearchIndex } from '../../../workers/events/repo/search-index.ts';
import { registerAndLogin } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

const filter = (changes: Partial<ListingFilter>): ListingFilter => ({
  viewerId: null, status: 'published', from: new Date(), to: null, category: null, tags: [], type: null, free: null,
  priceMinMinor: null, priceMaxMinor: null, q: null, near: null, ...changes,
});

/** The plan of the exact statement the listing runs for this filter. */
async function planOf(changes: Partial<ListingFilter>): Promise<string> {
  return testStores().postgres.transaction(async (tx) => {
    // Rows were generated and analysed below, so the planner decides on real statistics, with
    // every plan open to it (no enable_* setting is changed).
    const explaining = { query: <Row>(text: string, params?: unknown[]) => tx.query<Row>(`explain ${text}`, params) };
    const rows = await listEvents(explaining, filter(changes), { sort: changes.q ? 'relevance' : 'distance', after: null, limit: 20, recurring: null });
    return (rows as unknown as { 'QUERY PLAN': string }[]).map((row) => row['QUERY PLAN']).join('\n');
  });
}

let searchIndex: TextSearchIndex;

beforeAll(async () => {
  // Asked here on the database itself (the listing asks once per isolate and remembers): under
  // planOf every statement would be an EXPLAIN.
  searchIndex = await textSearchIndex(testStores().postgres);
  // Upcoming published events spread over the globe with varied text, as at scale (longitudes
  // within 170 degrees: the nearby tests search a band east of that and expect only their own events).
  const organizer = await registerAndLogin();
  // A bulk load, not a request: while the other test files run on the same 2 cores, writing
  // 20,000 rows through three geo and text indexes and analysing them can outlast a store call's
  // timeout (10 s in the tests; seen once in CI).
  const db = testStores({ STORE_TIMEOUT_MS: 120_000 }).postgres;
  await db.query(
    `insert into events (organizer_id, title, description, starts_at, ends_at, timezone, status, published_at, location)
     select $1, 'Event ' || n || ' ' || md5(n::text), 'About ' || md5((n * 7)::text), now() + (n % 60) * interval '1 day',
            now() + (n % 60) * interval '1 day' + interval '2 hours', 'UTC', 'published', now(),
            st_setsrid(st_makepoint(random() * 340 - 170, random() * 140 - 70), 4326)::geography
       from generate_series(1, 20000) n`,
    [organizer.id],
  );
  await db.query('analyze events');
});

describe('query plans', () => {
  it('near uses the GiST index on events.location', async () => {
    expect(await planOf({ near: { lat: 45.46, lng: 9.19, radiusMetres: 5_000 } })).toContain('events_location_gist');
  });

  // The system Postgres of CI has rum (0014 builds events_search_rum); PGlite has not.
  it('q sorted by relevance walks the RUM index in rank order where it exists, else uses the GIN index', async () => {
    const present = (await testStores().postgres.query<{ rum: boolean }>("select to_regclass('events_search_rum') is not null as rum"))[0]!.rum;
    expect(searchIndex).toBe(present ? 'rum' : 'gin');
    const plan = await planOf({ q: 'jazz festival' });
    if (present) {
      expect(plan).toContain('Index Scan using events_search_rum');
      expect(plan).toContain('Order By: (search_vector <=>'); // rows leave the index in rank order
    } else {
      expect(plan).toContain('events_search_gin');
    }
  });
});

// Event discovery at scale: 100,000 generated events in Postgres (clustered around 40 cities, with
// titles, summaries and descriptions drawn from word lists), then, on the built gateway in
// standalone workerd with the local stack in a process of its own:
//   - GET /api/v1/events/nearby at random points (a different geo cell each time, so the 5-minute
//     nearby cache is not what is measured) and GET /api/v1/events?q= with random search terms,
//     one request at a time: the latency the client sees on this machine is the server-side time
//     (Worker + Postgres), and its median is held to 20 ms;
//   - GET /api/v1/events/{id} for events already in the Redis cache: workerd CPU per request,
//     held to 1 ms.
// Every request comes from another client IP, so the per-IP limit never answers.
import pg from 'pg';
import { generateDataKey, generateSigningKeys } from '../../lib/signing-key.ts';
import { summarise, summaryTable } from '../lib/compare.ts';
import { RunError, type LoadResult } from '../lib/load.ts';
import { ipSource, measurePhase, post, storeCpus, type Phase } from '../lib/phases.ts';
import { fmt } from '../lib/stats.ts';
import { startStores, storeSecrets, type BenchStores } from '../lib/stores.ts';
import type { Workerd } from '../lib/workerd.ts';
import type { Scenario } from './types.ts';

const EVENTS = 100_000;
const MAX_ROUNDS = 3;
const CACHED_IDS = 64;
const SEARCH_CONNECTIONS = 1;
const CACHED_CONNECTIONS = 4;

/** Cities the generated events cluster around: [name, lat, lng]. */
const CITIES: Array<[string, number, number]> = [
  ['Rome', 41.9, 12.5], ['Milan', 45.46, 9.19], ['Paris', 48.86, 2.35], ['London', 51.51, -0.13], ['Berlin', 52.52, 13.4],
  ['Madrid', 40.42, -3.7], ['Lisbon', 38.72, -9.14], ['Amsterdam', 52.37, 4.9], ['Vienna', 48.21, 16.37], ['Warsaw', 52.23, 21.01],
  ['Stockholm', 59.33, 18.07], ['Athens', 37.98, 23.73], ['Istanbul', 41.01, 28.98], ['Cairo', 30.04, 31.24], ['Lagos', 6.52, 3.38],
  ['Nairobi', -1.29, 36.82], ['Johannesburg', -26.2, 28.05], ['Dubai', 25.2, 55.27], ['Mumbai', 19.08, 72.88], ['Delhi', 28.61, 77.21],
  ['Bangkok', 13.76, 100.5], ['Singapore', 1.35, 103.82], ['Jakarta', -6.2, 106.85], ['Hong Kong', 22.32, 114.17], ['Shanghai', 31.23, 121.47],
  ['Seoul', 37.57, 126.98], ['Tokyo', 35.68, 139.69], ['Sydney', -33.87, 151.21], ['Melbourne', -37.81, 144.96], ['Auckland', -36.85, 174.76],
  ['Los Angeles', 34.05, -118.24], ['San Francisco', 37.77, -122.42], ['Seattle', 47.61, -122.33], ['Chicago', 41.88, -87.63], ['Toronto', 43.65, -79.38],
  ['New York', 40.71, -74.01], ['Mexico City', 19.43, -99.13], ['Bogota', 4.71, -74.07], ['Sao Paulo', -23.55, -46.63], ['Buenos Aires', -34.6, -58.38],
];
const GENRES = ['jazz', 'rock', 'techno', 'salsa', 'poetry', 'comedy', 'yoga', 'running', 'chess', 'pottery', 'wine', 'coffee', 'startup', 'design', 'film', 'photography', 'climbing', 'cycling', 'vegan', 'sushi'];
const FORMATS = ['night', 'meetup', 'festival', 'workshop', 'session', 'tasting', 'marathon', 'showcase', 'jam', 'class'];
const PLACES = ['rooftop', 'garden', 'warehouse', 'harbour', 'library', 'gallery', 'park', 'basement', 'terrace', 'courtyard'];
const MOODS = ['relaxed', 'friendly', 'loud', 'intimate', 'family', 'late', 'early', 'sunset', 'acoustic', 'open-air'];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const sqlArray = (items: readonly string[]) => `array[${items.map((item) => `'${item.replace(/'/g, "''")}'`).join(', ')}]`;

/** Inserts `count` published events with SQL on the server itself (generate_series), then analyses the table. */
async function generateEvents(databaseUrl: string, organizerId: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const cities = `(values ${CITIES.map(([, lat, lng], index) => `(${index}, ${lat}, ${lng})`).join(', ')}) as city(n, lat, lng)`;
    await client.query(
      `insert into events (organizer_id, title, summary, description, status, type, location, address, starts_at, ends_at,
                           timezone, published_at, capacity)
       select $1,
              initcap(w.mood) || ' ' || w.genre || ' ' || w.format,
              'A ' || w.mood || ' ' || w.format || ' at the ' || w.place || ' for ' || w.genre || ' lovers',
              'Join us at the ' || w.place || '. ' || repeat('Bring friends, meet new people, enjoy the ' || w.other || ' corner. ', 3),
              'published', 'in_person',
              st_setsrid(st_makepoint(city.lng + (random() - 0.5) * 0.6, city.lat + (random() - 0.5) * 0.4), 4326)::geography,
              w.place || ' district',
              w.starts, w.starts + interval '2 hours', 'UTC', now(), 50 + (g % 200)
         from generate_series(1, $2::int) as g
         cross join lateral (
           select (${sqlArray(GENRES)})[1 + floor(random() * ${GENRES.length})::int] as genre,
                  (${sqlArray(GENRES)})[1 + floor(random() * ${GENRES.length})::int] as other,
                  (${sqlArray(FORMATS)})[1 + floor(random() * ${FORMATS.length})::int] as format,
                  (${sqlArray(PLACES)})[1 + floor(random() * ${PLACES.length})::int] as place,
                  (${sqlArray(MOODS)})[1 + floor(random() * ${MOODS.length})::int] as mood,
                  date_trunc('minute', now() + interval '1 day' + random() * interval '120 days') as starts,
                  g % ${CITIES.length} as city_n
         ) as w
         join ${cities} on city.n = w.city_n`,
      [organizerId, count],
    );
    await client.query('analyze events');
  } finally {
    await client.end();
  }
}

async function registerOrganizer(target: Workerd, databaseUrl: string, ip: string): Promise<string> {
  const email = `bench.organizer.${Date.now()}@example.com`;
  const answer = await post(target, '/api/v1/auth/register', ip, { email, username: `bench_org_${Date.now() % 1e8}`, password: 'bench organizer password 42' });
  if (answer.status !== 202) throw new RunError(`POST /api/v1/auth/register answered ${answer.status}: ${answer.text.slice(0, 500)}`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>('select id from accounts where lower(email) = lower($1)', [email]);
    if (!rows[0]) throw new RunError('the registered organizer has no account row');
    return rows[0].id;
  } finally {
    await client.end();
  }
}

async function sampleEventIds(databaseUrl: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>('select id from events order by random() limit $1', [count]);
    return rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

/** A random point near one of the cities, with up to ~30 km of jitter: a new geo cell almost every time. */
function nearbyPath(): string {
  const [, lat, lng] = pick(CITIES);
  const radiusKm = pick([2, 5, 10, 25]);
  const at = (value: number, spread: number) => (value + (Math.random() - 0.5) * spread).toFixed(5);
  return `/api/v1/events/nearby?lat=${at(lat, 0.5)}&lng=${at(lng, 0.7)}&radius=${radiusKm * 1000}`;
}

function searchPath(): string {
  const words = Math.random() < 0.5 ? [pick(GENRES)] : [pick(MOODS), pick(FORMATS)];
  return `/api/v1/events?q=${encodeURIComponent(words.join(' '))}&sort=relevance`;
}

export const events: Scenario = {
  name: 'events',
  title: `discovery over ${EVENTS.toLocaleString('en')} events (nearby, text search) and a cached GET /events/{id}`,
  async run(ctx) {
    const rounds = Math.min(ctx.options.rounds, MAX_ROUNDS);
    const nextIp = ipSource();
    let stores: BenchStores | undefined;
    let worker: Workerd | undefined;
    try {
      ctx.progress('starting the local stores (their own process) and migrating...');
      stores = await startStores({ cpus: storeCpus(ctx.cpus), log: (line) => ctx.progress(`  ${line}`) });
      const databaseUrl = stores.env.DATABASE_URL;
      const spec = await ctx.gateway({ ...storeSecrets(stores.env), JWT_PRIVATE_KEYS: generateSigningKeys(), DATA_ENCRYPTION_KEY: generateDataKey() });
      worker = await ctx.start(spec, { readyPath: '/health/ready' });
      const target = worker;

      const organizerId = await registerOrganizer(target, databaseUrl, nextIp());
      ctx.progress(`generating ${EVENTS.toLocaleString('en')} events in Postgres...`);
      const generateStarted = Date.now();
      await generateEvents(databaseUrl, organizerId, EVENTS);
      const generateS = (Date.now() - generateStarted) / 1000;
      ctx.progress(`  done in ${fmt(generateS, 1)} s`);

      const anonymous = () => ({ 'cf-connecting-ip': nextIp(), 'user-agent': 'flow-bench' });
      const nearby: Phase = { label: 'nearby', method: 'GET', path: '/api/v1/events/nearby', connections: SEARCH_CONNECTIONS, driver: 'closed-loop', next: () => ({ headers: anonymous(), path: nearbyPath() }) };
      const search: Phase = { label: 'text search', method: 'GET', path: '/api/v1/events', connections: SEARCH_CONNECTIONS, driver: 'closed-loop', next: () => ({ headers: anonymous(), path: searchPath() }) };

      const ids = await sampleEventIds(databaseUrl, CACHED_IDS);
      for (const id of ids) {
        const response = await fetch(target.url(`/api/v1/events/${id}`), { headers: anonymous(), signal: AbortSignal.timeout(10_000) });
        if (!response.ok) throw new RunError(`GET /api/v1/events/${id} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
        await response.arrayBuffer();
      }
      let idCursor = 0;
      const cached: Phase = {
        label: 'cached event', method: 'GET', path: '/api/v1/events', connections: CACHED_CONNECTIONS, driver: 'autocannon',
        next: () => ({ headers: anonymous(), path: `/api/v1/events/${ids[idCursor++ % ids.length]}` }),
      };

      const runs: Record<'nearby' | 'search' | 'cached', LoadResult[]> = { nearby: [], search: [], cached: [] };
      for (let round = 1; round <= rounds; round++) {
        for (const [key, phase] of [['nearby', nearby], ['search', search], ['cached', cached]] as const) {
          const result = await measurePhase(ctx, target, phase, ctx.options.warmupS);
          runs[key].push(result);
          ctx.progress(`round ${round}/${rounds} ${phase.label}: ${fmt(result.rps)} req/s, p50 ${fmt(result.p50Ms, 2)} ms, p99 ${fmt(result.p99Ms, 2)} ms, ${fmt(result.cpuMsPerRequest, 3)} CPU ms/req`);
        }
      }

      const nearbySummary = summarise('nearby', runs.nearby);
      const searchSummary = summarise('text search', runs.search);
      const cachedSummary = summarise('cached GET /events/{id}', runs.cached);
      return {
        lines: [
          `  stores (own process, pid ${stores.pid}): ${stores.stores.map((s) => `${s.name} = ${s.kind}`).join('; ')}`,
          `  ${EVENTS.toLocaleString('en')} events generated in ${fmt(generateS, 1)} s around ${CITIES.length} cities, table analysed`,
          ...summaryTable([nearbySummary, searchSummary, cachedSummary]),
          '',
          `  nearby:      median ${fmt(nearbySummary.p50Ms, 2)} ms server-side (one request at a time; random point and radius 2-25 km; a new geo cell each time)`,
          `  text search: median ${fmt(searchSummary.p50Ms, 2)} ms server-side (one request at a time; one or two random words, sorted by relevance)`,
          `  cached GET /events/{id}: ${fmt(cachedSummary.cpuMsPerRequest, 3)} workerd CPU ms/request (${CACHED_CONNECTIONS} connections over ${CACHED_IDS} cached events)`,
          '  (server-side = the latency the client on this machine sees: Worker, Redis and Postgres, no network)',
        ],
        ratios: [
          { label: 'nearby median ms', value: nearbySummary.p50Ms, target: { op: '<=', value: 20 } },
          { label: 'text search median ms', value: searchSummary.p50Ms, target: { op: '<=', value: 20 } },
          { label: 'cached event CPU ms/request', value: cachedSummary.cpuMsPerRequest, target: { op: '<=', value: 1 } },
        ],
        data: { events: EVENTS, generateS, nearby: nearbySummary, search: searchSummary, cached: cachedSummary },
      };
    } finally {
      await worker?.stop();
      await stores?.stop();
    }
  },
};

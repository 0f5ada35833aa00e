import { describe, expect, it } from 'vitest';
import type { EventListItem } from '../../../workers/events/schemas.ts';
import { geohashCell, haversineMetres } from '../../../workers/events/service/listing-nearby.ts';
import { call, expectProblem } from '../../support/http.ts';
import { registerAndLogin } from '../../support/identity.ts';
import { createEvent } from '../../support/events.ts';
import { testStores } from '../../support/stores.ts';

interface Spot { id: string; lat: number; lng: number }

/**
 * Published events scattered around a random centre (~40 km square by default), written straight to Postgres.
 * Centres lie in a band of longitudes (173-178 E) that other tests leave empty (the plan test's 20,000
 * events stay within 170 degrees), so no other file's events fall inside a search here.
 */
async function scatter(count: number, spread = 0.7, centre = { lat: Math.random() * 120 - 60, lng: 173 + Math.random() * 5 }): Promise<{ centre: { lat: number; lng: number }; spots: Spot[] }> {
  const organizer = await registerAndLogin();
  const lats = Array.from({ length: count }, () => centre.lat + (Math.random() - 0.5) * spread);
  const lngs = Array.from({ length: count }, () => centre.lng + (Math.random() - 0.5) * spread);
  const rows = await testStores().postgres.query<Spot>(
    `insert into events (organizer_id, title, starts_at, ends_at, timezone, status, published_at, location)
     select $1, 'Spot ' || n, now() + interval '1 day', now() + interval '1 day 2 hours', 'UTC', 'published', now(),
            st_setsrid(st_makepoint(lng, lat), 4326)::geography
       from unnest($2::float8[], $3::float8[]) with ordinality as p(lat, lng, n)
     returning id, st_y(location::geometry) as lat, st_x(location::geometry) as lng`,
    [organizer.id, lats, lngs],
  );
  return { centre, spots: rows };
}

/** Points within a metre of the edge may fall either way between Postgres and haversineMetres. */
const clearOfEdge = (metres: number, edge: number) => Math.abs(metres - edge) > 1;

/**
 * The ids of the answer, less those within a metre of the edge. Judged by each event's exact
 * distance (not the answer's distanceMetres, rounded to 0.1 m, which would judge an event 1.04 m
 * inside the edge differently from the expected list), and so by the same measure as that list.
 */
function awayFromEdge(items: EventListItem[], from: { lat: number; lng: number }, edge: number): string[] {
  return items.filter((item) => clearOfEdge(haversineMetres(from, item.location!), edge)).map((item) => item.id);
}

describe('nearby', () => {
  it('matches a brute-force haversine check, nearest first, from cache and from Postgres alike', async () => {
    const { centre, spots } = await scatter(200);
    for (const [radius, metres] of [['10km', 10_000], ['3500m', 3_500], ['25km', 25_000]] as const) {
      const expected = spots.map((spot) => ({ id: spot.id, d: haversineMetres(centre, spot) })).filter((s) => s.d <= metres).sort((a, b) => a.d - b.d).slice(0, 100);
      for (let attempt = 0; attempt < 2; attempt += 1) { // the second answer comes from the cell cache
        const response = await call(`/api/v1/events/nearby?lat=${centre.lat}&lng=${centre.lng}&radius=${radius}&limit=100`);
        expect(response.status).toBe(200);
        const { items } = (await response.json()) as { items: EventListItem[] };
        expect(awayFromEdge(items, centre, metres)).toEqual(expected.filter((s) => clearOfEdge(s.d, metres)).map((s) => s.id));
        for (const item of items) expect(item.distanceMetres).toBeCloseTo(expected.find((s) => s.id === item.id)?.d ?? -1, 0);
      }
    }
    // A point elsewhere in the same cell gets distances from its own position.
    const moved = { lat: centre.lat + 0.001, lng: centre.lng };
    const { items } = (await (await call(`/api/v1/events/nearby?lat=${moved.lat}&lng=${moved.lng}&radius=10km&limit=100`)).json()) as { items: EventListItem[] };
    const expectedMoved = spots.map((s) => ({ id: s.id, d: haversineMetres(moved, s) })).filter((s) => s.d <= 10_000 && clearOfEdge(s.d, 10_000)).sort((a, b) => a.d - b.d);
    expect(awayFromEdge(items, moved, 10_000)).toEqual(expectedMoved.slice(0, 100).map((s) => s.id).filter((id) => items.some((e) => e.id === id)));
  });

  it('stays exact in a dense cell: a point the cached nearest cannot cover is asked of Postgres, co-located events ordered by id', async () => {
    // 400 events within ~3 km: the cell keeps only the 100 nearest its centre.
    const { centre, spots } = await scatter(400, 0.05);
    const cell = geohashCell(centre.lat, centre.lng);
    const { spots: twins } = await scatter(4, 0, { lat: cell.center.lat + 0.002, lng: cell.center.lng });
    const all = [...spots, ...twins];
    const expected = (point: { lat: number; lng: number }, metres: number, limit: number) => all
      .map((s) => ({ id: s.id, d: haversineMetres(point, s) })).filter((s) => s.d <= metres)
      .sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : 1)).slice(0, limit).map((s) => s.id);
    const nearby = async (point: { lat: number; lng: number }, limit: number) => {
      const response = await call(`/api/v1/events/nearby?lat=${point.lat}&lng=${point.lng}&radius=5km&limit=${limit}`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { items: EventListItem[] }).items.map((e) => e.id);
    };
    // A corner of the cell with a limit of 100: beyond what the centre's 100 nearest can prove.
    const corner = { lat: cell.corner.lat - 1e-5, lng: cell.corner.lng - 1e-5 };
    expect(await nearby(corner, 100)).toEqual(expected(corner, 5_000, 100));
    // Small pages at points of the cell come from its cached candidates, still exact.
    for (const point of [cell.center, corner, { lat: cell.center.lat + 0.002, lng: cell.center.lng }]) {
      expect(await nearby(point, 5)).toEqual(expected(point, 5_000, 5));
    }
  });

  it('the listing with near + sort=distance pages through the same set', async () => {
    const { centre, spots } = await scatter(60);
    const expected = spots.map((s) => ({ id: s.id, d: haversineMetres(centre, s) })).filter((s) => s.d <= 15_000).sort((a, b) => a.d - b.d).map((s) => s.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await call(`/api/v1/events?near=${centre.lat},${centre.lng}&radius=15km&sort=distance&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      const page = (await response.json()) as { items: EventListItem[]; nextCursor: string | null };
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor && seen.length < 500);
    expect(seen).toEqual(expected);
  });

  it('refuses bad coordinates and radii', async () => {
    for (const query of ['lat=91&lng=0', 'lat=0&lng=181', 'lat=x&lng=0', 'lng=0', 'lat=0&lng=0&radius=201km', 'lat=0&lng=0&radius=0', 'lat=0&lng=0&limit=1000', 'lat=0&lng=0&extra=1']) {
      await expectProblem(await call(`/api/v1/events/nearby?${query}`), 400);
    }
  });

  it('shows a recurring event that began weeks ago with its next occurrence, not its first start', async () => {
    const organizer = await registerAndLogin();
    const at = { lat: Math.random() * 120 - 60, lng: 173 + Math.random() * 5 };
    // In UTC, so shifting the start by whole weeks keeps every occurrence's time whatever the season.
    const event = await createEvent(organizer, { location: at, timezone: 'UTC', recurrence: { freq: 'weekly', until: '2099-12-31' } });
    // The series started three weeks before its next occurrence (written here: the API takes no past starts).
    await testStores().postgres.query("update events set starts_at = starts_at - interval '21 days', ends_at = ends_at - interval '21 days' where id = $1", [event.id]);
    const response = await call(`/api/v1/events/nearby?lat=${at.lat}&lng=${at.lng}&radius=1km`);
    const { items } = (await response.json()) as { items: EventListItem[] };
    const found = items.find((item) => item.id === event.id);
    expect(Date.parse(found!.occurrence!.startsAt)).toBe(Date.parse(event.startsAt));
    expect(Date.parse(found!.occurrence!.endsAt)).toBe(Date.parse(event.endsAt));
    expect(Date.parse(found!.startsAt!)).toBe(Date.parse(event.startsAt) - 21 * 86_400_000);
  });
});

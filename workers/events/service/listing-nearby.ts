import { cacheGeneration } from '../../../shared/cache.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import { nearestEvents } from '../repo/events-listing.ts';
import type { EventListItem } from '../schemas.ts';
import { EVENT_LISTS, NEARBY_TTL } from './events-cache.ts';
import { onceListedItems } from './listing.ts';

/** PostGIS's sphere (use_spheroid = false) has the mean Earth radius; the same one here. */
const EARTH_RADIUS_M = 6_371_008.771415;
/** Radius buckets: a request's candidates are cached for the bucket at or above its radius. */
const RADIUS_BUCKETS = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000];
/** Events cached per cell: the nearest to its centre. */
const CANDIDATES = 100;
/** Room for the sub-millimetre gap between Postgres's sphere distances and haversineMetres. */
const SLACK_METRES = 1;
/** Geohash precision 6: cells of about 1.2 km x 0.6 km. */
const CELL_PRECISION = 6;
const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/** Great-circle distance in metres. */
export function haversineMetres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The geohash cell of a point and its bounds. */
export function geohashCell(lat: number, lng: number, precision = CELL_PRECISION) {
  let [latMin, latMax, lngMin, lngMax] = [-90, 90, -180, 180];
  let hash = '';
  let bits = 0;
  let value = 0;
  let evenBit = true;
  while (hash.length < precision) {
    if (evenBit) {
      const mid = (lngMin + lngMax) / 2;
      if (lng >= mid) { value = value * 2 + 1; lngMin = mid; } else { value *= 2; lngMax = mid; }
    } else {
      const mid = (latMin + latMax) / 2;
      if (lat >= mid) { value = value * 2 + 1; latMin = mid; } else { value *= 2; latMax = mid; }
    }
    evenBit = !evenBit;
    if (++bits === 5) { hash += BASE32[value]; bits = 0; value = 0; }
  }
  return { hash, center: { lat: (latMin + latMax) / 2, lng: (lngMin + lngMax) / 2 }, corner: { lat: latMax, lng: lngMax } };
}

interface NearbyCandidate {
  item: EventListItem;
  lat: number;
  lng: number;
}

/**
 * A cell's cached candidates: the upcoming public events nearest to the cell's centre, and
 * `exactWithin`, the distance from the centre inside which every such event is among them.
 */
interface NearbyCell {
  candidates: NearbyCandidate[];
  exactWithin: number;
}

const withDistance = (item: EventListItem, metres: number): EventListItem => ({ ...item, distanceMetres: Math.round(metres * 10) / 10 });

/** The cell's candidates from Postgres: the nearest CANDIDATES within `reach` of its centre. */
async function cellFromPostgres(stores: Stores, centre: { lat: number; lng: number }, reach: number): Promise<NearbyCell> {
  const rows = await nearestEvents(stores.postgres, centre, reach, CANDIDATES);
  // Fewer than asked for: they are all there are within reach. Otherwise an event left out is at
  // least as far from the centre as the farthest one kept (ties included or not, never nearer).
  const exactWithin = rows.length < CANDIDATES ? reach : rows.at(-1)!.distance_m!;
  const items = await onceListedItems(stores, rows);
  return { candidates: rows.map((row, i) => ({ item: items[i]!, lat: row.lat!, lng: row.lng! })), exactWithin };
}

/**
 * The answer for `point` from a cell's candidates, or null when they cannot prove it exact.
 * An event missing from the candidates is at least `exactWithin` from the centre, so at least
 * `exactWithin - d(point, centre)` from the point; when that is beyond the farthest answer (or
 * the radius, if the answer is short) by more than the slack, nothing missing could belong.
 */
export function answerFromCell(cell: NearbyCell, centre: { lat: number; lng: number }, point: { lat: number; lng: number }, radiusMetres: number, limit: number): EventListItem[] | null {
  const found = cell.candidates
    .map((candidate) => ({ item: candidate.item, metres: haversineMetres(point, candidate) }))
    .filter((candidate) => candidate.metres <= radiusMetres)
    .sort((a, b) => a.metres - b.metres || (a.item.id < b.item.id ? -1 : 1))
    .slice(0, limit);
  const farthest = found.length === limit ? found.at(-1)!.metres : radiusMetres;
  if (farthest + haversineMetres(point, centre) + SLACK_METRES >= cell.exactWithin) return null;
  return found.map(({ item, metres }) => withDistance(item, metres));
}

/**
 * Upcoming public events within `radiusMetres` of the point, nearest first, with their distance.
 * Cached by geo cell and radius bucket: the CANDIDATES events nearest to the cell's centre (within
 * the bucket plus half the cell's diagonal) answer most points of the cell exactly, which
 * `answerFromCell` checks for each request; any other point, in a cell too dense for its radius
 * and limit, gets one exact query from its own position. `defer` runs the cache write after the
 * response when the caller can (waitUntil).
 */
export async function nearbyEvents(stores: Stores, point: { lat: number; lng: number }, radiusMetres: number, limit: number, defer?: (work: Promise<unknown>) => void): Promise<EventListItem[]> {
  const cell = geohashCell(point.lat, point.lng);
  const bucket = RADIUS_BUCKETS.find((metres) => metres >= radiusMetres) ?? radiusMetres;
  // A little more than bucket + half-diagonal, so a sparse cell answers every point of it.
  const reach = bucket + haversineMetres(cell.center, cell.corner) + 10 * SLACK_METRES;
  const key = `nearby:v2:${await cacheGeneration(stores.redis, EVENT_LISTS)}:${cell.hash}:${bucket}`;

  let cached = await stores.redis.run((r) => r.get<NearbyCell>(key));
  if (cached === null || cached === undefined) {
    const fresh = await cellFromPostgres(stores, cell.center, reach);
    const write = stores.redis.run((r) => r.set(key, fresh, { ex: NEARBY_TTL }));
    if (defer) defer(write); else await write;
    cached = fresh;
  }
  const answer = answerFromCell(cached, cell.center, point, radiusMetres, limit);
  if (answer) return answer;
  const rows = await nearestEvents(stores.postgres, point, radiusMetres, limit);
  const items = await onceListedItems(stores, rows);
  return rows.map((row, i) => withDistance(items[i]!, row.distance_m!));
}

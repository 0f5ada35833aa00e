import { cacheGeneration } from '../../../shared/cache.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import { listEvents, type ListingFilter } from '../repo/events-listing.ts';
import type { EventListItem } from '../schemas.ts';
import { EVENT_LISTS, NEARBY_TTL } from './events-cache.ts';
import { eventDocument, withoutLink } from './events-view.ts';

/** PostGIS's sphere (use_spheroid = false) has the mean Earth radius; the same one here. */
const EARTH_RADIUS_M = 6_371_008.771415;
/** Radius buckets: a request's candidates are cached for the bucket at or above its radius. */
const RADIUS_BUCKETS = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000];
/** Candidates kept per cell; a denser cell is answered straight from Postgres instead. */
const MAX_CANDIDATES = 500;
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

const upcoming = (near: ListingFilter['near']): ListingFilter => ({
  viewerId: null, status: 'published', from: new Date(), to: null, category: null, tags: [], type: null, free: null,
  priceMinMinor: null, priceMaxMinor: null, q: null, near,
});

async function nearestFromPostgres(stores: Stores, near: NonNullable<ListingFilter['near']>, limit: number): Promise<NearbyCandidate[]> {
  const rows = await listEvents(stores.postgres, upcoming(near), { sort: 'distance', after: null, limit, recurring: null });
  return rows.map((row) => ({ item: withoutLink(eventDocument(row)), lat: row.lat!, lng: row.lng! }));
}

/**
 * Upcoming public events within `radiusMetres` of the point, nearest first, with their distance.
 * Cached by geo cell: the events within (radius bucket + half the cell's diagonal) of the cell's
 * centre are a superset of the answer for any point in the cell, so they are cached once per
 * cell and bucket, and each request measures and filters them from its own point. That keeps
 * the answer exact; a cell too dense to cache is answered from Postgres directly.
 */
export async function nearbyEvents(stores: Stores, point: { lat: number; lng: number }, radiusMetres: number, limit: number): Promise<EventListItem[]> {
  const cell = geohashCell(point.lat, point.lng);
  const bucket = RADIUS_BUCKETS.find((metres) => metres >= radiusMetres) ?? radiusMetres;
  const reach = bucket + haversineMetres(cell.center, cell.corner);
  const key = `nearby:v1:${await cacheGeneration(stores.redis, EVENT_LISTS)}:${cell.hash}:${bucket}`;

  let candidates = await stores.redis.run((r) => r.get<NearbyCandidate[] | 'dense'>(key));
  if (candidates === null || candidates === undefined) {
    const found = await nearestFromPostgres(stores, { ...cell.center, radiusMetres: reach }, MAX_CANDIDATES + 1);
    candidates = found.length > MAX_CANDIDATES ? 'dense' : found;
    await stores.redis.run((r) => r.set(key, candidates, { ex: NEARBY_TTL }));
  }
  if (candidates === 'dense') {
    return (await nearestFromPostgres(stores, { ...point, radiusMetres }, limit)).map(({ item }) => item);
  }
  return candidates
    .map((candidate) => ({ ...candidate.item, distanceMetres: haversineMetres(point, candidate) }))
    .filter((candidate) => candidate.distanceMetres <= radiusMetres)
    .sort((a, b) => a.distanceMetres - b.distanceMetres || (a.id < b.id ? -1 : 1))
    .slice(0, limit)
    .map((candidate) => ({ ...candidate, distanceMetres: Math.round(candidate.distanceMetres * 10) / 10 }));
}

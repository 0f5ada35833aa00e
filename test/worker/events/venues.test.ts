import { describe, expect, it } from 'vitest';
import type { VenueView } from '../../../workers/events/service/venues.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, clientAddress, login, registerAndLogin, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

interface VenuePage { items: VenueView[]; nextCursor: string | null }

const createVenue = (token: string, body: unknown) => callJson('/api/v1/venues', 'POST', body, bearer(token));
const putVenue = (token: string, id: string, body: unknown) => callJson(`/api/v1/venues/${id}`, 'PUT', body, bearer(token));
const created = async (token: string, body: Record<string, unknown>) => {
  const response = await createVenue(token, body);
  expect(response.status).toBe(201);
  return (await response.json()) as VenueView;
};
const listPage = async (query: string) => {
  const response = await call(`/api/v1/venues?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as VenuePage;
};
const venueCount = async (ownerId: string) => Number((await testStores().postgres.query<{ n: string }>('select count(*) as n from venues where owner_id = $1', [ownerId]))[0]!.n);

async function withPermission(user: TestUser, update: string): Promise<string> {
  await testStores().postgres.query(`update accounts set ${update} where id = $1`, [user.id]);
  return (await login(user.email, user.password, clientAddress())).accessToken; // claims are read at login
}

// A city of its own per test run, so listings only see this run's venues.
const uniqueCity = () => `Testville ${crypto.randomUUID().slice(0, 8)}`;

const fullVenue = (city: string) => ({
  name: 'Blue Note Milano',
  description: 'Jazz club',
  address: { line1: 'Via Borsieri 37', city, postalCode: '20159', countryCode: 'IT' },
  location: { lat: 45.4887, lng: 9.1885 },
  timezone: 'Europe/Rome',
  capacity: 300,
  amenities: ['wifi', 'bar', 'step-free', 'wifi'],
  pricing: { currency: 'EUR', hourlyMinor: 15000, depositMinor: 50000 },
  availability: { weekly: { TU: [['19:00', '24:00']], SA: [['12:00', '15:00'], ['19:00', '24:00']] }, closed: ['2026-12-25'] },
  websiteUrl: 'https://bluenote.example',
  phone: '+39 02 6901 6888',
});

describe('venues', () => {
  it('creates a venue owned by the caller and reads it back, pricing kept in the column\'s snake_case shape', async () => {
    const owner = await registerAndLogin();
    const city = uniqueCity();
    const venue = await created(owner.tokens.accessToken, fullVenue(city));
    expect(venue).toMatchObject({
      ownerId: owner.id, name: 'Blue Note Milano', capacity: 300, timezone: 'Europe/Rome',
      address: { line1: 'Via Borsieri 37', line2: null, city, postalCode: '20159', countryCode: 'IT' },
      location: { lat: 45.4887, lng: 9.1885 },
      amenities: ['wifi', 'bar', 'step-free'],
      pricing: { currency: 'EUR', hourlyMinor: 15000, depositMinor: 50000 },
      availability: { weekly: { TU: [['19:00', '24:00']] }, closed: ['2026-12-25'] },
    });
    const [row] = await testStores().postgres.query<{ pricing: unknown; owner_id: string }>('select pricing, owner_id from venues where id = $1', [venue.id]);
    expect(row).toEqual({ pricing: { currency: 'EUR', hourly_minor: 15000, deposit_minor: 50000 }, owner_id: owner.id });

    const fetched = await call(`/api/venues/${venue.id}`);
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual(venue);
  });

  it('lets the owner, a manage_venues holder and an admin change a venue; nobody else', async () => {
    const [owner, stranger, manager, admin] = await Promise.all([registerAndLogin(), registerAndLogin(), registerAndLogin(), registerAndLogin()]);
    const venue = await created(owner.tokens.accessToken, { name: 'Hall', capacity: 100 });

    await expectProblem(await putVenue(stranger.tokens.accessToken, venue.id, { name: 'Taken over' }), 403);
    await expectProblem(await callJson(`/api/v1/venues/${venue.id}`, 'PUT', { name: 'Anonymous' }), 401);
    await expectProblem(await createVenue('not-a-token', { name: 'x' }), 401);
    await expectProblem(await callJson('/api/v1/venues', 'POST', { name: 'x' }), 401);

    const updated = await putVenue(owner.tokens.accessToken, venue.id, { capacity: 120, address: { city: 'Turin' }, location: { lat: 45.07, lng: 7.68 } });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ name: 'Hall', capacity: 120, address: { city: 'Turin' }, location: { lat: 45.07, lng: 7.68 } });

    const managerToken = await withPermission(manager, "permissions = '{manage_venues}'");
    expect((await putVenue(managerToken, venue.id, { name: 'Hall B', pricing: null, location: null })).status).toBe(200);
    const adminToken = await withPermission(admin, "role = 'admin'");
    const byAdmin = await putVenue(adminToken, venue.id, { capacity: null });
    expect(byAdmin.status).toBe(200);
    expect(await byAdmin.json()).toMatchObject({ name: 'Hall B', capacity: null, pricing: null, location: null, ownerId: owner.id });

    await expectProblem(await putVenue(owner.tokens.accessToken, crypto.randomUUID(), { name: 'ghost' }), 404);
    await expectProblem(await call(`/api/v1/venues/${crypto.randomUUID()}`), 404);
    await expectProblem(await call('/api/v1/venues/not-a-uuid'), 400);
  });

  it('refuses hostile and malformed input with 400 and writes nothing', async () => {
    const owner = await registerAndLogin();
    const token = owner.tokens.accessToken;
    const venue = await created(token, { name: 'Safe', timezone: 'UTC' });
    const before = await venueCount(owner.id);
    const bad: Record<string, unknown>[] = [
      { name: '' },
      { name: 'x'.repeat(201) },
      { name: 'Mars', timezone: 'Mars/Base' },
      { name: 'Tz', timezone: 'EST' },
      { name: 'Geo', location: { lat: 91, lng: 0 } },
      { name: 'Geo', location: { lat: 0, lng: -180.5 } },
      { name: 'Geo', location: { lat: '45', lng: 9 } },
      { name: 'Geo', location: { lat: 1, lng: 2, alt: 3 } },
      { name: 'Many', amenities: Array.from({ length: 51 }, (_, index) => `a${index}`) },
      { name: 'Amenity', amenities: ['<script>'] },
      { name: 'Price', pricing: { currency: 'euro' } },
      { name: 'Price', pricing: { currency: 'EUR', hourlyMinor: -1 } },
      { name: 'Price', pricing: { currency: 'EUR', surprise: 1 } },
      { name: 'Hours', availability: { weekly: { XX: [['09:00', '10:00']] } } },
      { name: 'Hours', availability: { weekly: { MO: [['23:00', '09:00']] } } },
      { name: 'Hours', availability: { weekly: { MO: [['9am', '10pm']] } } },
      { name: 'Hours', availability: { closed: ['2026-02-30'] } },
      { name: 'Country', address: { countryCode: 'it' } },
      { name: 'Url', websiteUrl: 'javascript:alert(1)' },
      { name: 'Owner', ownerId: crypto.randomUUID() },
      { name: 'Cap', capacity: 0 },
    ];
    for (const body of bad) {
      const problem = await expectProblem(await createVenue(token, body), 400);
      expect(problem.code, JSON.stringify(body).slice(0, 100)).toBe('validation_failed');
      await expectProblem(await putVenue(token, venue.id, body), 400);
    }
    await expectProblem(await createVenue(token, JSON.parse('{"name":"Op","pricing":{"currency":"EUR","$where":"1"}}')), 400);
    await expectProblem(await putVenue(token, venue.id, {}), 400);
    expect(await venueCount(owner.id)).toBe(before);
    expect(await (await call(`/api/v1/venues/${venue.id}`)).json()).toMatchObject({ name: 'Safe', timezone: 'UTC', location: null });
  });

  it('filters by city, country, amenities and capacity, and pages through results by cursor', async () => {
    const owner = await registerAndLogin();
    const city = uniqueCity();
    const token = owner.tokens.accessToken;
    for (const [index, capacity] of [50, 150, 250, 350, 450].entries()) {
      await created(token, { name: `Venue ${index}`, capacity, address: { city, countryCode: index % 2 ? 'FR' : 'IT' }, amenities: index < 3 ? ['wifi', 'bar'] : ['bar'] });
    }
    const all = await listPage(`city=${encodeURIComponent(city.toUpperCase())}&limit=2`);
    expect(all.items.map((venue) => venue.name)).toEqual(['Venue 0', 'Venue 1']);
    const second = await listPage(`city=${encodeURIComponent(city)}&limit=2&cursor=${all.nextCursor}`);
    const third = await listPage(`city=${encodeURIComponent(city)}&limit=2&cursor=${second.nextCursor}`);
    expect([...second.items, ...third.items].map((venue) => venue.name)).toEqual(['Venue 2', 'Venue 3', 'Venue 4']);
    expect(third.nextCursor).toBeNull();

    const filtered = await listPage(`city=${encodeURIComponent(city)}&amenities=bar,wifi&minCapacity=100&country=IT`);
    expect(filtered.items.map((venue) => venue.name)).toEqual(['Venue 2']);

    for (const query of ['near=91,0', 'near=abc', 'radius=0&near=1,1', 'amenities=%3Cx%3E', 'limit=101', 'cursor=bm9wZQ', 'minCapacity=-1', 'sort=name']) {
      await expectProblem(await call(`/api/v1/venues?${query}`), 400);
    }
    // A cursor from a by-name listing does not resume a nearby one.
    await expectProblem(await call(`/api/v1/venues?near=45,9&cursor=${all.nextCursor}`), 400);
  });

  it('finds venues within a radius, nearest first, matching a haversine check', async () => {
    const owner = await registerAndLogin();
    const city = uniqueCity();
    // A remote corner of the ocean so other tests' venues are not nearby.
    const origin = { lat: -48.5, lng: -123.4 };
    const offsets = [0.001, 0.01, 0.02, 0.05, 0.08, 0.12, 0.3];
    for (const [index, offset] of offsets.entries()) {
      await created(owner.tokens.accessToken, { name: `Point ${index}`, address: { city }, location: { lat: origin.lat + offset, lng: origin.lng + offset / 2 } });
    }
    const radius = 10_000;
    const haversine = (lat: number, lng: number) => {
      const rad = Math.PI / 180;
      const a = Math.sin(((lat - origin.lat) * rad) / 2) ** 2 + Math.cos(origin.lat * rad) * Math.cos(lat * rad) * Math.sin(((lng - origin.lng) * rad) / 2) ** 2;
      return 2 * 6_371_008.8 * Math.asin(Math.sqrt(a));
    };
    const expected = offsets.map((offset, index) => ({ name: `Point ${index}`, distance: haversine(origin.lat + offset, origin.lng + offset / 2) }))
      .filter((point) => point.distance <= radius);
    expect(expected.length).toBeGreaterThan(2);
    expect(expected.length).toBeLessThan(offsets.length);

    const first = await listPage(`near=${origin.lat},${origin.lng}&radius=${radius}&limit=2`);
    const rest = await listPage(`near=${origin.lat},${origin.lng}&radius=${radius}&limit=100&cursor=${first.nextCursor}`);
    const found = [...first.items, ...rest.items];
    expect(found.map((venue) => venue.name)).toEqual(expected.map((point) => point.name));
    for (const [index, venue] of found.entries()) {
      // The spheroid and the sphere differ by well under 1 %.
      expect(Math.abs(venue.distanceMeters! - expected[index]!.distance) / expected[index]!.distance).toBeLessThan(0.01);
    }
    expect(rest.nextCursor).toBeNull();
  });
});

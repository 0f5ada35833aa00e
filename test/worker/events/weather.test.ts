import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { weatherCacheKey } from '../../../workers/events/service/weather.ts';
import { localDateAt, addDays } from '../../../workers/events/calendar/time-zone.ts';
import type { RecordedRequest } from '../../setup/fake-providers.ts';
import { FAKE_OPEN_METEO_DAY } from '../../setup/fake-providers.ts';
import { createEvent } from '../../support/events.ts';
import { call, expectProblem } from '../../support/http.ts';
import { clientAddress, registerAndLogin, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

const FAKE_URL = (env as unknown as { FAKE_PROVIDERS_URL: string }).FAKE_PROVIDERS_URL;
const DAY = 86_400_000;

let organizer: TestUser;
beforeAll(async () => {
  organizer = await registerAndLogin();
});

/** A point with two decimals that no other test uses, so its provider requests can be told apart. */
function freshPoint(): { lat: number; lng: number } {
  const twoDecimals = (span: number) => Number(((Math.random() * 2 - 1) * span).toFixed(2)) || 0.01;
  return { lat: twoDecimals(60), lng: twoDecimals(170) };
}

/** The query-string fragment the adapter sends for a point (used to match faults and requests). */
const pointQuery = (point: { lat: number; lng: number }) => `latitude=${point.lat}&longitude=${point.lng}&`;

async function providerRequestsFor(point: { lat: number; lng: number }): Promise<RecordedRequest[]> {
  const response = await fetch(`${FAKE_URL}/_fake/requests?provider=openmeteo`);
  expect(response.status).toBe(200);
  return ((await response.json()) as RecordedRequest[]).filter((request) => request.query.includes(pointQuery(point)));
}

async function fakeControl(path: string): Promise<void> {
  const response = await fetch(`${FAKE_URL}${path}`, { method: 'POST' });
  expect(response.status, path).toBe(204);
}

const getWeather = (eventId: string, query = '') => call(`/api/v1/events/${eventId}/weather${query}`, { headers: { 'cf-connecting-ip': clientAddress() } });

/**
 * 10:00 UTC (late morning in Rome) `daysAhead` days from today: a fixed time of day, so an event
 * of a few hours never runs past local midnight into another day, whenever the suite runs.
 */
function lateMorningDaysAhead(daysAhead: number): Date {
  const today = new Date();
  return new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + daysAhead, 10));
}

/** A published in-person event at `point`, starting `daysAhead` days from today (late morning, Rome). */
const eventAt = (point: { lat: number; lng: number }, daysAhead = 2, hours = 2) => {
  const startsAt = lateMorningDaysAhead(daysAhead);
  return createEvent(organizer, { location: point, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + hours * 3_600_000).toISOString() });
};

describe('GET /api/v1/events/{id}/weather', () => {
  it("returns the provider's forecast for the event's place and local day, then serves it from the cache", async () => {
    const point = freshPoint();
    const event = await eventAt(point);
    const day = localDateAt(Date.parse(event.startsAt), 'Europe/Rome');

    const first = await getWeather(event.id);
    expect(first.status).toBe(200);
    const body = await first.json();
    expect(body).toEqual({
      eventId: event.id,
      date: day,
      timezone: 'Europe/Rome',
      location: { latitude: point.lat, longitude: point.lng },
      forecast: {
        date: day,
        weatherCode: FAKE_OPEN_METEO_DAY.weather_code,
        summary: 'Slight rain',
        temperatureMinC: FAKE_OPEN_METEO_DAY.temperature_2m_min,
        temperatureMaxC: FAKE_OPEN_METEO_DAY.temperature_2m_max,
        precipitationProbabilityPercent: FAKE_OPEN_METEO_DAY.precipitation_probability_max,
        windSpeedMaxKmh: FAKE_OPEN_METEO_DAY.wind_speed_10m_max,
        source: 'open-meteo',
      },
    });

    const [request, ...more] = await providerRequestsFor(point);
    expect(more).toHaveLength(0);
    expect(request).toMatchObject({ method: 'GET', path: '/v1/forecast', status: 200 });
    const sent = new URLSearchParams(request!.query);
    expect(Object.fromEntries(sent)).toEqual({
      latitude: String(point.lat), longitude: String(point.lng),
      daily: 'weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max,wind_speed_10m_max',
      timezone: 'Europe/Rome', start_date: day, end_date: day, temperature_unit: 'celsius', wind_speed_unit: 'kmh',
    });

    const second = await getWeather(event.id);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual(body);
    expect(await providerRequestsFor(point)).toHaveLength(1);
  });

  it('shares one cached forecast between events in the same ~1 km cell on the same day', async () => {
    const point = freshPoint();
    const nearby = { lat: point.lat + 0.001, lng: point.lng - 0.001 };
    const [a, b] = [await eventAt(point), await eventAt(nearby)];
    expect((await getWeather(a.id)).status).toBe(200);
    const response = await getWeather(b.id);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { location: unknown }).location).toEqual({ latitude: nearby.lat, longitude: nearby.lng });
    expect(await providerRequestsFor(point)).toHaveLength(1);
  });

  it('forecasts another day of a multi-day event on request', async () => {
    const point = freshPoint();
    const event = await eventAt(point, 2, 50);
    const nextDay = addDays(localDateAt(Date.parse(event.startsAt), 'Europe/Rome'), 1);
    const response = await getWeather(event.id, `?date=${nextDay}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { forecast: { date: string } }).forecast.date).toBe(nextDay);
    const problem = await expectProblem(await getWeather(event.id, `?date=${addDays(nextDay, 5)}`), 422);
    expect(problem.detail).toContain('does not take place');
  });

  it('forecasts the days a recurring event runs, but not a cancelled occurrence', async () => {
    const point = freshPoint();
    const startsAt = lateMorningDaysAhead(1);
    const event = await createEvent(organizer, { location: point, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(), recurrence: { freq: 'daily', interval: 2, count: 4 } });
    const first = localDateAt(startsAt.getTime(), 'Europe/Rome');
    await testStores().postgres.query(
      `insert into event_occurrence_exceptions (event_id, original_starts_at, kind) values ($1, $2, 'cancelled')`,
      [event.id, new Date(startsAt.getTime() + 2 * DAY)],
    );
    expect((await getWeather(event.id, `?date=${addDays(first, 4)}`)).status).toBe(200);
    await expectProblem(await getWeather(event.id, `?date=${addDays(first, 1)}`), 422); // not a day of the rule
    await expectProblem(await getWeather(event.id, `?date=${addDays(first, 2)}`), 422); // cancelled
    const byDefault = await getWeather(event.id);
    expect(((await byDefault.json()) as { date: string }).date).toBe(first);
  });
});

describe('weather provider failures', () => {
  it('answers 503 without the provider\'s words when it fails, caches nothing, and recovers', async () => {
    const point = freshPoint();
    const event = await eventAt(point);
    await fakeControl(`/_fake/fail-next?provider=openmeteo&status=500&match=${encodeURIComponent(pointQuery(point))}`);

    const failed = await getWeather(event.id);
    const problem = await expectProblem(failed, 503);
    expect(problem.detail).toBe('Weather provider unavailable; try again shortly.');
    // Everything but the request's own id (a random UUID may contain "500").
    const { instance: _instance, ...told } = problem;
    expect(JSON.stringify(told)).not.toMatch(/fake|open-?meteo|500/i);
    expect(failed.headers.get('retry-after')).toMatch(/^\d+$/);
    const key = weatherCacheKey(point.lat, point.lng, 'Europe/Rome', localDateAt(Date.parse(event.startsAt), 'Europe/Rome'));
    expect(await testStores().redis.run((redis) => redis.get(key))).toBeNull();

    expect((await getWeather(event.id)).status).toBe(200);
    expect(await providerRequestsFor(point)).toHaveLength(2);
    expect(await testStores().redis.run((redis) => redis.get(key))).not.toBeNull();
  });

  it('asks the provider once when many readers miss the same forecast at the same time', async () => {
    const point = freshPoint();
    const event = await eventAt(point);
    // A slow answer (within the 1 s timeout), so all the readers miss while the first call runs.
    await fakeControl(`/_fake/delay-next?provider=openmeteo&ms=400&match=${encodeURIComponent(pointQuery(point))}`);
    const responses = await Promise.all(Array.from({ length: 8 }, () => getWeather(event.id)));
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
    const bodies = await Promise.all(responses.map((response) => response.json()));
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(await providerRequestsFor(point)).toHaveLength(1);
  });

  it('answers 503 when the provider is slower than its timeout, and caches nothing', async () => {
    const point = freshPoint();
    const event = await eventAt(point);
    // The test bindings give the provider 1 s.
    await fakeControl(`/_fake/delay-next?provider=openmeteo&ms=3000&match=${encodeURIComponent(pointQuery(point))}`);
    await expectProblem(await getWeather(event.id), 503);
    expect((await getWeather(event.id)).status).toBe(200);
    expect(await providerRequestsFor(point)).toHaveLength(2);
  });
});

describe('days and events without a forecast', () => {
  it('says "no forecast yet" for a day beyond the 16-day horizon without asking the provider', async () => {
    const point = freshPoint();
    const event = await eventAt(point, 30);
    const problem = await expectProblem(await getWeather(event.id), 422);
    expect(problem.detail).toMatch(/^No forecast yet/);
    const day = localDateAt(Date.parse(event.startsAt), 'Europe/Rome');
    expect(problem.availableFrom).toBe(addDays(day, -15));
    expect(await providerRequestsFor(point)).toHaveLength(0);
  });

  it('has no place to forecast for an online-only event', async () => {
    const event = await createEvent(organizer, { type: 'virtual', virtualProvider: 'zoom', virtualUrl: 'https://zoom.example.com/j/1' });
    await expectProblem(await getWeather(event.id), 422);
  });

  it('does not show drafts, private events or unknown ids (404)', async () => {
    const draft = await createEvent(organizer, { status: 'draft', location: freshPoint() });
    const secret = await createEvent(organizer, { visibility: 'private', location: freshPoint() });
    await expectProblem(await getWeather(draft.id), 404);
    await expectProblem(await getWeather(secret.id), 404);
    await expectProblem(await getWeather(crypto.randomUUID()), 404);
  });

  it('refuses malformed input with 400 problems', async () => {
    const event = await eventAt(freshPoint());
    await expectProblem(await getWeather('not-a-uuid'), 400);
    await expectProblem(await getWeather(event.id, '?date=2026-13-45'), 400);
    await expectProblem(await getWeather(event.id, '?date=tomorrow'), 400);
    await expectProblem(await getWeather(event.id, '?date[$ne]=1'), 400);
    await expectProblem(await getWeather(event.id, '?units=imperial'), 400);
  });
});

import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { readThroughShared } from '../../../shared/cache.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import { addDays, knownZoneOr, localDateAt, startOfLocalDay } from '../calendar/time-zone.ts';
import { expandOccurrences } from '../recurrence/expand.ts';
import { occurrenceExceptionsRepo } from '../repo/occurrence-exceptions.ts';
import type { EventDocument } from '../schemas.ts';
import { WeatherProviderError, type DailyForecast, type ForecastQuery, type WeatherProvider } from '../weather/index.ts';
import { getEventForViewer } from './events.ts';

/** Forecasts change a few times a day; two hours keeps them fresh and the provider unbothered. */
export const WEATHER_CACHE_TTL_SECONDS = 2 * 60 * 60;
/** Two decimals is about 1 km: every event in that cell shares one cached forecast per day. */
const CELL_DECIMALS = 2;
const RETRY_AFTER_SECONDS = 30;
const FAR_FUTURE = new Date('9999-12-31T00:00:00Z');

export interface WeatherDeps {
  stores: Stores;
  provider: WeatherProvider;
  /** Longest wait for the provider. */
  timeoutMs: number;
  /** When the request's time is up (epoch ms). */
  deadline: number;
  now?: number;
}

export interface EventWeather {
  eventId: string;
  date: string;
  timezone: string;
  location: { latitude: number; longitude: number };
  forecast: DailyForecast;
}

/** Cache key of a forecast: the rounded point, the zone the day is counted in, and the day. */
export function weatherCacheKey(latitude: number, longitude: number, timezone: string, date: string): string {
  return `weather:v1:${latitude.toFixed(CELL_DECIMALS)}:${longitude.toFixed(CELL_DECIMALS)}:${timezone}:${date}`;
}

/**
 * The forecast for the place of an event `viewer` may see, on `requestedDate` (a local day it
 * runs), or by default on the day of its next occurrence. Served from Redis when a request asked
 * for the same cell and day in the last two hours; otherwise asked of the provider, and cached
 * only on success.
 */
export async function eventWeather(deps: WeatherDeps, eventId: string, viewer: AuthContext | null, requestedDate?: string): Promise<EventWeather> {
  const event = await getEventForViewer(deps.stores, eventId, viewer);
  if (event.status === 'cancelled') throw new AppError('unprocessable', 'This event is cancelled.');
  if (event.type === 'virtual' || !event.location) throw new AppError('unprocessable', 'This event takes place online: there is no place to forecast.');
  const timezone = knownZoneOr(event.timezone);
  const now = deps.now ?? Date.now();
  const date = requestedDate ?? (await nextDayOf(deps.stores, event, timezone, now));
  if (requestedDate !== undefined && !(await runsOn(deps.stores, event, timezone, requestedDate))) {
    throw new AppError('unprocessable', `The event does not take place on ${requestedDate}.`);
  }
  assertForecastable(date, localDateAt(now, timezone), deps.provider.forecastDays);

  const latitude = Number(event.location.lat.toFixed(CELL_DECIMALS));
  const longitude = Number(event.location.lng.toFixed(CELL_DECIMALS));
  const key = weatherCacheKey(latitude, longitude, timezone, date);
  // askProvider throws rather than answering null, so a failure is never cached. Readers arriving
  // together (a popular event's page) share one provider call: the others wait for its answer as
  // long as the provider may take, when the request has time for that and a call of its own.
  const shared = { claimMs: deps.timeoutMs + 1_000, waitMs: Math.max(0, Math.min(deps.timeoutMs, deps.deadline - Date.now() - deps.timeoutMs)), pollMs: 100 };
  const forecast = (await readThroughShared(deps.stores.redis, key, WEATHER_CACHE_TTL_SECONDS, () => askProvider(deps, { latitude, longitude, timezone, date }), shared))!;
  return { eventId: event.id, date, timezone, location: { latitude: event.location.lat, longitude: event.location.lng }, forecast };
}

async function occurrencesBetween(stores: Stores, event: EventDocument, timezone: string, from: Date, to: Date, limit: number) {
  const exceptions = event.recurrence ? (await occurrenceExceptionsRepo.listFor(stores.postgres, [event.id])).get(event.id) : undefined;
  return expandOccurrences({
    startsAt: new Date(event.startsAt), endsAt: new Date(event.endsAt), timezone, rule: event.recurrence, exceptions, from, to, limit,
  });
}

/** The local day of the next occurrence not yet over (today if one is under way), else the first day. */
async function nextDayOf(stores: Stores, event: EventDocument, timezone: string, now: number): Promise<string> {
  const [next] = await occurrencesBetween(stores, event, timezone, new Date(now), FAR_FUTURE, 1);
  return localDateAt(next ? Math.max(next.startsAt.getTime(), now) : Date.parse(event.startsAt), timezone);
}

async function runsOn(stores: Stores, event: EventDocument, timezone: string, date: string): Promise<boolean> {
  const from = new Date(startOfLocalDay(date, timezone));
  const to = new Date(startOfLocalDay(addDays(date, 1), timezone));
  return (await occurrencesBetween(stores, event, timezone, from, to, 1)).length > 0;
}

function assertForecastable(date: string, today: string, forecastDays: number): void {
  if (date < today) throw new AppError('unprocessable', `${date} has passed: forecasts are for today and later.`);
  const lastForecastDay = addDays(today, forecastDays - 1);
  if (date > lastForecastDay) {
    throw new AppError('unprocessable', `No forecast yet: forecasts reach ${forecastDays} days ahead (up to ${lastForecastDay}).`, {
      extensions: { availableFrom: addDays(date, -(forecastDays - 1)) },
    });
  }
}

async function askProvider(deps: WeatherDeps, query: ForecastQuery): Promise<DailyForecast> {
  const remainingMs = deps.deadline - Date.now();
  if (remainingMs <= 0) throw new AppError('timeout', 'The request ran out of time.');
  try {
    return await deps.provider.dailyForecast(query, AbortSignal.timeout(Math.min(deps.timeoutMs, remainingMs)));
  } catch (error) {
    if (!(error instanceof WeatherProviderError)) throw error;
    // Cut short by the request's own deadline rather than the provider's timeout: the request is out of time.
    if (remainingMs < deps.timeoutMs && Date.now() >= deps.deadline) throw new AppError('timeout', 'The request ran out of time waiting for the weather provider.', { cause: error });
    throw new AppError('store_unavailable', 'Weather provider unavailable; try again shortly.', {
      extensions: { provider: 'weather' },
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      cause: error,
    });
  }
}

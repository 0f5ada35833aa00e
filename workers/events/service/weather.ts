import { readThrough } from '../../../shared/cache.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Postgres, RedisStore } from '../../../shared/stores/index.ts';
import { addDays, knownZoneOr, localDateAt } from '../calendar/time-zone.ts';
import { eventPlaceRepo, type EventPlaceRow } from '../weather/event-place.ts';
import { WeatherProviderError, type DailyForecast, type WeatherProvider } from '../weather/index.ts';

/** Forecasts change a few times a day; two hours keeps them fresh and the provider unbothered. */
export const WEATHER_CACHE_TTL_SECONDS = 2 * 60 * 60;
/** Two decimals is about 1 km: every event in that cell shares one cached forecast per day. */
const CELL_DECIMALS = 2;
const RETRY_AFTER_SECONDS = 30;

export interface WeatherDeps {
  postgres: Pick<Postgres, 'query'>;
  redis: RedisStore;
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
 * The forecast for an event's place on its day (or on `requestedDate`, a day the event runs).
 * Served from Redis when another request asked for the same cell and day in the last two hours;
 * otherwise asked of the provider, and cached only when the provider answered.
 */
export async function eventWeather(deps: WeatherDeps, eventId: string, requestedDate?: string): Promise<EventWeather> {
  const event = await eventPlaceRepo.findPublic(deps.postgres, eventId);
  if (!event) throw new AppError('not_found', 'No such event.');
  if (event.type === 'virtual' || event.latitude === null || event.longitude === null) {
    throw new AppError('unprocessable', 'This event takes place online: there is no place to forecast.');
  }
  const timezone = knownZoneOr(event.timezone);
  const date = requestedDate ?? localDateAt(event.starts_at.getTime(), timezone);
  assertEventRunsOn(event, timezone, date);
  assertForecastable(date, localDateAt(deps.now ?? Date.now(), timezone), deps.provider.forecastDays);

  const latitude = Number(event.latitude.toFixed(CELL_DECIMALS));
  const longitude = Number(event.longitude.toFixed(CELL_DECIMALS));
  const key = weatherCacheKey(latitude, longitude, timezone, date);
  // askProvider throws rather than answering null, so a failure is never cached.
  const forecast = (await readThrough(deps.redis, key, WEATHER_CACHE_TTL_SECONDS, () => askProvider(deps, { latitude, longitude, timezone, date })))!;
  return { eventId: event.id, date, timezone, location: { latitude: event.latitude, longitude: event.longitude }, forecast };
}

function assertEventRunsOn(event: EventPlaceRow, timezone: string, date: string): void {
  const first = localDateAt(event.starts_at.getTime(), timezone);
  // A recurring event runs on days from its first one up to its rule's end; a one-off event on
  // the days it spans. Which days a rule actually hits is the recurrence expansion's business.
  const last = event.recurrence
    ? (event.recurrence.until?.slice(0, 10) ?? '9999-12-31')
    : localDateAt(event.ends_at.getTime() - 1, timezone);
  if (date < first || date > last) throw new AppError('unprocessable', `The event does not run on ${date}.`, { extensions: { firstDay: first, lastDay: last } });
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

async function askProvider(deps: WeatherDeps, query: Parameters<WeatherProvider['dailyForecast']>[0]): Promise<DailyForecast> {
  const remainingMs = deps.deadline - Date.now();
  if (remainingMs <= 0) throw new AppError('timeout', 'The request ran out of time.');
  const boundByDeadline = remainingMs < deps.timeoutMs;
  try {
    return await deps.provider.dailyForecast(query, AbortSignal.timeout(Math.min(deps.timeoutMs, remainingMs)));
  } catch (error) {
    if (!(error instanceof WeatherProviderError)) throw error;
    if (boundByDeadline && Date.now() >= deps.deadline) throw new AppError('timeout', 'The request ran out of time waiting for the weather provider.', { cause: error });
    throw new AppError('store_unavailable', 'Weather provider unavailable; try again shortly.', {
      extensions: { provider: 'weather' },
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      cause: error,
    });
  }
}

import { z } from 'zod';
import { describeWeatherCode } from './wmo-codes.ts';
import { WeatherProviderError, type DailyForecast, type ForecastQuery, type WeatherProvider } from './port.ts';

/** Open-Meteo forecasts today and the next 15 days at most. */
const FORECAST_DAYS = 16;
const DAILY_VARIABLES = ['weather_code', 'temperature_2m_max', 'temperature_2m_min', 'precipitation_probability_max', 'wind_speed_10m_max'] as const;

const series = z.array(z.number().nullable());
const forecastAnswer = z.object({
  daily: z.object({
    time: z.array(z.string()),
    weather_code: series,
    temperature_2m_max: series,
    temperature_2m_min: series,
    precipitation_probability_max: series,
    wind_speed_10m_max: series,
  }),
});

export interface OpenMeteoSettings {
  /** https://api.open-meteo.com in production; the local fake server in tests. */
  baseUrl: string;
}

/** The forecast URL: one day, daily variables, in the place's own time zone, metric units. */
export function openMeteoForecastUrl(baseUrl: string, query: ForecastQuery): string {
  const params = new URLSearchParams({
    latitude: String(query.latitude),
    longitude: String(query.longitude),
    daily: DAILY_VARIABLES.join(','),
    timezone: query.timezone,
    start_date: query.date,
    end_date: query.date,
    temperature_unit: 'celsius',
    wind_speed_unit: 'kmh',
  });
  return `${baseUrl.replace(/\/$/, '')}/v1/forecast?${params}`;
}

/** Daily forecasts from Open-Meteo's public forecast API (no key needed). */
export function openMeteoProvider(settings: OpenMeteoSettings): WeatherProvider {
  return {
    forecastDays: FORECAST_DAYS,
    async dailyForecast(query, signal) {
      let response: Response;
      try {
        response = await fetch(openMeteoForecastUrl(settings.baseUrl, query), { headers: { accept: 'application/json' }, signal });
      } catch (error) {
        throw new WeatherProviderError('Open-Meteo could not be reached', { cause: error });
      }
      if (!response.ok) {
        // The reason is kept for the logs; clients only ever hear that the provider is unavailable.
        throw new WeatherProviderError(`Open-Meteo answered ${response.status}: ${(await response.text().catch(() => '')).slice(0, 200)}`);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch (error) {
        throw new WeatherProviderError('Open-Meteo answered something that is not JSON', { cause: error });
      }
      return dayOf(forecastAnswer.safeParse(body), query.date);
    },
  };
}

function dayOf(parsed: z.ZodSafeParseResult<z.infer<typeof forecastAnswer>>, date: string): DailyForecast {
  if (!parsed.success) throw new WeatherProviderError('Open-Meteo answered without the daily series asked for', { cause: parsed.error });
  const { daily } = parsed.data;
  const index = daily.time.indexOf(date);
  if (index < 0) throw new WeatherProviderError(`Open-Meteo answered without the day ${date}`);
  const at = (values: (number | null)[]) => values[index] ?? null;
  const weatherCode = at(daily.weather_code);
  return {
    date,
    weatherCode,
    summary: describeWeatherCode(weatherCode),
    temperatureMinC: at(daily.temperature_2m_min),
    temperatureMaxC: at(daily.temperature_2m_max),
    precipitationProbabilityPercent: at(daily.precipitation_probability_max),
    windSpeedMaxKmh: at(daily.wind_speed_10m_max),
    source: 'open-meteo',
  };
}

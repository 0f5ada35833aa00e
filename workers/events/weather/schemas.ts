import { z } from '@hono/zod-openapi';

const isoDate = z.iso.date().openapi({ example: '2026-06-21' });

export const weatherQuery = z.strictObject({
  date: isoDate.optional().openapi({ description: "A day the event runs, in the event's time zone; default its first day" }),
}).openapi('EventWeatherQuery');

const nullableNumber = z.number().nullable();

export const dailyForecastSchema = z.object({
  date: z.string(),
  weatherCode: z.number().int().nullable().openapi({ description: 'WMO weather interpretation code' }),
  summary: z.string().nullable().openapi({ example: 'Slight rain' }),
  temperatureMinC: nullableNumber,
  temperatureMaxC: nullableNumber,
  precipitationProbabilityPercent: nullableNumber,
  windSpeedMaxKmh: nullableNumber,
  source: z.string().openapi({ example: 'open-meteo' }),
}).openapi('DailyForecast');

export const eventWeatherSchema = z.object({
  eventId: z.uuid(),
  date: z.string(),
  timezone: z.string(),
  location: z.object({ latitude: z.number(), longitude: z.number() }),
  forecast: dailyForecastSchema,
}).openapi('EventWeather');

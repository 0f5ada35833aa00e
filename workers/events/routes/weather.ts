import { createRoute } from '@hono/zod-openapi';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonContent, problemResponses } from '../../../shared/validation.ts';
import { eventWeather } from '../service/weather.ts';
import { maybeAuthed } from './events.ts';
import { createWeatherProvider } from '../weather/index.ts';
import { idParam } from '../schemas.ts';
import { eventWeatherSchema, weatherQuery } from '../weather/schemas.ts';

const forecast = createRoute({
  method: 'get', path: '/events/{id}/weather', tags: ['events'], ...maybeAuthed,
  summary: "Weather forecast for the event's place on the day of its next occurrence, or on ?date= (in-person and hybrid events you may see)",
  description: 'Daily forecast (WMO code, min/max °C, precipitation chance, wind) from the weather provider, cached for two hours per ~1 km cell and day. '
    + 'Days more than 16 days ahead have no forecast yet (422, with availableFrom); online-only events have no place (422).',
  request: { params: idParam, query: weatherQuery },
  responses: {
    200: { description: 'The forecast', ...jsonContent(eventWeatherSchema) },
    ...problemResponses(400, 401, 404, 422, 503),
  },
});

/** GET /api/v1/events/{id}/weather */
export const weatherRoutes = createServiceApp().openapi(forecast, async (c) => {
  const config = c.get('config');
  const weather = await eventWeather(
    { stores: c.get('stores'), provider: createWeatherProvider(config), timeoutMs: config.WEATHER_TIMEOUT_MS, deadline: c.get('deadline') },
    c.req.valid('param').id,
    c.get('auth') ?? null,
    c.req.valid('query').date,
  );
  return c.json(weather, 200);
});

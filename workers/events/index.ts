import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../shared/http/app-env.ts';
import { eventRoutes } from './routes/events.ts';
import { venueRoutes } from './routes/venues.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { weatherRoutes } from './routes/weather.ts';

/**
 * Mounts the event service under /api/v1: events (listing, nearby, featured, CRUD), venues,
 * categories and tags, ticketing (tiers, attendance, waitlist, check-in), engagement (likes,
 * comments, shares, analytics), recurrence, weather and calendar feeds.
 * Order matters where paths overlap: more specific routes are mounted before /events/{id}.
 */
export function mountEvents(app: OpenAPIHono<AppEnv>): void {
  void app;
  app.route('/api/v1/venues', venueRoutes);
  app.route('/api/v1', catalogRoutes);
  app.route('/api/v1', weatherRoutes);
  // Last: /events/{id} must not shadow the more specific /events/... routes mounted above.
  app.route('/api/v1/events', eventRoutes);
}

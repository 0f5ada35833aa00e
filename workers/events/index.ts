import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../shared/http/app-env.ts';
import { eventRoutes } from './routes/events.ts';
import { venueRoutes } from './routes/venues.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { engagementRoutes } from './routes/engagement.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { calendarRoutes } from './routes/calendar.ts';
import { weatherRoutes } from './routes/weather.ts';
import { occurrenceRoutes } from './routes/occurrences.ts';
import { attendanceRoutes } from './routes/attendance.ts';
import { checkInRoutes } from './routes/check-in.ts';
import { tierRoutes } from './routes/tiers.ts';
import { waitlistRoutes } from './routes/waitlist.ts';
import { invitationRoutes } from './routes/invitations.ts';

/**
 * Mounts the event service under /api/v1: events (listing, nearby, featured, CRUD), venues,
 * categories and tags, ticketing (tiers, attendance, waitlist, check-in), invitations, engagement
 * (likes, comments, shares, analytics), recurrence, weather and calendar feeds.
 * Order matters where paths overlap: more specific routes are mounted before /events/{id}.
 */
export function mountEvents(app: OpenAPIHono<AppEnv>): void {
  void app;
  app.route('/api/v1/venues', venueRoutes);
  app.route('/api/v1', catalogRoutes);
  app.route('/api/v1/events', engagementRoutes);
  app.route('/api/v1/events', analyticsRoutes);
  app.route('/api/v1', weatherRoutes);
  // Before /events/{id}: /events/{id}.ics would otherwise be read as an event id.
  app.route('/api/v1', calendarRoutes);
  app.route('/api/v1', tierRoutes);
  app.route('/api/v1', attendanceRoutes);
  app.route('/api/v1', waitlistRoutes);
  app.route('/api/v1', checkInRoutes);
  app.route('/api/v1', occurrenceRoutes);
  app.route('/api/v1/events', invitationRoutes);
  // Last: /events/{id} must not shadow the more specific /events/... routes mounted above.
  app.route('/api/v1/events', eventRoutes);
}

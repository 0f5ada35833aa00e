import { createRoute, z } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonContent, problemResponses } from '../../../shared/validation.ts';
import { eventAnalytics } from '../service/analytics.ts';
import { idParam, shareChannels } from '../venue-schemas.ts';

const analyticsSchema = z.object({
  eventId: z.uuid(),
  views: z.number().int().openapi({ description: 'Including views not yet flushed to the database' }),
  registrations: z.number().int().openapi({ description: 'Active registrations (confirmed or checked in)' }),
  checkins: z.number().int(),
  checkinRate: z.number().openapi({ description: 'checkins / registrations, 0 without registrations' }),
  seats: z.object({ sold: z.number().int(), held: z.number().int().openapi({ description: 'Held by open waitlist offers' }), capacity: z.number().int().nullable() }),
  likes: z.number().int(),
  comments: z.number().int(),
  shares: z.number().int(),
  sharesByChannel: z.partialRecord(z.enum(shareChannels), z.number().int()).openapi({ description: 'Counted shares by the channel they went through (channels without shares are left out)' }),
  waitlist: z.object({ waiting: z.number().int(), offered: z.number().int(), total: z.number().int() }),
}).openapi('EventAnalytics');

const analytics = createRoute({
  method: 'get', path: '/{id}/analytics', tags: ['engagement'], ...authed,
  summary: 'An event\'s numbers: views, registrations, check-in rate, seats, likes, comments, shares, waitlist (organizer or view_analytics)',
  request: { params: idParam },
  responses: { 200: { description: 'The numbers', ...jsonContent(analyticsSchema) }, ...problemResponses(400, 401, 403, 404) },
});

/** Organizer analytics: /api/v1/events/{id}/analytics. */
export const analyticsRoutes = createServiceApp()
  .openapi(analytics, async (c) => c.json(await eventAnalytics(c.get('stores'), currentUser(c), c.req.valid('param').id), 200));

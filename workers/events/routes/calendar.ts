import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import type { AppEnv } from '../../../shared/http/app-env.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonContent, problemResponses } from '../../../shared/validation.ts';
import { ICS_CONTENT_TYPE } from '../calendar/document.ts';
import type { EntryContext } from '../calendar/event-entry.ts';
import { idParam } from '../schemas.ts';
import { eventCalendar, feedCalendar, revokeCalendarFeed, rotateCalendarFeed } from '../service/calendar-feeds.ts';

const calendarBody = { content: { 'text/calendar': { schema: z.string().openapi({ description: 'RFC 5545 iCalendar object' }) } } };

const feedSchema = z.object({
  url: z.url().openapi({ description: 'Secret: anyone holding it can read the feed. Shown only now.' }),
  webcalUrl: z.string(),
  createdAt: z.string(),
}).openapi('CalendarFeed');

// Hono would read "{id}.ics" as one parameter named "id.ics" matching any segment, so the routes
// are served on paths that spell the suffix as a pattern, and documented with the readable path.
const uuidDotIcs = z.string().regex(/^[0-9a-f-]{36}\.ics$/i, 'an event id followed by .ics').transform((file) => file.slice(0, -4)).pipe(z.uuid());
const tokenDotIcs = z.string().regex(/^[A-Za-z0-9_-]{43}\.ics$/, 'a feed token followed by .ics').transform((file) => file.slice(0, -4));

const documented = {
  eventIcs: createRoute({
    method: 'get', path: '/events/{id}.ics', tags: ['events'],
    summary: 'The event as an iCalendar file (public events; no virtual link)',
    request: { params: idParam },
    responses: { 200: { description: 'text/calendar', ...calendarBody }, ...problemResponses(400, 404) },
  }),
  feedIcs: createRoute({
    method: 'get', path: '/calendar/{token}.ics', tags: ['events'],
    summary: 'A private calendar feed: events its owner organizes or attends (the token in the URL is the credential)',
    request: { params: z.object({ token: z.string().openapi({ param: { name: 'token', in: 'path' } }) }) },
    responses: { 200: { description: 'text/calendar', ...calendarBody }, ...problemResponses(400, 404) },
  }),
};

const routes = {
  eventIcs: { ...documented.eventIcs, hide: true, path: '/events/:id{[^/]+\\.ics}', request: { params: z.strictObject({ id: uuidDotIcs }) } },
  feedIcs: { ...documented.feedIcs, hide: true, path: '/calendar/:token{[^/]+\\.ics}', request: { params: z.strictObject({ token: tokenDotIcs }) } },
  rotate: createRoute({
    method: 'post', path: '/calendar/feed', tags: ['events'], ...authed,
    summary: 'Create your private calendar feed URL, or replace it (the old URL stops working)',
    responses: { 201: { description: 'The new feed URL', ...jsonContent(feedSchema) }, ...problemResponses(401) },
  }),
  revoke: createRoute({
    method: 'delete', path: '/calendar/feed', tags: ['events'], ...authed,
    summary: 'Revoke your private calendar feed URL',
    responses: { 204: { description: 'Revoked' }, ...problemResponses(401, 404) },
  }),
};

const entryContext = (c: Context<AppEnv>): EntryContext => ({ appUrl: c.get('config').APP_URL, nowMs: Date.now() });

/** iCalendar for one event and per-user secret feeds: /api/v1/events/{id}.ics, /api/v1/calendar/... */
export const calendarRoutes = createServiceApp()
  .openapi(routes.eventIcs, async (c) => {
    const { id } = c.req.valid('param');
    const body = await eventCalendar(c.get('stores'), id, entryContext(c));
    return c.body(body, 200, { 'content-type': ICS_CONTENT_TYPE, 'content-disposition': `attachment; filename="event-${id}.ics"`, 'cache-control': 'public, max-age=300' });
  })
  .openapi(routes.feedIcs, async (c) => {
    const body = await feedCalendar(c.get('stores'), c.req.valid('param').token, entryContext(c));
    // Private: the feed is one person's schedule, and its URL is a secret no shared cache may keep.
    return c.body(body, 200, { 'content-type': ICS_CONTENT_TYPE, 'cache-control': 'private, max-age=300' });
  })
  .openapi(routes.rotate, async (c) => {
    const feed = await rotateCalendarFeed(c.get('stores').postgres, currentUser(c), new URL(c.req.url).origin);
    return c.json(feed, 201, { 'cache-control': 'no-store' });
  })
  .openapi(routes.revoke, async (c) => {
    await revokeCalendarFeed(c.get('stores').postgres, currentUser(c));
    return c.body(null, 204);
  });

calendarRoutes.openAPIRegistry.registerPath(documented.eventIcs);
calendarRoutes.openAPIRegistry.registerPath(documented.feedIcs);

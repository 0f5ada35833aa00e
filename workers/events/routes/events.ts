import { createRoute } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { authed, currentUser, requireAuth } from '../../../shared/auth/middleware.ts';
import { relayOutboxAfterResponse } from '../../../shared/bus/outbox.ts';
import { AppError } from '../../../shared/errors.ts';
import type { AppEnv } from '../../../shared/http/app-env.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { cancelEventBody, createEventBody, eventListSchema, eventPageSchema, eventSchema, featuredQuery, idParam, listEventsQuery, nearbyQuery, updateEventBody } from '../schemas.ts';
import { cancelEvent, createEvent, updateEvent, viewEvent } from '../service/events.ts';
import { featuredEvents } from '../service/featured.ts';
import { nearbyEvents } from '../service/listing-nearby.ts';
import { listEventPage } from '../service/listing.ts';
import { eventsDeps } from '../service/context.ts';

// Authenticates when a token is sent (a bad one is still a 401); anonymous callers pass.
const optionalAuth = createMiddleware<AppEnv>((c, next) => (c.req.header('authorization') ? requireAuth(c, next) : next()));
/** Route options for an endpoint open to anyone that also accepts a token (optionalAuth). */
export const maybeAuthed = { security: [{}, { bearer: [] }] as Record<string, string[]>[], middleware: optionalAuth };

const eventResponse = (description: string) => ({ description, ...jsonContent(eventSchema) });

const routes = {
  list: createRoute({
    method: 'get', path: '/', tags: ['events'], summary: 'Search and list events (filters, sort, cursor pages, sparse fields)', ...maybeAuthed,
    request: { query: listEventsQuery },
    responses: { 200: { description: 'A page of events', ...jsonContent(eventPageSchema) }, ...problemResponses(400, 401) },
  }),
  nearby: createRoute({
    method: 'get', path: '/nearby', tags: ['events'], summary: 'Upcoming public events near a point, nearest first',
    request: { query: nearbyQuery },
    responses: { 200: { description: 'Events with their distance', ...jsonContent(eventListSchema) }, ...problemResponses(400) },
  }),
  featured: createRoute({
    method: 'get', path: '/featured', tags: ['events'], summary: 'Upcoming public events ranked by the quality score (see README)',
    request: { query: featuredQuery },
    responses: { 200: { description: 'Events with their score', ...jsonContent(eventListSchema) }, ...problemResponses(400) },
  }),
  create: createRoute({
    method: 'post', path: '/', tags: ['events'], summary: 'Create an event (a draft, or published at once)', ...authed,
    request: { body: jsonBody(createEventBody) },
    responses: { 201: eventResponse('The new event'), ...problemResponses(400, 401) },
  }),
  get: createRoute({
    method: 'get', path: '/{id}', tags: ['events'], summary: 'An event (virtual link only for the organizer and attendees)', ...maybeAuthed,
    request: { params: idParam },
    responses: { 200: eventResponse('The event'), ...problemResponses(400, 401, 404) },
  }),
  update: createRoute({
    method: 'put', path: '/{id}', tags: ['events'], summary: 'Change or publish an event (organizer or edit_event); If-Match or body version guards against lost updates', ...authed,
    request: { params: idParam, body: jsonBody(updateEventBody) },
    responses: { 200: eventResponse('The changed event'), ...problemResponses(400, 401, 403, 404, 409, 412) },
  }),
  cancel: createRoute({
    method: 'delete', path: '/{id}', tags: ['events'], summary: 'Cancel an event (organizer or edit_event); attendees are told', ...authed,
    request: { params: idParam, body: { ...jsonContent(cancelEventBody), required: false } },
    responses: { 200: eventResponse('The cancelled event'), ...problemResponses(400, 401, 403, 404, 409) },
  }),
};

/** The version an If-Match header names ("3", W/"3" or 3), or null without the header. */
function ifMatchVersion(header: string | undefined): number | null {
  if (header === undefined) return null;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw new AppError('validation_failed', 'If-Match must name the event version you read, e.g. "3".', { extensions: { errors: [{ in: 'header', path: 'if-match', message: 'Expected a version such as "3"' }] } });
  return Number(match[1]);
}

const etag = (version: number) => ({ ETag: `"${version}"` });

/** Events: list, nearby, featured, create, read (per-viewer link visibility), update with optimistic concurrency, cancel. */
export const eventRoutes = createServiceApp()
  .openapi(routes.list, async (c) => c.json(await listEventPage(c.get('stores'), c.req.valid('query'), c.get('auth')?.userId ?? null), 200))
  // Before /{id}, which would otherwise take "nearby" and "featured" for ids.
  .openapi(routes.nearby, async (c) => {
    const { lat, lng, radius, limit } = c.req.valid('query');
    const defer = (work: Promise<unknown>) => c.executionCtx.waitUntil(work.catch((error: unknown) => c.get('log').warn('nearby cache not written', { error: String(error) })));
    return c.json({ items: await nearbyEvents(c.get('stores'), { lat, lng }, radius ?? 10_000, limit, defer) }, 200);
  })
  .openapi(routes.featured, async (c) => c.json({ items: await featuredEvents(c.get('stores'), c.req.valid('query').limit) }, 200))
  .openapi(routes.create, async (c) => {
    const event = await createEvent(eventsDeps(c), currentUser(c), c.req.valid('json'));
    relayOutboxAfterResponse(c);
    return c.json(event, 201, { Location: `/api/v1/events/${event.id}`, ...etag(event.version) });
  })
  .openapi(routes.get, async (c) => {
    // The view is counted in the cache read's own Redis round trip.
    const event = await viewEvent(c.get('stores'), c.req.valid('param').id, c.get('auth') ?? null);
    return c.json(event, 200, etag(event.version));
  })
  .openapi(routes.update, async (c) => {
    const body = c.req.valid('json');
    const fromHeader = ifMatchVersion(c.req.header('if-match'));
    const expected = fromHeader !== null ? { version: fromHeader, from: 'if-match' as const } : body.version !== undefined ? { version: body.version, from: 'body' as const } : null;
    const event = await updateEvent(eventsDeps(c), currentUser(c), c.req.valid('param').id, body, expected);
    relayOutboxAfterResponse(c);
    return c.json(event, 200, etag(event.version));
  })
  .openapi(routes.cancel, async (c) => {
    const body = c.req.header('content-type') ? c.req.valid('json') : {};
    const event = await cancelEvent(eventsDeps(c), currentUser(c), c.req.valid('param').id, body.reason ?? null);
    relayOutboxAfterResponse(c);
    return c.json(event, 200, etag(event.version));
  });

import { createRoute, z } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { relayOutboxAfterResponse } from '../../../shared/bus/outbox.ts';
import { AppError } from '../../../shared/errors.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import type { Occurrence } from '../recurrence/expand.ts';
import { cancelOccurrence, listOccurrences, moveOccurrence } from '../service/occurrences.ts';
import { maybeAuthed } from './events.ts';
import { eventsDeps } from '../service/context.ts';

const DAY_MS = 86_400_000;
const DEFAULT_WINDOW_DAYS = 366;

const instant = z.iso.datetime({ offset: true }).openapi({ example: '2030-06-04T19:00:00+02:00' });
const reason = z.string().trim().min(1).max(1000);

const eventParam = { id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) };
const occurrenceParams = z.strictObject({
  ...eventParam,
  originalStartsAt: instant.openapi({
    param: { name: 'originalStartsAt', in: 'path' },
    description: 'Start of the occurrence as the rule gives it (its RECURRENCE-ID), even if it was moved; URL-encode a "+" offset or use Z',
  }),
});

const occurrencesQuery = z.strictObject({
  from: instant.optional().openapi({ description: 'Window start (default now); occurrences still running then are included' }),
  to: instant.optional().openapi({ description: `Window end, exclusive (default ${DEFAULT_WINDOW_DAYS} days after from)` }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const occurrenceSchema = z.object({
  startsAt: z.string(),
  endsAt: z.string(),
  originalStartsAt: z.string(),
  moved: z.boolean().openapi({ description: 'True when the occurrence was moved away from the time the rule gives' }),
}).openapi('Occurrence');

const occurrenceListSchema = z.object({
  eventId: z.uuid(),
  timezone: z.string(),
  items: z.array(occurrenceSchema),
}).openapi('OccurrenceList');

const cancelOccurrenceBody = z.strictObject({ reason: reason.optional() }).openapi('CancelOccurrenceRequest');
const moveOccurrenceBody = z.strictObject({
  startsAt: instant,
  endsAt: instant,
  reason: reason.optional(),
}).openapi('MoveOccurrenceRequest', { description: 'New times; the times the rule gives restore the occurrence' });

const path = '/events/{id}/occurrences/{originalStartsAt}';

const routes = {
  list: createRoute({
    method: 'get', path: '/events/{id}/occurrences', tags: ['events'], ...maybeAuthed,
    summary: 'Occurrences of an event in a window, cancelled ones left out and moved ones at their new time',
    request: { params: z.strictObject(eventParam), query: occurrencesQuery },
    responses: { 200: { description: 'Occurrences by start', ...jsonContent(occurrenceListSchema) }, ...problemResponses(400, 401, 404) },
  }),
  cancel: createRoute({
    method: 'delete', path, tags: ['events'], summary: 'Cancel one occurrence of a recurring event (organizer or edit_event)', ...authed,
    request: { params: occurrenceParams, body: { ...jsonContent(cancelOccurrenceBody), required: false } },
    responses: { 204: { description: 'Cancelled (or already was)' }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  move: createRoute({
    method: 'put', path, tags: ['events'], summary: 'Move one occurrence of a recurring event to new times (organizer or edit_event)', ...authed,
    request: { params: occurrenceParams, body: jsonBody(moveOccurrenceBody) },
    responses: { 200: { description: 'The occurrence at its new times', ...jsonContent(occurrenceSchema) }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
};

const occurrenceJson = (occurrence: Occurrence) => ({
  startsAt: occurrence.startsAt.toISOString(),
  endsAt: occurrence.endsAt.toISOString(),
  originalStartsAt: occurrence.originalStartsAt.toISOString(),
  moved: occurrence.moved,
});

/** Occurrences of recurring events: list in a window, cancel one, move one. */
export const occurrenceRoutes = createServiceApp()
  .openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    const from = query.from ? new Date(query.from) : new Date();
    const to = query.to ? new Date(query.to) : new Date(from.getTime() + DEFAULT_WINDOW_DAYS * DAY_MS);
    if (to.getTime() <= from.getTime()) {
      throw new AppError('validation_failed', 'to must be after from.', { extensions: { errors: [{ in: 'query', path: 'to', message: 'Must be after from' }] } });
    }
    const list = await listOccurrences(c.get('stores'), c.req.valid('param').id, c.get('auth') ?? null, { from, to, limit: query.limit });
    return c.json({ ...list, items: list.items.map(occurrenceJson) }, 200);
  })
  .openapi(routes.cancel, async (c) => {
    const { id, originalStartsAt } = c.req.valid('param');
    const body = c.req.header('content-type') ? c.req.valid('json') : {};
    await cancelOccurrence(eventsDeps(c), currentUser(c), id, new Date(originalStartsAt), body.reason ?? null);
    relayOutboxAfterResponse(c);
    return c.body(null, 204);
  })
  .openapi(routes.move, async (c) => {
    const { id, originalStartsAt } = c.req.valid('param');
    const body = c.req.valid('json');
    const occurrence = await moveOccurrence(eventsDeps(c), currentUser(c), id, new Date(originalStartsAt), {
      startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt), reason: body.reason ?? null,
    });
    relayOutboxAfterResponse(c);
    return c.json(occurrenceJson(occurrence), 200);
  });

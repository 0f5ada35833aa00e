import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { loadKeyRing } from '../../../shared/auth/keys.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { attendeesPage, attendeesQuery, checkInBody, checkInResultSchema, eventIdParam, registrationParams } from '../ticketing-schemas.ts';
import { listAttendees } from '../service/attendees.ts';
import { checkIn, undoCheckIn } from '../service/check-in.ts';

const routes = {
  checkIn: createRoute({
    method: 'post', path: '/events/{id}/check-in', tags: ['ticketing'], ...authed,
    summary: 'Check an attendee in by scanned ticket, or by registration id (organizer or manage_attendees); once only',
    request: { params: eventIdParam, body: jsonBody(checkInBody) },
    responses: {
      200: { description: 'Checked in', ...jsonContent(checkInResultSchema) },
      ...problemResponses(400, 401, 403, 404, 409, 422),
    },
  }),
  undo: createRoute({
    method: 'delete', path: '/events/{id}/check-in/{registrationId}', tags: ['ticketing'], ...authed,
    summary: 'Undo a check-in made by mistake: the registration is confirmed again and its ticket works once more (organizer or manage_attendees)',
    request: { params: registrationParams },
    responses: {
      200: { description: 'The attendee, confirmed again', ...jsonContent(checkInResultSchema) },
      ...problemResponses(400, 401, 403, 404),
    },
  }),
  attendees: createRoute({
    method: 'get', path: '/events/{id}/attendees', tags: ['ticketing'], ...authed,
    summary: 'Attendees in registration order (organizer or manage_attendees), cursor-paginated',
    request: { params: eventIdParam, query: attendeesQuery },
    responses: { 200: { description: 'A page of attendees', ...jsonContent(attendeesPage) }, ...problemResponses(400, 401, 403, 404) },
  }),
};

/** The door: /api/v1/events/{id}/check-in (and its undo) and the attendee list. */
export const checkInRoutes = createServiceApp()
  .openapi(routes.checkIn, async (c) => {
    const ring = await loadKeyRing(c.get('config').JWT_PRIVATE_KEYS);
    return c.json(await checkIn(c.get('stores'), ring, currentUser(c), c.req.valid('param').id, c.req.valid('json')), 200);
  })
  .openapi(routes.undo, async (c) => {
    const { id, registrationId } = c.req.valid('param');
    return c.json(await undoCheckIn(c.get('stores'), currentUser(c), id, registrationId), 200);
  })
  .openapi(routes.attendees, async (c) => c.json(await listAttendees(c.get('stores').postgres, currentUser(c), c.req.valid('param').id, c.req.valid('query')), 200));

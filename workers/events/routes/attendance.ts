import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { loadKeyRing } from '../../../shared/auth/keys.ts';
import { relayOutboxAfterResponse } from '../../../shared/bus/outbox.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { attendBody, attendResultSchema, eventIdParam, myRegistrationsPage, myRegistrationsQuery, ticketSchema } from '../ticketing-schemas.ts';
import { attend, cancelAttendance } from '../service/attendance.ts';
import { myRegistrations } from '../service/attendees.ts';
import { issueTicket } from '../service/tickets.ts';

const routes = {
  attend: createRoute({
    method: 'post', path: '/events/{id}/attend', tags: ['ticketing'], ...authed,
    summary: 'Register for an event: 201 with seats confirmed, or 202 on the waitlist when sold out; 409 if you already attend or wait',
    request: { params: eventIdParam, body: jsonBody(attendBody) },
    responses: {
      201: { description: 'Registered', ...jsonContent(attendResultSchema) },
      202: { description: 'Sold out: you are on the waitlist (position given)', ...jsonContent(attendResultSchema) },
      ...problemResponses(400, 401, 404, 409),
    },
  }),
  cancel: createRoute({
    method: 'delete', path: '/events/{id}/attend', tags: ['ticketing'], ...authed,
    summary: 'Cancel your registration; the seats are offered to the first in line',
    request: { params: eventIdParam },
    responses: { 204: { description: 'Cancelled' }, ...problemResponses(400, 401, 404, 409) },
  }),
  ticket: createRoute({
    method: 'get', path: '/events/{id}/ticket', tags: ['ticketing'], ...authed,
    summary: 'Your signed ticket (for the QR code at the door), valid until after the event ends',
    request: { params: eventIdParam },
    responses: { 200: { description: 'The ticket', ...jsonContent(ticketSchema) }, ...problemResponses(400, 401, 404, 409) },
  }),
  mine: createRoute({
    method: 'get', path: '/registrations/me', tags: ['ticketing'], ...authed,
    summary: 'Your registrations: upcoming soonest first, or past latest first; cursor-paginated',
    request: { query: myRegistrationsQuery },
    responses: { 200: { description: 'A page of registrations', ...jsonContent(myRegistrationsPage) }, ...problemResponses(400, 401) },
  }),
};

/** Attending: /api/v1/events/{id}/attend and /ticket, and /api/v1/registrations/me. */
export const attendanceRoutes = createServiceApp()
  .openapi(routes.attend, async (c) => {
    const outcome = await attend(c.get('stores'), currentUser(c), c.req.valid('param').id, c.req.valid('json'), c.get('correlationId'));
    if (outcome.status === 'waitlisted') return c.json(outcome, 202);
    relayOutboxAfterResponse(c);
    return c.json(outcome, 201);
  })
  .openapi(routes.cancel, async (c) => {
    await cancelAttendance(c.get('stores'), currentUser(c), c.req.valid('param').id, c.get('config').WAITLIST_OFFER_SECONDS, c.get('correlationId'));
    relayOutboxAfterResponse(c);
    return c.body(null, 204);
  })
  .openapi(routes.ticket, async (c) => {
    const ring = await loadKeyRing(c.get('config').JWT_PRIVATE_KEYS);
    return c.json(await issueTicket(c.get('stores').postgres, ring, currentUser(c), c.req.valid('param').id), 200);
  })
  .openapi(routes.mine, async (c) => c.json(await myRegistrations(c.get('stores').postgres, currentUser(c), c.req.valid('query')), 200));

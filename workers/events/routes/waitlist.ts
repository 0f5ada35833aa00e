import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { relayOutboxAfterResponse } from '../../../shared/bus/outbox.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonContent, problemResponses } from '../../../shared/validation.ts';
import { eventIdParam, registrationSchema, waitlistEntrySchema, waitlistPage, waitlistQuery } from '../ticketing-schemas.ts';
import { acceptOffer, leaveWaitlist, myWaitlistEntry, waitlistLine } from '../service/waitlist.ts';

const routes = {
  accept: createRoute({
    method: 'post', path: '/events/{id}/waitlist/accept', tags: ['ticketing'], ...authed,
    summary: 'Accept the seats offered to you before the offer expires',
    request: { params: eventIdParam },
    responses: { 201: { description: 'Registered', ...jsonContent(registrationSchema) }, ...problemResponses(400, 401, 404, 409) },
  }),
  leave: createRoute({
    method: 'delete', path: '/events/{id}/waitlist', tags: ['ticketing'], ...authed,
    summary: 'Leave the waitlist (an offer you held goes to the next in line)',
    request: { params: eventIdParam },
    responses: { 204: { description: 'Left' }, ...problemResponses(400, 401, 404) },
  }),
  mine: createRoute({
    method: 'get', path: '/events/{id}/waitlist/me', tags: ['ticketing'], ...authed,
    summary: 'Your place in line, or your live offer and its deadline',
    request: { params: eventIdParam },
    responses: { 200: { description: 'Your entry', ...jsonContent(waitlistEntrySchema) }, ...problemResponses(400, 401, 404) },
  }),
  line: createRoute({
    method: 'get', path: '/events/{id}/waitlist', tags: ['ticketing'], ...authed,
    summary: 'The waitlist in line order (organizer or manage_attendees), cursor-paginated',
    request: { params: eventIdParam, query: waitlistQuery },
    responses: { 200: { description: 'A page of the line', ...jsonContent(waitlistPage) }, ...problemResponses(400, 401, 403, 404) },
  }),
};

/** The waitlist: /api/v1/events/{id}/waitlist. */
export const waitlistRoutes = createServiceApp()
  .openapi(routes.accept, async (c) => {
    const registration = await acceptOffer(c.get('stores'), currentUser(c), c.req.valid('param').id, c.get('correlationId'));
    relayOutboxAfterResponse(c);
    return c.json(registration, 201);
  })
  .openapi(routes.leave, async (c) => {
    await leaveWaitlist(c.get('stores'), currentUser(c), c.req.valid('param').id, c.get('config').WAITLIST_OFFER_SECONDS, c.get('correlationId'));
    relayOutboxAfterResponse(c);
    return c.body(null, 204);
  })
  .openapi(routes.mine, async (c) => c.json(await myWaitlistEntry(c.get('stores').postgres, currentUser(c), c.req.valid('param').id), 200))
  .openapi(routes.line, async (c) => c.json(await waitlistLine(c.get('stores').postgres, currentUser(c), c.req.valid('param').id, c.req.valid('query')), 200));

import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { relayOutboxAfterResponse } from '../../../shared/bus/outbox.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { createTierBody, eventIdParam, tierParams, tierSchema, updateTierBody } from '../ticketing-schemas.ts';
import { createTier, deleteTier, listTiers, updateTier } from '../service/tiers.ts';
import { maybeAuthed } from './events.ts';

const routes = {
  list: createRoute({
    method: 'get', path: '/events/{id}/tiers', tags: ['ticketing'], ...maybeAuthed,
    summary: 'Ticket tiers of an event, with seats sold, held by waitlist offers and available',
    request: { params: eventIdParam },
    responses: { 200: { description: 'Tiers in display order', ...jsonContent(tierSchema.array()) }, ...problemResponses(400, 401, 404) },
  }),
  create: createRoute({
    method: 'post', path: '/events/{id}/tiers', tags: ['ticketing'], ...authed,
    summary: 'Add a ticket tier: free, paid or donation (organizer or edit_event); one currency per event',
    request: { params: eventIdParam, body: jsonBody(createTierBody) },
    responses: { 201: { description: 'The new tier', ...jsonContent(tierSchema) }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  update: createRoute({
    method: 'put', path: '/events/{id}/tiers/{tierId}', tags: ['ticketing'], ...authed,
    summary: 'Change a tier (organizer or edit_event); added seats are offered to the waitlist at once',
    request: { params: tierParams, body: jsonBody(updateTierBody) },
    responses: { 200: { description: 'The changed tier', ...jsonContent(tierSchema) }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  remove: createRoute({
    method: 'delete', path: '/events/{id}/tiers/{tierId}', tags: ['ticketing'], ...authed,
    summary: 'Delete a tier nobody registered on or waits for (organizer or edit_event); otherwise 409',
    request: { params: tierParams },
    responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
};

/** Ticket tiers: /api/v1/events/{id}/tiers. Every change also refreshes the event's price summary. */
export const tierRoutes = createServiceApp()
  .openapi(routes.list, async (c) => c.json(await listTiers(c.get('stores').postgres, c.get('auth') ?? null, c.req.valid('param').id), 200))
  .openapi(routes.create, async (c) => {
    const tier = await createTier(c.get('stores'), currentUser(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json(tier, 201, { Location: `/api/v1/events/${tier.eventId}/tiers/${tier.id}` });
  })
  .openapi(routes.update, async (c) => {
    const { id, tierId } = c.req.valid('param');
    const tier = await updateTier(c.get('stores'), currentUser(c), id, tierId, c.req.valid('json'), c.get('config').WAITLIST_OFFER_SECONDS, c.get('correlationId'));
    relayOutboxAfterResponse(c);
    return c.json(tier, 200);
  })
  .openapi(routes.remove, async (c) => {
    const { id, tierId } = c.req.valid('param');
    await deleteTier(c.get('stores'), currentUser(c), id, tierId);
    return c.body(null, 204);
  });

import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { relayOutboxAfterResponse } from '../../../shared/bus/outbox.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { invitationParams, invitationsPage, invitationsQuery, inviteBody, inviteResultSchema, myInvitationsPage } from '../invitation-schemas.ts';
import { invite, listInvitations, myInvitations, removeInvitation } from '../service/invitations.ts';
import { eventIdParam } from '../ticketing-schemas.ts';

const routes = {
  mine: createRoute({
    method: 'get', path: '/invitations/me', tags: ['events'], ...authed,
    summary: 'Your invitations to events still to come (private ones included), soonest first; cursor-paginated',
    request: { query: invitationsQuery },
    responses: { 200: { description: 'A page of your invitations', ...jsonContent(myInvitationsPage) }, ...problemResponses(400, 401) },
  }),
  invite: createRoute({
    method: 'post', path: '/{id}/invitations', tags: ['events'], ...authed,
    summary: 'Invite accounts (organizer, edit_event or manage_attendees); idempotent; all or nothing (422 names unknown accounts)',
    description: 'An invitation lets the invitee see a private event and attend it; on public and unlisted events it only notifies. '
      + 'Each new invitation is announced as event.invitation. Only published events still to come take invitations (409).',
    request: { params: eventIdParam, body: jsonBody(inviteBody) },
    responses: { 200: { description: 'Who was invited now, and who already was', ...jsonContent(inviteResultSchema) }, ...problemResponses(400, 401, 403, 404, 409, 422) },
  }),
  list: createRoute({
    method: 'get', path: '/{id}/invitations', tags: ['events'], ...authed,
    summary: 'The invitations, oldest first, with whether each invitee registered (organizer, edit_event or manage_attendees); cursor-paginated',
    request: { params: eventIdParam, query: invitationsQuery },
    responses: { 200: { description: 'A page of invitations', ...jsonContent(invitationsPage) }, ...problemResponses(400, 401, 403, 404) },
  }),
  remove: createRoute({
    method: 'delete', path: '/{id}/invitations/{userId}', tags: ['events'], ...authed,
    summary: 'Revoke an invitation (organizer, edit_event or manage_attendees) or decline your own; a registration made meanwhile stays',
    request: { params: invitationParams },
    responses: { 204: { description: 'Removed' }, ...problemResponses(400, 401, 403, 404) },
  }),
};

/** Invitations: /api/v1/events/{id}/invitations and /api/v1/events/invitations/me. */
export const invitationRoutes = createServiceApp()
  .openapi(routes.mine, async (c) => c.json(await myInvitations(c.get('stores').postgres, currentUser(c), c.req.valid('query')), 200))
  .openapi(routes.invite, async (c) => {
    const result = await invite(c.get('stores'), currentUser(c), c.req.valid('param').id, c.req.valid('json').userIds, c.get('correlationId'));
    if (result.invited.length > 0) relayOutboxAfterResponse(c);
    return c.json(result, 200);
  })
  .openapi(routes.list, async (c) => c.json(await listInvitations(c.get('stores').postgres, currentUser(c), c.req.valid('param').id, c.req.valid('query')), 200))
  .openapi(routes.remove, async (c) => {
    const { id, userId } = c.req.valid('param');
    await removeInvitation(c.get('stores').postgres, currentUser(c), id, userId);
    return c.body(null, 204);
  });

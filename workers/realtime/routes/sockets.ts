import { createRoute } from '@hono/zod-openapi';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { problemResponses } from '../../../shared/validation.ts';
import { roomIdParam, roomSocketQuery, userSocketQuery } from '../schemas.ts';
import { requireMembership } from '../service/rooms.ts';
import { chatRoomStub, userObjectStub } from '../service/room-objects.ts';
import { acceptUpgrade, forwardUpgrade } from './upgrade.ts';

const AUTH_NOTE = 'Authenticate with ?ticket= (POST /realtime/tickets) or the subprotocol list "flow.v1, bearer.<access token>"; '
  + 'an Origin header, when sent, must be an allowed origin. Frames and close codes: see the README (Realtime).';

const socketDoc = {
  method: 'get' as const, tags: ['realtime'], description: AUTH_NOTE, 
  // Bearer (as the subprotocol) or none: a ticket in the query authenticates instead.
  security: [{ bearer: [] }, {}] as Array<Record<string, string[]>>,
};
const socketResponses = (...extraProblems: number[]) => ({
  101: { description: 'Switching protocols: the socket is open' },
  ...problemResponses(400, 401, 403, ...extraProblems, 426),
});

const routes = {
  room: createRoute({
    ...socketDoc, path: '/rooms/{roomId}/socket',
    summary: 'A chat, event, crew or DM room (members only; seed namespaces /chat and /events)',
    request: { params: roomIdParam, query: roomSocketQuery }, responses: socketResponses(404),
  }),
  presence: createRoute({
    ...socketDoc, path: '/presence/socket',
    summary: "The caller's presence across devices (seed namespace /)",
    request: { query: userSocketQuery }, responses: socketResponses(),
  }),
  notifications: createRoute({
    ...socketDoc, path: '/notifications/socket',
    summary: "The caller's in-app notifications and unread count (seed namespace /notifications)",
    request: { query: userSocketQuery }, responses: socketResponses(),
  }),
};

/** The realtime WebSocket endpoints: checked and authenticated here, served by Durable Objects. */
export const socketRoutes = createServiceApp()
  .openapi(routes.room, async (c) => {
    const { roomId } = c.req.valid('param');
    const accepted = await acceptUpgrade(c, c.req.valid('query').ticket);
    await requireMembership(c.get('stores'), roomId, accepted.identity.userId);
    return forwardUpgrade(c, chatRoomStub(c.env, roomId), accepted, roomId);
  })
  .openapi(routes.presence, async (c) => {
    const accepted = await acceptUpgrade(c, c.req.valid('query').ticket);
    return forwardUpgrade(c, userObjectStub(c.env, 'PRESENCE', accepted.identity.userId), accepted);
  })
  .openapi(routes.notifications, async (c) => {
    const accepted = await acceptUpgrade(c, c.req.valid('query').ticket);
    return forwardUpgrade(c, userObjectStub(c.env, 'INBOX', accepted.identity.userId), accepted);
  });

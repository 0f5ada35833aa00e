import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { directRoomBody, directRoomSchema, historyPageSchema, historyQuery, roomIdParam, roomsPage, roomsQuery } from '../schemas.ts';
import { myRooms, openDirectRoom, roomHistory } from '../service/rooms.ts';

const routes = {
  direct: createRoute({
    method: 'post', path: '/rooms/direct', tags: ['realtime'], ...authed,
    summary: 'Your direct-message room with another user: 201 when it was created now, 200 when it existed',
    request: { body: jsonBody(directRoomBody) },
    responses: {
      200: { description: 'The existing room', ...jsonContent(directRoomSchema) },
      201: { description: 'The new room', ...jsonContent(directRoomSchema) },
      ...problemResponses(400, 401, 404),
    },
  }),
  mine: createRoute({
    method: 'get', path: '/rooms', tags: ['realtime'], ...authed,
    summary: 'Your rooms, most recently joined first (unread counts arrive on each room socket)',
    request: { query: roomsQuery },
    responses: { 200: { description: 'A page of rooms', ...jsonContent(roomsPage) }, ...problemResponses(400, 401) },
  }),
  history: createRoute({
    method: 'get', path: '/rooms/{roomId}/messages', tags: ['realtime'], ...authed,
    summary: "A page of a room's messages, oldest first; page back with before = the first seq (members only)",
    request: { params: roomIdParam, query: historyQuery },
    responses: { 200: { description: 'A page of messages', ...jsonContent(historyPageSchema) }, ...problemResponses(400, 401, 403, 404) },
  }),
};

/** Rooms over HTTP: /api/v1/realtime/rooms/direct, /rooms, /rooms/{roomId}/messages. */
export const roomRoutes = createServiceApp()
  .openapi(routes.direct, async (c) => {
    const { created, ...room } = await openDirectRoom(c.get('stores'), c.env, currentUser(c), c.req.valid('json').userId);
    return c.json(room, created ? 201 : 200);
  })
  .openapi(routes.mine, async (c) => c.json(await myRooms(c.get('stores'), currentUser(c).userId, c.req.valid('query')), 200))
  .openapi(routes.history, async (c) => {
    const page = await roomHistory(c.get('stores'), c.env, currentUser(c).userId, c.req.valid('param').roomId, c.req.valid('query'));
    return c.json(page, 200);
  });

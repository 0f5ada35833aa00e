import { createRoute, z } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { problemResponses } from '../../../shared/validation.ts';
import { presenceFor } from '../service/presence.ts';

const MAX_IDS = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const presenceQuery = z.strictObject({
  ids: z.string().min(1).max(MAX_IDS * 37)
    .superRefine((value, ctx) => {
      const ids = value.split(',');
      if (ids.length > MAX_IDS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_IDS} ids` });
      const bad = ids.filter((id) => !UUID.test(id));
      if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `not user ids: ${bad.slice(0, 5).join(', ').slice(0, 200)}` });
    })
    .openapi({ description: `Comma-separated user ids (uuid), at most ${MAX_IDS}`, example: '7d0c7a8e-7bd5-4bb8-9a3c-1d1f2b0b7a11' }),
});

const presenceEntry = z.object({
  userId: z.uuid(),
  state: z.enum(['online', 'away', 'busy', 'offline']),
  lastSeenAt: z.string().nullable().openapi({ description: 'When the user last came online or was last seen before going offline' }),
}).openapi('Presence');

const route = createRoute({
  method: 'get', path: '/', tags: ['realtime'], ...authed,
  summary: 'Presence of several users at once',
  description: 'Real states only for yourself, your accepted connections and people who share a chat room with you (and no block either way); everyone else reads as offline with no last-seen time.',
  request: { query: presenceQuery },
  responses: {
    200: { description: 'One entry per distinct id, in request order', content: { 'application/json': { schema: z.object({ presence: z.array(presenceEntry) }) } } },
    ...problemResponses(400, 401),
  },
});

/** GET /api/v1/presence?ids=a,b,c */
export const presenceRoutes = createServiceApp().openapi(route, async (c) => {
  const ids = c.req.valid('query').ids.split(',');
  return c.json({ presence: await presenceFor(c.get('stores'), currentUser(c).userId, ids) }, 200);
});

import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { achievementsSchema, deleteAccountBody, exportSchema, loginPageSchema, loginsQuery, statsSchema } from '../profile-schemas.ts';
import { deleteAccount, exportUserData, loginHistory, userAchievements, userStats } from '../service/account-data.ts';
import { identityDeps } from '../service/context.ts';

const routes = {
  logins: createRoute({
    method: 'get', path: '/me/logins', tags: ['users'], ...authed,
    summary: 'Your login history (time, IP, user agent, result), newest first, cursor-paginated',
    request: { query: loginsQuery },
    responses: { 200: { description: 'One page', ...jsonContent(loginPageSchema) }, ...problemResponses(400, 401) },
  }),
  stats: createRoute({
    method: 'get', path: '/me/stats', tags: ['users'], ...authed, summary: 'Your statistics',
    responses: { 200: { description: 'Statistics', ...jsonContent(statsSchema) }, ...problemResponses(401, 404) },
  }),
  achievements: createRoute({
    method: 'get', path: '/me/achievements', tags: ['users'], ...authed,
    summary: 'Every achievement, with your progress towards it and when you earned it',
    responses: { 200: { description: 'The achievements', ...jsonContent(achievementsSchema) }, ...problemResponses(401) },
  }),
  export: createRoute({
    method: 'get', path: '/me/export', tags: ['users'], ...authed,
    summary: 'Export all your data (GDPR access and portability); no secrets are included',
    responses: { 200: { description: 'Your data', ...jsonContent(exportSchema) }, ...problemResponses(401, 404) },
  }),
  delete: createRoute({
    method: 'delete', path: '/me', tags: ['users'], ...authed,
    summary: 'Delete your account and everything that is yours (needs your password; ends every session)',
    description: 'Refused with 409, naming what to do first, while you organize upcoming published events (cancel them: their attendees are told) or own crews. ' +
      'Events other people registered for or formed a crew around stay for them, without an organizer (organizerId null); the others are deleted. ' +
      'Your seats on upcoming events go to their waiting lines. Your chat messages are erased in every room you were ever in (they keep their place, ' +
      'marked erased; the others\' stay), your notifications and presence go, and your open sockets close.',
    request: { body: jsonBody(deleteAccountBody) },
    responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 401, 409, 429) },
  }),
};

/** The caller's account data: /api/v1/users/me/{logins,stats,achievements,export} and account deletion. */
export const accountDataRoutes = createServiceApp()
  .openapi(routes.logins, async (c) => c.json(await loginHistory(c.get('stores').mongo, currentUser(c).userId, c.req.valid('query')), 200))
  .openapi(routes.stats, async (c) => c.json(await userStats({ stores: c.get('stores') }, currentUser(c).userId), 200))
  .openapi(routes.achievements, async (c) => c.json(await userAchievements({ stores: c.get('stores') }, currentUser(c).userId), 200))
  .openapi(routes.export, async (c) => {
    const data = await exportUserData({ stores: c.get('stores'), env: c.env }, currentUser(c));
    return c.json(data, 200, { 'content-disposition': 'attachment; filename="flow-export.json"', 'cache-control': 'no-store' });
  })
  .openapi(routes.delete, async (c) => {
    await deleteAccount(identityDeps(c), currentUser(c), c.req.valid('json').password);
    return c.body(null, 204);
  });

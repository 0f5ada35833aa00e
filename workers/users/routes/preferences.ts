import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { preferencesSchema, updatePreferencesBody } from '../profile-schemas.ts';
import { getPreferences, updatePreferences } from '../service/preferences.ts';

const preferencesResponse = { description: 'Your preferences (defaults where nothing is stored)', ...jsonContent(preferencesSchema) };

const routes = {
  get: createRoute({
    method: 'get', path: '/', tags: ['preferences'], ...authed,
    summary: 'Your preferences: notifications per type and channel, quiet hours, language, time zone, theme',
    responses: { 200: preferencesResponse, ...problemResponses(401) },
  }),
  update: createRoute({
    method: 'put', path: '/', tags: ['preferences'], ...authed,
    summary: 'Change some of your preferences (only the fields sent change; security alerts always go by email)',
    request: { body: jsonBody(updatePreferencesBody) },
    responses: { 200: preferencesResponse, ...problemResponses(400, 401) },
  }),
};

/** The caller's own preferences: /api/v1/preferences. */
export const preferenceRoutes = createServiceApp()
  .openapi(routes.get, async (c) => c.json(await getPreferences(c.get('stores').mongo, currentUser(c).userId), 200))
  .openapi(routes.update, async (c) => c.json(await updatePreferences(c.get('stores').mongo, currentUser(c).userId, c.req.valid('json')), 200));

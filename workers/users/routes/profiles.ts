import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { profileSchema, updateProfileBody } from '../profile-schemas.ts';
import { idParam } from '../schemas.ts';
import { getProfile, updateProfile } from '../service/profiles.ts';

const profileResponse = { description: 'The profile', ...jsonContent(profileSchema) };

const routes = {
  get: createRoute({
    method: 'get', path: '/{id}', tags: ['profiles'], ...authed,
    summary: 'A profile, as its privacy settings let the caller see it (the owner and admins see everything)',
    request: { params: idParam },
    responses: { 200: profileResponse, ...problemResponses(400, 401, 404) },
  }),
  update: createRoute({
    method: 'put', path: '/{id}', tags: ['profiles'], ...authed,
    summary: 'Update a profile: name, bio, avatar, interests, location, privacy (the owner, or an admin)',
    request: { params: idParam, body: jsonBody(updateProfileBody) },
    responses: { 200: profileResponse, ...problemResponses(400, 401, 403, 404) },
  }),
};

/** Extended profiles with privacy: /api/v1/profiles. */
export const profileRoutes = createServiceApp()
  .openapi(routes.get, async (c) => c.json(await getProfile(c.get('stores').postgres, currentUser(c), c.req.valid('param').id), 200))
  .openapi(routes.update, async (c) => {
    const profile = await updateProfile(c.get('stores').postgres, currentUser(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json(profile, 200);
  });

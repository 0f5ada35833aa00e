import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser, type AuthContext } from '../../../shared/auth/middleware.ts';
import { AppError } from '../../../shared/errors.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { usersRepo, type UserRow } from '../repo/users.ts';
import { idParam, updateUserBody, userSchema } from '../schemas.ts';

const userResponse = { description: 'The user', ...jsonContent(userSchema) };

const routes = {
  me: createRoute({ method: 'get', path: '/me', tags: ['users'], summary: 'The caller', ...authed, responses: { 200: userResponse, ...problemResponses(401) } }),
  get: createRoute({ method: 'get', path: '/{id}', tags: ['users'], summary: 'A user (private fields only for themself and admins)', ...authed, request: { params: idParam }, responses: { 200: userResponse, ...problemResponses(401, 404) } }),
  update: createRoute({
    method: 'put', path: '/{id}', tags: ['users'], summary: 'Update a user (themself, or an admin)', ...authed,
    request: { params: idParam, body: jsonBody(updateUserBody) },
    responses: { 200: userResponse, ...problemResponses(400, 401, 403, 404, 409) },
  }),
};

const canSeePrivate = (auth: AuthContext, id: string) => auth.userId === id || auth.role === 'admin';

function view(row: UserRow, full: boolean) {
  const base = { id: row.id, username: row.username, displayName: row.display_name, createdAt: row.created_at.toISOString() };
  if (!full) return base;
  return {
    ...base,
    email: row.email,
    role: row.role,
    permissions: row.permissions,
    emailVerified: row.email_verified_at !== null,
    twoFactorEnabled: row.totp_enabled_at !== null,
  };
}

async function findOr404(c: Parameters<typeof currentUser>[0], id: string): Promise<UserRow> {
  const row = await usersRepo.find(c.get('stores').postgres, id);
  if (!row) throw new AppError('not_found', 'No such user.');
  return row;
}

/** Users: the caller, public views of others, updates by the owner or an admin. */
export const userRoutes = createServiceApp()
  .openapi(routes.me, async (c) => c.json(view(await findOr404(c, currentUser(c).userId), true), 200))
  .openapi(routes.get, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(view(await findOr404(c, id), canSeePrivate(currentUser(c), id)), 200);
  })
  .openapi(routes.update, async (c) => {
    const { id } = c.req.valid('param');
    const auth = currentUser(c);
    if (!canSeePrivate(auth, id)) throw new AppError('forbidden', 'Only the user themself or an admin may change a user.');
    await findOr404(c, id);
    try {
      await usersRepo.update(c.get('stores').postgres, id, c.req.valid('json'));
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new AppError('conflict', 'That username is taken.');
      throw error;
    }
    return c.json(view(await findOr404(c, id), true), 200);
  });

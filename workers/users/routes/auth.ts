import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser, requireAuth } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import * as schemas from '../schemas.ts';
import { changePassword, forgotPassword, register, resetPassword, verifyEmail } from '../service/accounts.ts';
import { identityDeps, requestOrigin } from '../service/context.ts';
import { login, loginSecondStep } from '../service/login.ts';
import { refresh } from '../service/refresh.ts';
import { listSessions, logout, revokeAllSessions, revokeSession } from '../service/sessions.ts';
import { confirmTwoFactor, disableTwoFactor, regenerateBackupCodes, setupTwoFactor } from '../service/two-factor.ts';

const body = <T>(schema: T) => ({ body: jsonBody(schema) });
// Routes that need a caller: documented as bearer-protected and guarded by requireAuth.
const noContent = { 204: { description: 'Done' } };

const routes = {
  register: createRoute({ method: 'post', path: '/register', tags: ['auth'], summary: 'Create an account (same answer whether or not the email is known)', request: body(schemas.registerBody), responses: { 202: { description: 'Check your email', ...jsonContent(schemas.acceptedSchema) }, ...problemResponses(400, 409, 429) } }),
  login: createRoute({ method: 'post', path: '/login', tags: ['auth'], summary: 'Log in with email and password (with two-factor on, answers a challenge for /login/2fa)', request: body(schemas.loginBody), responses: { 200: { description: 'Tokens, or the two-factor challenge', ...jsonContent(schemas.loginResultSchema) }, ...problemResponses(400, 401, 429, 503) } }),
  loginSecondStep: createRoute({ method: 'post', path: '/login/2fa', tags: ['auth'], summary: 'Finish a login with a TOTP or backup code', request: body(schemas.loginSecondStepBody), responses: { 200: { description: 'Tokens', ...jsonContent(schemas.tokenPairSchema) }, ...problemResponses(400, 401, 429, 503) } }),
  refresh: createRoute({ method: 'post', path: '/refresh', tags: ['auth'], summary: 'Rotate a refresh token', request: body(schemas.refreshBody), responses: { 200: { description: 'New tokens', ...jsonContent(schemas.tokenPairSchema) }, ...problemResponses(400, 401) } }),
  logout: createRoute({ method: 'post', path: '/logout', tags: ['auth'], summary: 'End this session now', ...authed, responses: { ...noContent, ...problemResponses(401) } }),
  sessions: createRoute({ method: 'get', path: '/sessions', tags: ['auth'], summary: 'Your active sessions', ...authed, responses: { 200: { description: 'Sessions', ...jsonContent(schemas.sessionSchema.array()) }, ...problemResponses(401) } }),
  revokeSession: createRoute({ method: 'delete', path: '/sessions/{id}', tags: ['auth'], summary: 'End one of your sessions', ...authed, request: { params: schemas.idParam }, responses: { ...noContent, ...problemResponses(401, 404) } }),
  revokeAll: createRoute({ method: 'delete', path: '/sessions', tags: ['auth'], summary: 'End all your sessions (log out everywhere)', ...authed, request: { query: schemas.revokeAllQuery }, responses: { 200: { description: 'How many ended', ...jsonContent(schemas.acceptedSchema) }, ...problemResponses(401) } }),
  verifyEmail: createRoute({ method: 'post', path: '/verify-email', tags: ['auth'], summary: 'Confirm an email address with the emailed token', request: body(schemas.tokenBody), responses: { ...noContent, ...problemResponses(400) } }),
  forgot: createRoute({ method: 'post', path: '/password/forgot', tags: ['auth'], summary: 'Email a password reset link (same answer for unknown emails)', request: body(schemas.forgotBody), responses: { 202: { description: 'Check your email', ...jsonContent(schemas.acceptedSchema) }, ...problemResponses(400, 429) } }),
  reset: createRoute({ method: 'post', path: '/password/reset', tags: ['auth'], summary: 'Set a new password with the emailed token (ends all sessions, lifts a lockout)', request: body(schemas.resetBody), responses: { ...noContent, ...problemResponses(400) } }),
  change: createRoute({ method: 'post', path: '/password/change', tags: ['auth'], summary: 'Change your password (ends your other sessions)', ...authed, request: body(schemas.changePasswordBody), responses: { 200: { description: 'Changed', ...jsonContent(schemas.acceptedSchema) }, ...problemResponses(400, 401) } }),
  twoFactorSetup: createRoute({ method: 'post', path: '/2fa/setup', tags: ['auth'], summary: 'Start two-factor setup: a new TOTP secret, shown once (not enabled until confirmed)', ...authed, responses: { 200: { description: 'The secret', ...jsonContent(schemas.twoFactorSetupSchema) }, ...problemResponses(401, 409) } }),
  twoFactorConfirm: createRoute({ method: 'post', path: '/2fa/confirm', tags: ['auth'], summary: 'Enable two-factor with the first code; answers the backup codes, shown once', ...authed, request: body(schemas.confirmTwoFactorBody), responses: { 200: { description: 'Enabled', ...jsonContent(schemas.backupCodesSchema) }, ...problemResponses(400, 401, 409, 429, 503) } }),
  twoFactorDisable: createRoute({ method: 'post', path: '/2fa/disable', tags: ['auth'], summary: 'Turn two-factor off (needs the password and a code)', ...authed, request: body(schemas.disableTwoFactorBody), responses: { ...noContent, ...problemResponses(400, 401, 409, 429, 503) } }),
  backupCodes: createRoute({ method: 'post', path: '/2fa/backup-codes', tags: ['auth'], summary: 'Replace the backup codes (the old ones stop working)', ...authed, request: body(schemas.secondFactorBody), responses: { 200: { description: 'New codes', ...jsonContent(schemas.backupCodesSchema) }, ...problemResponses(400, 401, 409, 429, 503) } }),
};

const sessionView = (row: Awaited<ReturnType<typeof listSessions>>[number]) => ({
  id: row.id,
  createdAt: row.created_at.toISOString(),
  lastSeenAt: row.last_seen_at.toISOString(),
  ip: row.ip,
  userAgent: row.user_agent,
  expiresAt: row.expires_at.toISOString(),
  current: row.current,
});

const CHECK_EMAIL = { message: 'If the address can receive mail, a message is on its way.' };

/** Accounts and sessions: register, login (and its two-factor step), refresh, logout, sessions, email, password and two-factor flows. */
export const authRoutes = createServiceApp()
  .openapi(routes.register, async (c) => {
    await register(identityDeps(c), c.req.valid('json'));
    return c.json(CHECK_EMAIL, 202);
  })
  .openapi(routes.login, async (c) => c.json(await login(identityDeps(c), c.req.valid('json'), requestOrigin(c)), 200))
  .openapi(routes.loginSecondStep, async (c) => c.json(await loginSecondStep(identityDeps(c), c.req.valid('json'), requestOrigin(c)), 200))
  .openapi(routes.refresh, async (c) => c.json(await refresh(identityDeps(c), c.req.valid('json').refreshToken), 200))
  .openapi(routes.verifyEmail, async (c) => {
    await verifyEmail(identityDeps(c), c.req.valid('json').token);
    return c.body(null, 204);
  })
  .openapi(routes.forgot, async (c) => {
    await forgotPassword(identityDeps(c), c.req.valid('json').email);
    return c.json(CHECK_EMAIL, 202);
  })
  .openapi(routes.reset, async (c) => {
    await resetPassword(identityDeps(c), c.req.valid('json'));
    return c.body(null, 204);
  })
  .openapi(routes.logout, async (c) => {
    await logout(identityDeps(c), currentUser(c));
    return c.body(null, 204);
  })
  .openapi(routes.sessions, async (c) => c.json((await listSessions(identityDeps(c), currentUser(c))).map(sessionView), 200))
  .openapi(routes.revokeSession, async (c) => {
    await revokeSession(identityDeps(c), currentUser(c), c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(routes.revokeAll, async (c) => {
    const count = await revokeAllSessions(identityDeps(c), currentUser(c), c.req.valid('query').keepCurrent === 'true');
    return c.json({ message: `${count} session(s) ended.` }, 200);
  })
  .openapi(routes.change, async (c) => {
    const ended = await changePassword(identityDeps(c), currentUser(c), c.req.valid('json'));
    return c.json({ message: `Password changed; ${ended} other session(s) ended.` }, 200);
  })
  .openapi(routes.twoFactorSetup, async (c) => c.json(await setupTwoFactor(identityDeps(c), currentUser(c)), 200))
  .openapi(routes.twoFactorConfirm, async (c) => c.json(await confirmTwoFactor(identityDeps(c), currentUser(c), c.req.valid('json').code), 200))
  .openapi(routes.twoFactorDisable, async (c) => {
    await disableTwoFactor(identityDeps(c), currentUser(c), c.req.valid('json'));
    return c.body(null, 204);
  })
  .openapi(routes.backupCodes, async (c) => c.json(await regenerateBackupCodes(identityDeps(c), currentUser(c), c.req.valid('json').code), 200));

import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/app-env.ts';
import { globalRule, userRule } from '../http/limits.ts';
import { applyRateLimitDecision, byClientIp, consumeRateLimitsAndCheck, enforceRateLimit } from '../http/rate-limit.ts';
import { loadKeyRing } from './keys.ts';
import { revokedSessionKey } from './revocation.ts';
import { verifyToken, type AccessClaims, type Role } from './tokens.ts';

/** Who is calling, from a verified access token of a live session. */
export interface AuthContext {
  userId: string;
  email: string;
  username: string;
  role: Role;
  permissions: readonly string[];
  sessionId: string;
}

const unauthorized = (detail = 'Send a valid access token as "Authorization: Bearer <token>".') =>
  new AppError('unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer realm="flow"' } });

/**
 * Authenticates an access token: verifies it, then in one Redis round trip checks that its
 * session was not ended and counts the call against the caller's per-user limit. A token that
 * fails verification counts against the caller's IP, so garbage tokens cannot dodge the per-IP
 * limit. Shared by the Authorization header and the WebSocket subprotocol (`bearer.<token>`).
 */
export async function authenticateAccessToken(c: Context<AppEnv>, token: string): Promise<AuthContext> {
  if (!token) throw unauthorized();
  const config = c.get('config');
  let claims: AccessClaims;
  try {
    claims = await verifyToken<AccessClaims>(await loadKeyRing(config.JWT_PRIVATE_KEYS), token, 'access');
  } catch (error) {
    const ip = byClientIp(c);
    if (ip !== null) await enforceRateLimit(c, globalRule(config), ip);
    throw error;
  }
  const rule = userRule(config);
  const { decisions: [decision], exists: [denied] } = await consumeRateLimitsAndCheck(c.get('stores').redis, [{ rule, key: claims.sub }], [revokedSessionKey(claims.sessionId)]);
  if (denied) throw unauthorized('The session has ended; log in again.');
  await applyRateLimitDecision(c, rule, decision!);
  return {
    userId: claims.sub,
    email: claims.email,
    username: claims.username,
    role: claims.role,
    permissions: claims.permissions,
    sessionId: claims.sessionId,
  };
}

/** Bearer authentication: calls are limited per authenticated user, anonymous ones per IP. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization');
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  c.set('auth', await authenticateAccessToken(c, token));
  await next();
});

/** For createRoute: the route takes a bearer token (documented) and runs requireAuth first. */
export const authed = { security: [{ bearer: [] }], middleware: requireAuth };

/** The authenticated caller; only valid behind requireAuth. */
export function currentUser(c: Context<AppEnv>): AuthContext {
  const auth = c.get('auth');
  if (!auth) throw unauthorized();
  return auth;
}

/** Whether the caller is an admin or holds `permission`. */
export function hasPermission(auth: AuthContext, permission: string): boolean {
  return auth.role === 'admin' || auth.permissions.includes(permission);
}

/** Only callers with one of these roles (admins always pass). */
export const requireRole = (...roles: Role[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const auth = currentUser(c);
    if (auth.role !== 'admin' && !roles.includes(auth.role)) throw new AppError('forbidden', `This needs the role ${roles.join(' or ')}.`);
    await next();
  });

/** Only callers holding `permission` (admins always pass). */
export const requirePermission = (permission: string) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!hasPermission(currentUser(c), permission)) throw new AppError('forbidden', `This needs the permission ${permission}.`);
    await next();
  });

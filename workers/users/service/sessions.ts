import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { denySessions } from '../../../shared/auth/revocation.ts';
import { AppError } from '../../../shared/errors.ts';
import { sessionsRepo, type RevokeReason, type SessionRow } from '../repo/sessions.ts';
import type { IdentityDeps } from './context.ts';

/** Ends sessions of the caller: put on the deny-list first, so no access token outlives the answer. */
async function end(deps: IdentityDeps, auth: AuthContext, scope: { sessionId?: string; exceptSessionId?: string }, reason: RevokeReason): Promise<string[]> {
  const ended = await sessionsRepo.revoke(deps.stores.postgres, { accountId: auth.userId, ...scope }, reason);
  await denySessions(deps.stores.redis, ended, deps.config.ACCESS_TOKEN_TTL_SECONDS);
  return ended;
}

/** Logout: this session ends now (its access and refresh tokens stop working). */
export async function logout(deps: IdentityDeps, auth: AuthContext): Promise<void> {
  await denySessions(deps.stores.redis, [auth.sessionId], deps.config.ACCESS_TOKEN_TTL_SECONDS);
  await end(deps, auth, { sessionId: auth.sessionId }, 'logout');
}

export async function listSessions(deps: IdentityDeps, auth: AuthContext): Promise<Array<SessionRow & { current: boolean }>> {
  const rows = await sessionsRepo.listActive(deps.stores.postgres, auth.userId);
  return rows.map((row) => ({ ...row, current: row.id === auth.sessionId }));
}

/** Revokes one of the caller's own sessions; another user's session id is simply not found. */
export async function revokeSession(deps: IdentityDeps, auth: AuthContext, sessionId: string): Promise<void> {
  const ended = await end(deps, auth, { sessionId }, 'revoked_by_user');
  if (ended.length === 0) throw new AppError('not_found', 'No such active session.');
}

/** Ends every session of the caller, this one included unless `keepCurrent`. */
export async function revokeAllSessions(deps: IdentityDeps, auth: AuthContext, keepCurrent: boolean, reason: RevokeReason = 'logout_all'): Promise<number> {
  const ended = await end(deps, auth, keepCurrent ? { exceptSessionId: auth.sessionId } : {}, reason);
  return ended.length;
}

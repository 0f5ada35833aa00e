import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from '../../../shared/auth/password.ts';
import { publish } from '../../../shared/bus/producer.ts';
import { AppError } from '../../../shared/errors.ts';
import { loginRules } from '../../../shared/http/limits.ts';
import { consumeRateLimits } from '../../../shared/http/rate-limit.ts';
import { describeError } from '../../../shared/logger.ts';
import { accountsRepo, type Account } from '../repo/accounts.ts';
import { sessionsRepo } from '../repo/sessions.ts';
import { twoFactorRepo } from '../repo/two-factor.ts';
import type { IdentityDeps, RequestOrigin } from './context.ts';
import { recordLogin } from './login-history.ts';
import { issueTokenPair, type TokenPair } from './tokens.ts';
import { issueMfaChallenge, redeemMfaChallenge, type MfaChallenge } from './two-factor.ts';

/** The one answer to every failed login: it never says whether the email exists or is locked. */
export const invalidCredentials = () => new AppError('unauthorized', 'The email or password is wrong.');

/**
 * Checks credentials and opens a session. Throttled per IP and per email before any hashing
 * (and failing closed when Redis is down); unknown emails are hashed against a dummy so timing
 * matches; failures count toward a lockout that only a password reset or time lifts. With
 * two-factor on, a correct password opens nothing yet: it answers a challenge for `loginSecondStep`.
 */
export async function login(deps: IdentityDeps, input: { email: string; password: string }, origin: RequestOrigin): Promise<TokenPair | MfaChallenge> {
  const { stores } = deps;
  const email = input.email.trim().toLowerCase();
  await throttle(deps, origin, email);

  const account = await accountsRepo.findByEmail(stores.postgres, email);
  const passwordMatches = await verifyPassword(input.password, account?.password_hash ?? (await dummyPasswordHash()));
  const usable = account !== null && account.status === 'active' && !isLocked(account);
  if (!account || !usable || !passwordMatches) {
    if (account && account.status === 'active' && !passwordMatches) await countFailure(deps, account, origin);
    deps.waitUntil(recordLogin(deps, { accountId: account?.id ?? null, email, origin, result: failureReason(account, passwordMatches) }));
    throw invalidCredentials();
  }

  const rehashed = needsRehash(account.password_hash) ? await hashPassword(input.password) : null;
  if (account.totp_enabled_at !== null) {
    deps.waitUntil(recordLogin(deps, { accountId: account.id, email, origin, result: 'mfa_required' }));
    return issueMfaChallenge(deps, account, rehashed);
  }
  return openSession(deps, account, origin, { rehashed, mfaVerified: false });
}

/** Login's second step: a TOTP or backup code for the challenge, then the session. */
export async function loginSecondStep(deps: IdentityDeps, input: { mfaToken: string; code: string }, origin: RequestOrigin): Promise<TokenPair> {
  const account = await redeemMfaChallenge(deps, input, origin);
  return openSession(deps, account, origin, { rehashed: null, mfaVerified: true });
}

async function openSession(deps: IdentityDeps, account: Account, origin: RequestOrigin, options: { rehashed: string | null; mfaVerified: boolean }): Promise<TokenPair> {
  const { config, stores } = deps;
  const session = await stores.postgres.transaction(async (tx) => {
    await accountsRepo.recordSuccessfulLogin(tx, account.id, options.rehashed);
    const opened = await sessionsRepo.open(tx, { accountId: account.id, ip: origin.ip, userAgent: origin.userAgent, ttlSeconds: config.REFRESH_TOKEN_TTL_SECONDS });
    if (options.mfaVerified) await twoFactorRepo.markSessionMfaVerified(tx, opened.sessionId);
    return opened;
  });
  deps.waitUntil(recordLogin(deps, { accountId: account.id, email: account.email.toLowerCase(), origin, result: 'success', sessionId: session.sessionId }));
  return issueTokenPair(config, account, session.sessionId, session.refreshId);
}

function isLocked(account: Account): boolean {
  return account.locked_until !== null && account.locked_until.getTime() > Date.now();
}

function failureReason(account: Account | null, passwordMatches: boolean): string {
  if (!account) return 'unknown_account';
  if (account.status !== 'active') return `account_${account.status}`;
  if (isLocked(account)) return passwordMatches ? 'locked' : 'locked_wrong_password';
  return 'wrong_password';
}

async function throttle(deps: IdentityDeps, origin: RequestOrigin, email: string): Promise<void> {
  const redis = deps.stores.redis;
  const rules = loginRules(deps.config);
  const decisions = await consumeRateLimits(redis, [
    { rule: rules.perIp, key: origin.ip ?? 'unknown' },
    { rule: rules.perAccount, key: email },
  ]);
  const blocked = decisions.find((decision) => !decision.allowed);
  if (blocked) {
    throw new AppError('rate_limited', 'Too many login attempts; wait before trying again.', {
      headers: { 'Retry-After': String(Math.max(1, blocked.resetSeconds)) },
    });
  }
}

async function countFailure(deps: IdentityDeps, account: Account, origin: RequestOrigin): Promise<void> {
  const { lockedNow } = await accountsRepo.recordFailedLogin(deps.stores.postgres, account.id, deps.config.LOGIN_MAX_FAILURES, deps.config.LOCKOUT_SECONDS);
  if (!lockedNow) return;
  deps.log.warn('account locked after failed logins', { accountId: account.id });
  const alert = async () => {
    await publish(deps.bus, 'security.alert', { userId: account.id, kind: 'account_locked', ...(origin.ip ? { ip: origin.ip } : {}), ...(origin.userAgent ? { userAgent: origin.userAgent } : {}) });
    await deps.email.send({
      to: account.email,
      category: 'account_locked',
      subject: 'Your Flow account was locked',
      text: `After ${deps.config.LOGIN_MAX_FAILURES} failed login attempts your account is locked for ${Math.round(deps.config.LOCKOUT_SECONDS / 60)} minutes.\n` +
        `If this was not you, reset your password now: it unlocks the account at once.\n${deps.config.APP_URL}/forgot-password`,
    });
  };
  deps.waitUntil(alert().catch((error: unknown) => deps.log.error('lockout alert not sent', { accountId: account.id, ...describeError(error) })));
}

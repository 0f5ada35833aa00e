import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { checkPasswordStrength, dummyPasswordHash, hashPassword, verifyPassword } from '../../../shared/auth/password.ts';
import { hashToken, randomToken } from '../../../shared/auth/random.ts';
import { denySessions } from '../../../shared/auth/revocation.ts';
import { publish } from '../../../shared/bus/producer.ts';
import { AppError } from '../../../shared/errors.ts';
import { loginRules } from '../../../shared/http/limits.ts';
import { resetRateLimit } from '../../../shared/http/rate-limit.ts';
import { describeError } from '../../../shared/logger.ts';
import { accountsRepo } from '../repo/accounts.ts';
import { oneTimeTokensRepo, type TokenPurpose } from '../repo/one-time-tokens.ts';
import { sessionsRepo } from '../repo/sessions.ts';
import type { IdentityDeps } from './context.ts';
import { invalidCredentials } from './login.ts';

const ONE_TIME_TOKEN_TTL_SECONDS = 600;

function rejectWeak(password: string, context: { email?: string; username?: string }): void {
  const problem = checkPasswordStrength(password, context);
  if (problem) throw new AppError('validation_failed', problem, { extensions: { errors: [{ in: 'json', path: 'password', message: problem }] } });
}

// Mail goes out after the answer, so known and unknown addresses take the same time to answer.
function sendLater(deps: IdentityDeps, send: () => Promise<void>): void {
  deps.waitUntil(send().catch((error: unknown) => deps.log.error('email not sent', describeError(error))));
}

async function emailToken(deps: IdentityDeps, account: { id: string; email: string }, purpose: TokenPurpose): Promise<string> {
  const token = randomToken();
  await oneTimeTokensRepo.voidOutstanding(deps.stores.postgres, account.id, purpose);
  await oneTimeTokensRepo.create(deps.stores.postgres, { accountId: account.id, purpose, tokenHash: await hashToken(token), email: account.email, ttlSeconds: ONE_TIME_TOKEN_TTL_SECONDS });
  return token;
}

/**
 * Registration answers the same for a new and an already registered email (no enumeration): the
 * owner of an existing address gets an email saying so, a new one gets a verification link.
 */
export async function register(deps: IdentityDeps, input: { email: string; username: string; password: string; displayName?: string }): Promise<void> {
  const email = input.email.trim();
  rejectWeak(input.password, { email, username: input.username });
  if (await accountsRepo.usernameTaken(deps.stores.postgres, input.username)) {
    throw new AppError('conflict', 'That username is taken.'); // usernames are public; emails are not
  }
  const passwordHash = await hashPassword(input.password); // also for known emails: same timing
  const account = await deps.stores.postgres.transaction((tx) => accountsRepo.create(tx, { email, username: input.username, passwordHash, displayName: input.displayName }));
  const appUrl = deps.config.APP_URL;
  if (!account) {
    sendLater(deps, () => deps.email.send({
      to: email,
      category: 'register_existing',
      subject: 'Someone tried to sign up with your email',
      text: `Your email already has a Flow account. If that was you, log in or reset your password: ${appUrl}/forgot-password`,
    }));
    return;
  }
  const token = await emailToken(deps, account, 'email_verification');
  await publish(deps.bus, 'user.registered', { userId: account.id, email: account.email, username: account.username });
  sendLater(deps, () => deps.email.send({
    to: account.email,
    category: 'email_verification',
    subject: 'Confirm your email for Flow',
    text: `Welcome to Flow, ${account.username}! Confirm your email within 10 minutes: ${appUrl}/verify-email?token=${token}`,
  }));
}

/** Redeems an email verification token (once, within 10 minutes). */
export async function verifyEmail(deps: IdentityDeps, token: string): Promise<void> {
  const redeemed = await oneTimeTokensRepo.redeem(deps.stores.postgres, await hashToken(token), 'email_verification');
  if (!redeemed) throw new AppError('bad_request', 'The link is invalid, used or expired.');
  await accountsRepo.markEmailVerified(deps.stores.postgres, redeemed.accountId);
}

/** Sends a reset link when the address has an account; answers the same either way. */
export async function forgotPassword(deps: IdentityDeps, emailInput: string): Promise<void> {
  const account = await accountsRepo.findByEmail(deps.stores.postgres, emailInput.trim());
  if (!account || account.status !== 'active') return;
  const token = await emailToken(deps, account, 'password_reset');
  sendLater(deps, () => deps.email.send({
    to: account.email,
    category: 'password_reset',
    subject: 'Reset your Flow password',
    text: `Reset your password within 10 minutes: ${deps.config.APP_URL}/reset-password?token=${token}\nIf you did not ask for this, ignore this email.`,
  }));
}

/**
 * Sets a new password from a reset link: lifts a lockout and ends every session. It logs nobody
 * in, so two-factor still guards the next login.
 */
export async function resetPassword(deps: IdentityDeps, input: { token: string; password: string }): Promise<void> {
  const { stores, config } = deps;
  const tokenHash = await hashToken(input.token);
  const invalidLink = () => new AppError('bad_request', 'The link is invalid, used or expired.');
  // Check the new password before using the token up, so a refused password does not burn the link.
  const pending = await oneTimeTokensRepo.peek(stores.postgres, tokenHash, 'password_reset');
  const account = pending ? await accountsRepo.findById(stores.postgres, pending.accountId) : null;
  if (!account) throw invalidLink();
  rejectWeak(input.password, { email: account.email, username: account.username });
  if (!(await oneTimeTokensRepo.redeem(stores.postgres, tokenHash, 'password_reset'))) throw invalidLink();
  await accountsRepo.setPassword(stores.postgres, account.id, await hashPassword(input.password));
  // The owner proved control of the address: their login throttle starts afresh with the lock.
  await resetRateLimit(stores.redis, loginRules(config).perAccount, account.email.toLowerCase());
  const ended = await sessionsRepo.revoke(stores.postgres, { accountId: account.id }, 'password_reset');
  await denySessions(stores.redis, ended, config.ACCESS_TOKEN_TTL_SECONDS);
  await publish(deps.bus, 'security.alert', { userId: account.id, kind: 'password_changed' });
}

/** Changes the caller's password (the current one is required) and ends their other sessions. */
export async function changePassword(deps: IdentityDeps, auth: AuthContext, input: { currentPassword: string; newPassword: string }): Promise<number> {
  const { stores, config } = deps;
  const account = await accountsRepo.findById(stores.postgres, auth.userId);
  if (!(await verifyPassword(input.currentPassword, account?.password_hash ?? (await dummyPasswordHash()))) || !account) throw invalidCredentials();
  rejectWeak(input.newPassword, { email: account.email, username: account.username });
  await accountsRepo.setPassword(stores.postgres, account.id, await hashPassword(input.newPassword));
  const ended = await sessionsRepo.revoke(stores.postgres, { accountId: account.id, exceptSessionId: auth.sessionId }, 'password_changed');
  await denySessions(stores.redis, ended, config.ACCESS_TOKEN_TTL_SECONDS);
  await publish(deps.bus, 'security.alert', { userId: account.id, kind: 'password_changed' });
  return ended.length;
}

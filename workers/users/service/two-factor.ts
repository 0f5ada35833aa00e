import { decryptSecret, encryptSecret, hmacCode } from '../../../shared/auth/encryption.ts';
import { loadKeyRing } from '../../../shared/auth/keys.ts';
import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { verifyPassword } from '../../../shared/auth/password.ts';
import { signToken, verifyToken } from '../../../shared/auth/tokens.ts';
import { matchingStep, newTotpSecret, otpauthUri } from '../../../shared/auth/totp.ts';
import { publish } from '../../../shared/bus/producer.ts';
import { AppError } from '../../../shared/errors.ts';
import { consumeRateLimits, type RateLimitRule } from '../../../shared/http/rate-limit.ts';
import { accountsRepo, type Account } from '../repo/accounts.ts';
import { twoFactorRepo, type TwoFactorState } from '../repo/two-factor.ts';
import type { IdentityDeps, RequestOrigin } from './context.ts';
import { recordLogin } from './login-history.ts';

/** What a correct password answers when the account has two-factor on. */
export interface MfaChallenge {
  mfaRequired: true;
  mfaToken: string;
  expiresIn: number;
}

const MFA_TOKEN_TTL_SECONDS = 300;
const BACKUP_CODE_COUNT = 10;
// 32 symbols (no l, o, 0, 1 to misread), so a random byte masked to 5 bits picks one uniformly.
const BACKUP_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const BACKUP_CODE = /^[a-z2-9]{10}$/;
const TOTP_CODE = /^\d{6}$/;
// Every code check of an account (login second step, confirm, disable, new backup codes) counts
// here. Closed like the login limits: with Redis down nothing would count guesses.
const SECOND_FACTOR_RULE: RateLimitRule = { name: '2fa-account', limit: 5, windowSeconds: 900, failure: 'closed' };
const challengeKey = (jti: string) => `auth:mfa-challenge:${jti}`;

const wrongCode = () => new AppError('unauthorized', 'The code is wrong, expired or already used.');
const challengeRefused = () => new AppError('unauthorized', 'The login challenge is invalid, expired or already used; log in again.');
const alreadyOn = () => new AppError('conflict', 'Two-factor authentication is already enabled.');

/** Starts setup: a new secret, stored encrypted and not yet enabled; shown to the caller once. */
export async function setupTwoFactor(deps: IdentityDeps, auth: AuthContext): Promise<{ secret: string; otpauthUri: string }> {
  const state = await activeState(deps, auth.userId);
  if (state.enabledAt) throw alreadyOn();
  const secret = newTotpSecret();
  const stored = await encryptSecret(deps.config.DATA_ENCRYPTION_KEY, secret, auth.userId);
  if (!(await twoFactorRepo.saveSecret(deps.stores.postgres, auth.userId, stored))) throw alreadyOn();
  return { secret, otpauthUri: otpauthUri(secret, auth.email) };
}

/** The first valid code enables two-factor and yields the backup codes, shown this once. */
export async function confirmTwoFactor(deps: IdentityDeps, auth: AuthContext, code: string): Promise<{ backupCodes: string[] }> {
  await throttle(deps, auth.userId);
  const state = await activeState(deps, auth.userId);
  if (state.enabledAt) throw alreadyOn();
  const secretEncrypted = state.secretEncrypted;
  if (!secretEncrypted) throw new AppError('conflict', 'Start with POST /api/v1/auth/2fa/setup.');
  const step = matchingStep(await decryptSecret(deps.config.DATA_ENCRYPTION_KEY, secretEncrypted, auth.userId), code);
  if (step === null) throw wrongCode();
  const { codes, hashes } = await newBackupCodes(deps);
  const enabled = await deps.stores.postgres.transaction(async (tx) => {
    if (!(await twoFactorRepo.enable(tx, auth.userId, secretEncrypted, step))) return false;
    await twoFactorRepo.replaceBackupCodes(tx, auth.userId, hashes);
    return true;
  });
  if (!enabled) throw wrongCode(); // a concurrent confirm won, or setup replaced the secret meanwhile
  await alert(deps, auth.userId);
  return { backupCodes: codes };
}

/** Turns two-factor off; needs the password and a code (TOTP or backup). */
export async function disableTwoFactor(deps: IdentityDeps, auth: AuthContext, input: { password: string; code: string }): Promise<void> {
  await throttle(deps, auth.userId); // before hashing, like login
  const state = await enabledState(deps, auth.userId);
  const account = await accountsRepo.findById(deps.stores.postgres, auth.userId);
  const refused = () => new AppError('unauthorized', 'The password or the code is wrong.');
  if (!account || !(await verifyPassword(input.password, account.password_hash))) throw refused();
  if (!(await redeemCode(deps, auth.userId, state, input.code))) throw refused();
  await deps.stores.postgres.transaction((tx) => twoFactorRepo.disable(tx, auth.userId));
  await alert(deps, auth.userId);
}

/** Replaces the backup codes after a code (TOTP or backup); the old ones stop working. */
export async function regenerateBackupCodes(deps: IdentityDeps, auth: AuthContext, code: string): Promise<{ backupCodes: string[] }> {
  await throttle(deps, auth.userId);
  const state = await enabledState(deps, auth.userId);
  if (!(await redeemCode(deps, auth.userId, state, code))) throw wrongCode();
  const { codes, hashes } = await newBackupCodes(deps);
  await deps.stores.postgres.transaction((tx) => twoFactorRepo.replaceBackupCodes(tx, auth.userId, hashes));
  await alert(deps, auth.userId);
  return { backupCodes: codes };
}

/**
 * Login's answer to a correct password when two-factor is on: no session, a 5-minute token for
 * the second step instead. It names the password's version, so a reset in between voids it.
 */
export async function issueMfaChallenge(deps: IdentityDeps, account: Account, rehashed: string | null): Promise<MfaChallenge> {
  const { stores, config } = deps;
  if (rehashed) await twoFactorRepo.storeRehash(stores.postgres, account.id, rehashed);
  const state = await twoFactorRepo.state(stores.postgres, account.id);
  if (!state?.enabledAt) throw challengeRefused();
  const ring = await loadKeyRing(config.JWT_PRIVATE_KEYS);
  const mfaToken = await signToken(ring, 'mfa', { sub: account.id, pwdAt: state.passwordChangedAt.getTime() }, MFA_TOKEN_TTL_SECONDS);
  return { mfaRequired: true, mfaToken, expiresIn: MFA_TOKEN_TTL_SECONDS };
}

/**
 * Checks login's second step and returns the account to open the session for. The challenge
 * opens at most one session: its jti is claimed in Redis (SET NX) before the code is checked.
 */
export async function redeemMfaChallenge(deps: IdentityDeps, input: { mfaToken: string; code: string }, origin: RequestOrigin): Promise<Account> {
  const { stores, config } = deps;
  const token = await verifyToken<{ sub: string; pwdAt?: unknown }>(await loadKeyRing(config.JWT_PRIVATE_KEYS), input.mfaToken, 'mfa');
  await throttle(deps, token.sub);
  const key = challengeKey(token.jti);
  const ttlSeconds = Math.max(1, token.exp - Math.floor(Date.now() / 1000) + 10);
  if ((await stores.redis.run((redis) => redis.set(key, 'used', { nx: true, ex: ttlSeconds }))) !== 'OK') throw challengeRefused();

  const account = await accountsRepo.findById(stores.postgres, token.sub);
  const state = account ? await twoFactorRepo.state(stores.postgres, account.id) : null;
  if (!account || account.status !== 'active' || !state?.enabledAt || state.passwordChangedAt.getTime() !== token.pwdAt) throw challengeRefused();
  if (!(await redeemCode(deps, account.id, state, input.code))) {
    // A mistyped code should not send the user back to the password form: the challenge is
    // released and may be retried until it expires; the per-account throttle bounds the guesses.
    await stores.redis.run((redis) => redis.del(key));
    deps.waitUntil(recordLogin(deps, { accountId: account.id, email: account.email.toLowerCase(), origin, result: 'wrong_second_factor' }));
    throw wrongCode();
  }
  return account;
}

/**
 * Accepts a TOTP code or a backup code once, also under concurrent submission: the TOTP step is
 * claimed by a conditional update (only a later step than the last accepted one), a backup code
 * by a conditional update of its unused row.
 */
async function redeemCode(deps: IdentityDeps, accountId: string, state: TwoFactorState, code: string): Promise<boolean> {
  const { stores, config } = deps;
  const compact = code.replace(/[\s-]/g, '').toLowerCase();
  if (TOTP_CODE.test(compact)) {
    if (!state.secretEncrypted) return false;
    const step = matchingStep(await decryptSecret(config.DATA_ENCRYPTION_KEY, state.secretEncrypted, accountId), compact);
    return step !== null && twoFactorRepo.claimStep(stores.postgres, accountId, step);
  }
  if (!BACKUP_CODE.test(compact)) return false;
  return twoFactorRepo.redeemBackupCode(stores.postgres, accountId, await hmacCode(config.DATA_ENCRYPTION_KEY, compact));
}

async function newBackupCodes(deps: IdentityDeps): Promise<{ codes: string[]; hashes: string[] }> {
  const compact = new Set<string>();
  while (compact.size < BACKUP_CODE_COUNT) {
    compact.add([...crypto.getRandomValues(new Uint8Array(10))].map((byte) => BACKUP_ALPHABET[byte & 31]).join(''));
  }
  const hashes = await Promise.all([...compact].map((code) => hmacCode(deps.config.DATA_ENCRYPTION_KEY, code)));
  return { codes: [...compact].map((code) => `${code.slice(0, 5)}-${code.slice(5)}`), hashes };
}

async function activeState(deps: IdentityDeps, accountId: string): Promise<TwoFactorState> {
  const state = await twoFactorRepo.state(deps.stores.postgres, accountId);
  if (!state) throw new AppError('unauthorized', 'The account is not active.');
  return state;
}

async function enabledState(deps: IdentityDeps, accountId: string): Promise<TwoFactorState> {
  const state = await activeState(deps, accountId);
  if (!state.enabledAt) throw new AppError('conflict', 'Two-factor authentication is not enabled.');
  return state;
}

async function throttle(deps: IdentityDeps, accountId: string): Promise<void> {
  const [decision] = await consumeRateLimits(deps.stores.redis, [{ rule: SECOND_FACTOR_RULE, key: accountId }]);
  if (decision && !decision.allowed) {
    throw new AppError('rate_limited', 'Too many two-factor attempts; wait before trying again.', {
      headers: { 'Retry-After': String(decision.resetSeconds) },
    });
  }
}

function alert(deps: IdentityDeps, userId: string): Promise<unknown> {
  return publish(deps.bus, 'security.alert', { userId, kind: 'two_factor_changed' });
}

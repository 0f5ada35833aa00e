import { loadKeyRing } from '../../../shared/auth/keys.ts';
import { denySessions } from '../../../shared/auth/revocation.ts';
import { verifyToken } from '../../../shared/auth/tokens.ts';
import { publish } from '../../../shared/bus/producer.ts';
import { AppError } from '../../../shared/errors.ts';
import { accountsRepo } from '../repo/accounts.ts';
import { sessionsRepo } from '../repo/sessions.ts';
import type { IdentityDeps } from './context.ts';
import { issueTokenPair, type TokenPair } from './tokens.ts';

const PENDING = 'pending';
const REFUSED = 'refused';
const WAIT_STEP_MS = 50;
const WAIT_LIMIT_MS = 3_000;
const claimKey = (jti: string) => `auth:refresh:${jti}`;
const refused = () => new AppError('unauthorized', 'The refresh token is invalid, expired or already used; log in again.');

/**
 * Rotates a refresh token. The first request for a token claims it in Redis and rotates it in
 * Postgres; concurrent requests for the same token wait for that result and get the same pair
 * (one chain, no errors), and so does the client's own retry within the grace window. After it,
 * presenting the token again is reuse: the whole session (token family) is revoked.
 */
export async function refresh(deps: IdentityDeps, refreshToken: string): Promise<TokenPair> {
  const { config, stores } = deps;
  const token = await verifyToken<{ sessionId: string }>(await loadKeyRing(config.JWT_PRIVATE_KEYS), refreshToken, 'refresh');
  const key = claimKey(token.jti);
  const claimed = await stores.redis.run((redis) => redis.set(key, PENDING, { nx: true, ex: 30 }));
  if (claimed !== 'OK') return awaitRotation(deps, key);

  try {
    const pair = await rotate(deps, token.jti);
    const graceSeconds = Math.max(1, config.REFRESH_REUSE_GRACE_SECONDS);
    await stores.redis.run((redis) => redis.set(key, JSON.stringify(pair), { ex: graceSeconds }));
    return pair;
  } catch (error) {
    await stores.redis.run((redis) => redis.set(key, REFUSED, { ex: 30 })).catch(() => {});
    throw error;
  }
}

async function rotate(deps: IdentityDeps, jti: string): Promise<TokenPair> {
  const { config, stores } = deps;
  const outcome = await stores.postgres.transaction(async (tx) => {
    const rotation = await sessionsRepo.rotate(tx, jti, config.REFRESH_TOKEN_TTL_SECONDS);
    if (rotation.kind === 'reused') {
      await sessionsRepo.revoke(tx, { accountId: rotation.accountId, sessionId: rotation.sessionId }, 'refresh_token_reuse');
    }
    const account = rotation.kind === 'rotated' ? await accountsRepo.findById(tx, rotation.accountId) : null;
    return { rotation, account };
  });
  const { rotation, account } = outcome;
  if (rotation.kind === 'reused') {
    await denySessions(stores.redis, [rotation.sessionId], config.ACCESS_TOKEN_TTL_SECONDS);
    deps.log.warn('refresh token reuse: session revoked', { accountId: rotation.accountId, sessionId: rotation.sessionId });
    await publish(deps.bus, 'security.alert', { userId: rotation.accountId, kind: 'refresh_token_reuse' });
    throw refused();
  }
  if (rotation.kind !== 'rotated' || !account || account.status !== 'active') throw refused();
  return issueTokenPair(config, account, rotation.sessionId, rotation.childId);
}

async function awaitRotation(deps: IdentityDeps, key: string): Promise<TokenPair> {
  for (let waited = 0; waited <= WAIT_LIMIT_MS; waited += WAIT_STEP_MS) {
    const value = await deps.stores.redis.run((redis) => redis.get<string | TokenPair>(key));
    if (value === null || value === REFUSED) throw refused();
    if (value !== PENDING) return typeof value === 'string' ? (JSON.parse(value) as TokenPair) : value;
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
  throw new AppError('store_unavailable', 'The token is being refreshed; retry shortly.', { headers: { 'Retry-After': '1' } });
}

import { loadKeyRing } from '../../../shared/auth/keys.ts';
import { signToken, type AccessClaims } from '../../../shared/auth/tokens.ts';
import type { Config } from '../../../shared/config.ts';
import type { Account } from '../repo/accounts.ts';

/** What login and refresh answer. */
export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  sessionId: string;
}

/** Signs an access token for the account's session and a refresh token whose jti is `refreshId`. */
export async function issueTokenPair(config: Config, account: Pick<Account, 'id' | 'email' | 'username' | 'role' | 'permissions'>, sessionId: string, refreshId: string): Promise<TokenPair> {
  const ring = await loadKeyRing(config.JWT_PRIVATE_KEYS);
  const claims: AccessClaims = {
    sub: account.id,
    email: account.email,
    username: account.username,
    role: account.role,
    permissions: account.permissions,
    sessionId,
  };
  const [accessToken, refreshToken] = await Promise.all([
    signToken(ring, 'access', { ...claims }, config.ACCESS_TOKEN_TTL_SECONDS),
    signToken(ring, 'refresh', { sub: account.id, sessionId }, config.REFRESH_TOKEN_TTL_SECONDS, refreshId),
  ]);
  return {
    tokenType: 'Bearer',
    accessToken,
    expiresIn: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshToken,
    refreshExpiresIn: config.REFRESH_TOKEN_TTL_SECONDS,
    sessionId,
  };
}

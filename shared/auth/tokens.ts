import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { AppError } from '../errors.ts';
import { JWT_ALGORITHM, type KeyRing } from './keys.ts';

export const TOKEN_ISSUER = 'flow-app';
export const TOKEN_AUDIENCE = 'flow-users';

/** What a token is for; a token of one kind is never accepted as another (RFC 8725 3.11). */
export type TokenUse = 'access' | 'refresh' | 'mfa' | 'ws_ticket' | 'ticket';

export type Role = 'admin' | 'moderator' | 'user';

/** Claims of an access token, as the seed defines them. */
export interface AccessClaims {
  sub: string;
  email: string;
  username: string;
  role: Role;
  permissions: string[];
  sessionId: string;
}

export type VerifiedToken<Claims> = Claims & { jti: string; exp: number; iat: number; token_use: TokenUse };

/** Signs a token of `use` with the active key, valid for `ttlSeconds`. */
export async function signToken(ring: KeyRing, use: TokenUse, claims: Record<string, unknown> & { sub: string }, ttlSeconds: number, jti: string = crypto.randomUUID()): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims, token_use: use })
    .setProtectedHeader({ alg: JWT_ALGORITHM, kid: ring.activeKid, typ: `${use}+jwt` })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(claims.sub)
    .setJti(jti)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(ring.signingKey);
}

/**
 * Verifies signature (EdDSA only, key chosen by `kid` among ours), issuer, audience, expiry,
 * not-before and purpose. Any failure is the same 401: callers learn nothing about why.
 */
export async function verifyToken<Claims = Record<string, unknown>>(ring: KeyRing, token: string, use: TokenUse): Promise<VerifiedToken<Claims>> {
  try {
    const { payload } = await jwtVerify(token, (header) => {
      const key = header.kid ? ring.verificationKeys.get(header.kid) : undefined;
      if (!key) throw new Error('unknown key id');
      return key;
    }, {
      algorithms: [JWT_ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      typ: `${use}+jwt`,
      requiredClaims: ['sub', 'jti', 'exp', 'iat', 'nbf'],
      clockTolerance: 5,
    });
    if ((payload as JWTPayload & { token_use?: unknown }).token_use !== use) throw new Error('wrong token use');
    return payload as unknown as VerifiedToken<Claims>;
  } catch (error) {
    throw new AppError('unauthorized', 'The token is invalid or expired.', { cause: error, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
  }
}

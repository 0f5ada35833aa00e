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

const CLOCK_TOLERANCE_SECONDS = 5;

/** An access token whose signature, header and fixed claims were checked, with the times that still need checking. */
interface VerifiedEntry {
  payload: VerifiedToken<Record<string, unknown>>;
  exp: number;
  nbf: number;
}

// Access tokens are presented on every call of a session for their whole lifetime, so a token
// whose signature and fixed claims (alg, kid, typ, iss, aud, token_use) were checked once is
// remembered by its exact text; only its times are checked again on each use. Per key ring, so a
// rotated secret starts afresh; bounded, oldest first out. Only successes are kept.
const VERIFIED_CAPACITY = 2_000;
const verifiedAccess = new WeakMap<KeyRing, Map<string, VerifiedEntry>>();

function timesValid(entry: VerifiedEntry): boolean {
  const now = Math.floor(Date.now() / 1000);
  return entry.nbf <= now + CLOCK_TOLERANCE_SECONDS && entry.exp > now - CLOCK_TOLERANCE_SECONDS;
}

function remember(ring: KeyRing, token: string, payload: VerifiedToken<Record<string, unknown>>): void {
  let cache = verifiedAccess.get(ring);
  if (!cache) verifiedAccess.set(ring, (cache = new Map()));
  if (cache.size >= VERIFIED_CAPACITY) cache.delete(cache.keys().next().value!);
  // Shared by every later request presenting the token: nobody may change it.
  if (Array.isArray(payload.permissions)) Object.freeze(payload.permissions);
  cache.set(token, { payload: Object.freeze(payload), exp: payload.exp, nbf: payload.nbf as number });
}

const invalidToken = (cause: unknown) =>
  new AppError('unauthorized', 'The token is invalid or expired.', { cause, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });

/**
 * Verifies signature (EdDSA only, key chosen by `kid` among ours), issuer, audience, expiry,
 * not-before and purpose. Any failure is the same 401: callers learn nothing about why.
 * Access tokens already verified in this isolate only have their expiry and not-before checked again.
 */
export async function verifyToken<Claims = Record<string, unknown>>(ring: KeyRing, token: string, use: TokenUse): Promise<VerifiedToken<Claims>> {
  const known = use === 'access' ? verifiedAccess.get(ring)?.get(token) : undefined;
  if (known) {
    if (timesValid(known)) return known.payload as unknown as VerifiedToken<Claims>;
    verifiedAccess.get(ring)?.delete(token);
    throw invalidToken(new Error('token expired or not yet valid'));
  }
  let verified: VerifiedToken<Claims>;
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
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    if ((payload as JWTPayload & { token_use?: unknown }).token_use !== use) throw new Error('wrong token use');
    verified = payload as unknown as VerifiedToken<Claims>;
  } catch (error) {
    throw invalidToken(error);
  }
  if (use === 'access') remember(ring, token, verified as VerifiedToken<Record<string, unknown>>);
  return verified;
}

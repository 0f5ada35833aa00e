import { importJWK, type JWK } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors.ts';

/** The only algorithm Flow signs and accepts: never read from a token's header. */
export const JWT_ALGORITHM = 'EdDSA';

const privateJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  kid: z.string().min(1).max(64),
  x: z.string().min(1),
  d: z.string().min(1),
});

/** Signing and verification keys: the first is the active signer, the rest still verify. */
export interface KeyRing {
  activeKid: string;
  signingKey: CryptoKey;
  verificationKeys: ReadonlyMap<string, CryptoKey>;
  /** Public halves, for /.well-known/jwks.json. */
  publicJwks: JWK[];
}

// Keys are parsed and imported once per isolate per secret value (rotation deploys a new value).
const rings = new Map<string, Promise<KeyRing>>();

/**
 * Reads JWT_PRIVATE_KEYS: a JSON array of Ed25519 private JWKs, newest first. Rotation: prepend a
 * new key (it signs from then on), keep the old one until every token it signed has expired.
 */
export function loadKeyRing(secret: string): Promise<KeyRing> {
  let ring = rings.get(secret);
  if (!ring) {
    ring = importKeyRing(secret);
    rings.set(secret, ring);
    ring.catch(() => rings.delete(secret));
  }
  return ring;
}

async function importKeyRing(secret: string): Promise<KeyRing> {
  let parsed: z.infer<typeof privateJwk>[];
  try {
    parsed = z.array(privateJwk).min(1).parse(JSON.parse(secret));
  } catch (error) {
    throw new AppError('misconfigured', 'Missing or invalid configuration: JWT_PRIVATE_KEYS', { extensions: { settings: ['JWT_PRIVATE_KEYS'] }, cause: error });
  }
  const verificationKeys = new Map<string, CryptoKey>();
  const publicJwks: JWK[] = [];
  let signingKey: CryptoKey | undefined;
  for (const jwk of parsed) {
    const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: jwk.kid, alg: JWT_ALGORITHM, use: 'sig' };
    verificationKeys.set(jwk.kid, (await importJWK(publicJwk, JWT_ALGORITHM)) as CryptoKey);
    publicJwks.push(publicJwk);
    signingKey ??= (await importJWK({ ...publicJwk, d: jwk.d }, JWT_ALGORITHM)) as CryptoKey;
  }
  return { activeKid: parsed[0]!.kid, signingKey: signingKey!, verificationKeys, publicJwks };
}

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';

/**
 * A fresh JWT_PRIVATE_KEYS value: a JSON array holding one Ed25519 private JWK with a kid.
 * For local development, tests and benchmarks; production keys are made the same way and set
 * with `wrangler secret put JWT_PRIVATE_KEYS`.
 */
export function generateSigningKeys(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return JSON.stringify([{ ...jwk, kid: randomUUID().slice(0, 8), alg: 'EdDSA' }]);
}

/** A fresh DATA_ENCRYPTION_KEY value: 32 random bytes, base64. */
export function generateDataKey(): string {
  return randomBytes(32).toString('base64');
}

// `node scripts/lib/signing-key.ts` prints new values, e.g. for `wrangler secret put`.
if (import.meta.main) {
  console.log(`JWT_PRIVATE_KEYS=${generateSigningKeys()}`);
  console.log(`DATA_ENCRYPTION_KEY=${generateDataKey()}`);
}

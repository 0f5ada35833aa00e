import { Secret, TOTP } from 'otpauth';

/** Shown by authenticator apps next to the account. */
export const TOTP_ISSUER = 'Flow';

// What every authenticator app assumes when the URI says nothing else (RFC 6238 defaults).
const SETTINGS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
const SECRET_BYTES = 20; // 160 bits, the HMAC-SHA1 block the RFC recommends
// One step either side (±30 s) for clock drift between phone and server.
const WINDOW = 1;
const CODE = /^\d{6}$/;

/** A new random TOTP secret, base32 (what users type in or scan). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The otpauth:// URI for QR codes: issuer "Flow", the account email as label. */
export function otpauthUri(secret: string, email: string): string {
  return new TOTP({ issuer: TOTP_ISSUER, label: email, secret: Secret.fromBase32(secret), ...SETTINGS }).toString();
}

/**
 * The 30-second time-step `code` belongs to (within one step of `now`), or null when it matches
 * none. The caller stores the step and accepts only later ones, so each code works once.
 */
export function matchingStep(secret: string, code: string, now: number = Date.now()): number | null {
  if (!CODE.test(code)) return null;
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secret), ...SETTINGS, timestamp: now, window: WINDOW });
  return delta === null ? null : TOTP.counter({ period: SETTINGS.period, timestamp: now }) + delta;
}

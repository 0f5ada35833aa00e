import { argon2id } from '@noble/hashes/argon2.js';
import { randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { scryptSync, timingSafeEqual } from 'node:crypto';
import { COMMON_PASSWORDS } from './common-passwords.ts';

/** How passwords are hashed; only the fields of the chosen algorithm matter. */
export interface PasswordPolicy {
  algorithm: 'argon2id' | 'scrypt';
  /** argon2id memory in KiB. */
  memoryKiB: number;
  /** argon2id passes over memory. */
  iterations: number;
  /** argon2id lanes. */
  parallelism: number;
  /** scrypt cost as log2(N). */
  logN: number;
  /** scrypt block size. */
  r: number;
  /** scrypt parallelization. */
  p: number;
}

/**
 * OWASP's first argon2id recommendation (19 MiB, 2 passes, 1 lane). On workerd (`npm run bench --
 * password-hash`) it and the scrypt OWASP rates equal (native, N=2^15, r=8, p=3) each took 180-230 ms
 * CPU per hash, and which was ahead changed from run to run: scrypt is not clearly cheaper, and it
 * needs 32 MiB of a 128 MB isolate where argon2id needs 19 MiB.
 */
export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({
  algorithm: 'argon2id',
  memoryKiB: 19_456,
  iterations: 2,
  parallelism: 1,
  logN: 15,
  r: 8,
  p: 3,
});

const SALT_BYTES = 16;
const HASH_BYTES = 32;
// Ceilings for what a stored string may ask for, so a corrupted or planted row cannot make one
// verification allocate or spin without bound. scrypt's N*r*p cap is workerd's own.
const MAX_MEMORY_BYTES = 64 * 1024 * 1024;
const MAX_ARGON2_ITERATIONS = 10;
const MAX_ARGON2_PARALLELISM = 4;
const MAX_SCRYPT_WORK = 2 ** 20;

function withinLimits(policy: PasswordPolicy): boolean {
  const whole = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  if (policy.algorithm === 'argon2id') {
    return (
      whole(policy.parallelism, 1, MAX_ARGON2_PARALLELISM) &&
      whole(policy.memoryKiB, 8 * policy.parallelism, MAX_MEMORY_BYTES / 1024) &&
      whole(policy.iterations, 1, MAX_ARGON2_ITERATIONS)
    );
  }
  if (policy.algorithm !== 'scrypt' || !whole(policy.logN, 1, 20) || !whole(policy.r, 1, 32) || !whole(policy.p, 1, 16)) return false;
  const n = 2 ** policy.logN;
  // The memory scrypt's own maxmem check counts.
  return 128 * policy.r * (n + policy.p + 2) <= MAX_MEMORY_BYTES && n * policy.r * policy.p <= MAX_SCRYPT_WORK;
}

// Hashing holds 19-32 MiB of a 128 MB isolate that serves concurrent requests. In workerd both KDFs
// run to completion on the isolate's thread (native scrypt too, even through its callback API), so
// today hashes never overlap; the cap keeps the bound explicit should a KDF ever yield mid-hash.
const MAX_CONCURRENT_HASHES = 2;
let runningHashes = 0;
const waitingForSlot: (() => void)[] = [];

async function inHashSlot<T>(work: () => T | Promise<T>): Promise<T> {
  while (runningHashes >= MAX_CONCURRENT_HASHES) {
    await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  }
  runningHashes++;
  try {
    return await work();
  } finally {
    runningHashes--;
    // Wake every waiter and let them race for the slot: handing it to one could strand it with a
    // request that was cancelled meanwhile, whose continuation never runs.
    for (const wake of waitingForSlot.splice(0)) wake();
  }
}

function derive(password: string, policy: PasswordPolicy, salt: Uint8Array, length: number): Uint8Array {
  // NFKC, as NIST SP 800-63B recommends: the same password typed on another keyboard, OS or IME may arrive
  // composed or decomposed ("é" vs "e"+U+0301) or in full-width forms, and must still match.
  const secret = utf8ToBytes(password.normalize('NFKC'));
  if (policy.algorithm === 'argon2id') {
    const { memoryKiB: m, iterations: t, parallelism: p } = policy;
    return argon2id(secret, salt, { m, t, p, dkLen: length, maxmem: MAX_MEMORY_BYTES });
  }
  const cost = { N: 2 ** policy.logN, r: policy.r, p: policy.p, maxmem: MAX_MEMORY_BYTES };
  return new Uint8Array(scryptSync(secret, salt, length, cost));
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, '');

// PHC base64 (standard alphabet, no padding). Only the canonical spelling decodes, so a changed
// character can never leave the bytes as they were.
function fromBase64(text: string): Uint8Array | null {
  try {
    const bytes = Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
    return toBase64(bytes) === text ? bytes : null;
  } catch {
    return null;
  }
}

interface StoredHash {
  policy: PasswordPolicy;
  salt: Uint8Array;
  hash: Uint8Array;
}

// Bounded quantifiers only: matching stays linear on any input.
const NUMBER = '([1-9][0-9]{0,6})';
const B64 = '([A-Za-z0-9+/]{11,86})';
const ARGON2_PHC = new RegExp(`^\\$argon2id\\$v=19\\$m=${NUMBER},t=${NUMBER},p=${NUMBER}\\$${B64}\\$${B64}$`);
const SCRYPT_PHC = new RegExp(`^\\$scrypt\\$ln=${NUMBER},r=${NUMBER},p=${NUMBER}\\$${B64}\\$${B64}$`);

function parse(stored: unknown): StoredHash | null {
  if (typeof stored !== 'string' || stored.length > 256) return null;
  const argon = ARGON2_PHC.exec(stored);
  const scrypt = argon ? null : SCRYPT_PHC.exec(stored);
  const match = argon ?? scrypt;
  if (!match) return null;
  const [a = '', b = '', c = '', salt64 = '', hash64 = ''] = match.slice(1);
  const policy: PasswordPolicy = argon
    ? { ...DEFAULT_PASSWORD_POLICY, algorithm: 'argon2id', memoryKiB: Number(a), iterations: Number(b), parallelism: Number(c) }
    : { ...DEFAULT_PASSWORD_POLICY, algorithm: 'scrypt', logN: Number(a), r: Number(b), p: Number(c) };
  const salt = fromBase64(salt64);
  const hash = fromBase64(hash64);
  if (!withinLimits(policy) || !salt || !hash || salt.length < 8 || salt.length > 64 || hash.length < 16 || hash.length > 64) return null;
  return { policy, salt, hash };
}

function encode({ policy, salt, hash }: StoredHash): string {
  const parameters =
    policy.algorithm === 'argon2id'
      ? `argon2id$v=19$m=${policy.memoryKiB},t=${policy.iterations},p=${policy.parallelism}`
      : `scrypt$ln=${policy.logN},r=${policy.r},p=${policy.p}`;
  return `$${parameters}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** Hashes a password into a PHC string that carries the algorithm, its parameters and a random salt. */
export async function hashPassword(password: string, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): Promise<string> {
  if (!withinLimits(policy)) throw new RangeError('password policy outside the supported limits');
  const salt = randomBytes(SALT_BYTES);
  const hash = await inHashSlot(() => derive(password, policy, salt, HASH_BYTES));
  return encode({ policy, salt, hash });
}

/**
 * Recomputes the hash with the parameters stored in `stored` and compares in constant time.
 * Anything malformed, unsupported or beyond the limits is simply `false`: this never throws.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || typeof password !== 'string') return false;
  try {
    const actual = await inHashSlot(() => derive(password, parsed.policy, parsed.salt, parsed.hash.length));
    return timingSafeEqual(actual, parsed.hash);
  } catch {
    return false;
  }
}

/** True when `stored` was made with another algorithm or other parameters than `policy` (rehash at login). */
export function needsRehash(stored: string, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): boolean {
  const parsed = parse(stored);
  if (!parsed || parsed.policy.algorithm !== policy.algorithm) return true;
  if (parsed.salt.length < SALT_BYTES || parsed.hash.length < HASH_BYTES) return true;
  const was = parsed.policy;
  return policy.algorithm === 'argon2id'
    ? was.memoryKiB !== policy.memoryKiB || was.iterations !== policy.iterations || was.parallelism !== policy.parallelism
    : was.logN !== policy.logN || was.r !== policy.r || was.p !== policy.p;
}

let dummyHash: string | undefined;

/**
 * A default-policy hash of a random password nobody knows, made once per isolate: login verifies
 * against it when the account does not exist, so the answer takes as long as for a real account.
 */
export async function dummyPasswordHash(): Promise<string> {
  // Cache the value, not the promise: a promise shared across requests would strand every waiter
  // if the request that created it were cancelled first.
  dummyHash ??= await hashPassword(toBase64(randomBytes(32)));
  return dummyHash;
}

let commonPasswords: ReadonlySet<string> | undefined;

/** Null when the password is acceptable, otherwise the reason to show the user. */
export function checkPasswordStrength(password: string, context: { email?: string; username?: string } = {}): string | null {
  const normalized = password.normalize('NFKC');
  // Code points, not UTF-16 units: an emoji is one character to the person typing it.
  const length = [...normalized].length;
  if (length < 8) return 'Password must be at least 8 characters long.';
  if (length > 128) return 'Password must be at most 128 characters long.';
  const lower = normalized.toLowerCase();
  commonPasswords ??= new Set(COMMON_PASSWORDS.split('\n'));
  if (commonPasswords.has(lower)) return 'This password is one of the most commonly used passwords; choose a less common one.';
  const email = context.email ?? '';
  const identifiers = [email.includes('@') ? email.slice(0, email.lastIndexOf('@')) : email, context.username]
    .map((value) => value?.normalize('NFKC').toLowerCase().trim() ?? '')
    .filter(Boolean);
  for (const identifier of identifiers) {
    // Containment only for identifiers of 4+ characters: "al" or "bob" inside a password says little.
    if (lower === identifier || (identifier.length >= 4 && lower.includes(identifier))) {
      return 'Password must not contain your email address or username.';
    }
  }
  return null;
}

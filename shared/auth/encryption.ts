import { AppError } from '../errors.ts';

// The id written in front of every ciphertext. Only one key exists today; rotation would add a
// ring (e.g. DATA_ENCRYPTION_KEYS as id -> key): new writes use the newest id, reads pick the key
// named by the stored prefix, and rows are re-encrypted lazily, so old values stay readable.
const KEY_ID = 'k1';
const NONCE_BYTES = 12; // 96-bit nonce, the size AES-GCM is specified for
const TAG_BYTES = 16;
const STORED = /^([a-z0-9]{1,16}):([A-Za-z0-9_-]+)$/;
// HKDF label of the backup-code HMAC key: a key of its own, never the encryption key itself.
const BACKUP_CODE_HMAC_INFO = 'flow/backup-code-hmac/v1';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const misconfigured = (cause?: unknown) =>
  new AppError('misconfigured', 'Missing or invalid configuration: DATA_ENCRYPTION_KEY', { extensions: { settings: ['DATA_ENCRYPTION_KEY'] }, cause });
const unreadable = (cause?: unknown) => new AppError('internal', 'A stored secret could not be decrypted.', { cause });

interface DataKeys {
  aes: CryptoKey;
  hmac: CryptoKey;
}

// Imported once per isolate per key value, like the JWT key ring.
const imported = new Map<string, Promise<DataKeys>>();

function dataKeys(keyB64: string): Promise<DataKeys> {
  let keys = imported.get(keyB64);
  if (!keys) {
    keys = importDataKeys(keyB64);
    imported.set(keyB64, keys);
    keys.catch(() => imported.delete(keyB64));
  }
  return keys;
}

async function importDataKeys(keyB64: string): Promise<DataKeys> {
  let raw: Uint8Array;
  try {
    raw = Uint8Array.from(atob(keyB64), (char) => char.charCodeAt(0));
  } catch (error) {
    throw misconfigured(error);
  }
  if (raw.length !== 32) throw misconfigured();
  const aes = await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']);
  const hmac = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(BACKUP_CODE_HMAC_INFO) },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign'],
  );
  return { aes, hmac };
}

const toBase64Url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
const fromBase64Url = (text: string) => Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (char) => char.charCodeAt(0));

/**
 * Encrypts a secret for storage with AES-256-GCM under DATA_ENCRYPTION_KEY: a fresh random
 * 96-bit nonce per call, stored as `k1:<base64url(nonce || ciphertext+tag)>`. `context` is
 * authenticated but not stored (e.g. the account id), so a value copied to another row does not
 * decrypt there.
 */
export async function encryptSecret(keyB64: string, plaintext: string, context = ''): Promise<string> {
  const { aes } = await dataKeys(keyB64);
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: encoder.encode(context) }, aes, encoder.encode(plaintext)));
  const stored = new Uint8Array(NONCE_BYTES + sealed.length);
  stored.set(nonce);
  stored.set(sealed, NONCE_BYTES);
  return `${KEY_ID}:${toBase64Url(stored)}`;
}

/**
 * Decrypts what `encryptSecret` stored (same key and context). A tampered or foreign value, or an
 * unknown key id, throws an internal error (500): it means a broken row or a wrong key, never a
 * user mistake.
 */
export async function decryptSecret(keyB64: string, stored: string, context = ''): Promise<string> {
  const match = STORED.exec(stored);
  if (!match || match[1] !== KEY_ID) throw unreadable();
  const { aes } = await dataKeys(keyB64);
  try {
    const bytes = fromBase64Url(match[2]!);
    if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new Error('too short');
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, NONCE_BYTES), additionalData: encoder.encode(context) },
      aes,
      bytes.subarray(NONCE_BYTES),
    );
    return decoder.decode(plain);
  } catch (error) {
    throw unreadable(error);
  }
}

/**
 * Keyed hash of a short code (backup codes): HMAC-SHA-256, hex, with a key derived from
 * DATA_ENCRYPTION_KEY by HKDF. Deterministic, so a code is found by its hash in one statement,
 * and keyed, so a leaked table cannot be brute-forced offline over the small code space.
 */
export async function hmacCode(keyB64: string, code: string): Promise<string> {
  const { hmac } = await dataKeys(keyB64);
  const digest = new Uint8Array(await crypto.subtle.sign('HMAC', hmac, encoder.encode(code)));
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

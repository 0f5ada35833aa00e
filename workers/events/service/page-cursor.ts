import { AppError } from '../../../shared/errors.ts';

// A page cursor is opaque to clients: base64url of the JSON array of the last item's sort key.

/** The cursor that resumes a listing after an item with this sort key. */
export function encodePageCursor(key: readonly (string | number)[]): string {
  return btoa(JSON.stringify(key)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The sort key inside a cursor, checked against the listing's expected shape: `accepts` names
 * what each position must hold. Anything else (tampered, from another listing) is a 400.
 */
export function decodePageCursor(cursor: string, accepts: readonly ((value: unknown) => boolean)[]): unknown[] {
  try {
    const key = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))) as unknown;
    if (Array.isArray(key) && key.length === accepts.length && accepts.every((accept, index) => accept(key[index]))) return key;
  } catch {
    // fall through: malformed base64 or JSON is reported like any other bad cursor
  }
  throw new AppError('validation_failed', 'The cursor is invalid; use nextCursor of the previous page.', {
    extensions: { errors: [{ in: 'query', path: 'cursor', message: 'Invalid cursor' }] },
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks for decodePageCursor positions. */
export const cursorPart = {
  uuid: (value: unknown) => typeof value === 'string' && UUID.test(value),
  text: (value: unknown) => typeof value === 'string' && value.length <= 1000,
  number: (value: unknown) => typeof value === 'number' && Number.isFinite(value),
  isoTime: (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value)),
  literal: (expected: string) => (value: unknown) => value === expected,
};

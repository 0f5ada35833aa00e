import { hasPermission, type AuthContext } from '../../../shared/auth/middleware.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';
import type { TicketedEventRow } from '../repo/ticketed-events.ts';
import type { PagePosition } from '../repo/registrations.ts';
import { ensureVisible } from './event-visibility.ts';
import { cursorPart, decodePageCursor, encodePageCursor } from './page-cursor.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** The permissions that let someone other than the organizer act on an event's ticketing. */
export type EventPermission = 'edit_event' | 'manage_attendees';

/** What the access checks read of an event. */
export type AccessFacts = Pick<TicketedEventRow, 'id' | 'organizer_id' | 'status' | 'visibility'>;

const isManager = (auth: AuthContext | null, event: AccessFacts, permissions: readonly EventPermission[]) =>
  auth !== null && (auth.userId === event.organizer_id || permissions.some((permission) => hasPermission(auth, permission)));

/**
 * The event, if the caller may see it (the rule is event-visibility.ts): drafts exist only for
 * their organizer and staff, private events also for invitees and attendees; to anyone else the
 * event is "not found" rather than "forbidden" (no one learns it exists).
 */
export async function visibleEvent<E extends AccessFacts>(db: Db, event: E | null, auth: AuthContext | null): Promise<E> {
  if (!event) throw new AppError('not_found', 'No such event.');
  await ensureVisible(db, event, isManager(auth, event, ['edit_event']), auth);
  return event;
}

/**
 * The event, if the caller is its organizer or holds `permission` (or one of them; admins hold
 * every one). Whoever may not see the event is told 404, whoever sees it without managing it 403.
 */
export async function managedEvent<E extends AccessFacts>(
  db: Db, event: E | null, auth: AuthContext, permission: EventPermission | readonly EventPermission[],
): Promise<E> {
  const permissions = typeof permission === 'string' ? [permission] : permission;
  if (event && isManager(auth, event, permissions)) return event;
  await visibleEvent(db, event, auth);
  throw new AppError('forbidden', `Only the organizer or someone with ${permissions.join(' or ')} may do this.`);
}

/** SQLSTATE and constraint of a Postgres error, when it is one. */
export function pgViolation(error: unknown): { code: string; constraint: string | undefined } | null {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return null;
  return { code, constraint: typeof constraint === 'string' ? constraint : undefined };
}

/** Where a page starts, from the client's cursor (nextCursor of the previous page). */
export function decodeCursor(cursor: string | undefined): PagePosition | null {
  if (cursor === undefined) return null;
  const [at, id] = decodePageCursor(cursor, [cursorPart.isoTime, cursorPart.uuid]) as [string, string];
  return { at: new Date(at), id };
}

const cursorKey = ([at, id]: [Date, string]) => [at.toISOString(), id];

/** A page of `limit` items from `limit + 1` rows fetched, with the cursor for the next page. */
export function pageOf<Row, Item>(rows: Row[], limit: number, view: (row: Row) => Item, position: (row: Row) => [Date, string]) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(view), nextCursor: rows.length > limit && last ? encodePageCursor(cursorKey(position(last))) : null };
}

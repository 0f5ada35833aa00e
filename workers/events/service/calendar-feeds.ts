import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { hashToken, randomToken } from '../../../shared/auth/random.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Postgres, Stores } from '../../../shared/stores/index.ts';
import { calendarDocument, type CalendarOptions } from '../calendar/document.ts';
import type { EntryContext } from '../calendar/event-entry.ts';
import { calendarFeedsRepo } from '../repo/calendar-feeds.ts';
import { occurrenceExceptionsRepo } from '../repo/occurrence-exceptions.ts';
import { getEventForViewer } from './events.ts';
import { eventDocument } from './events-view.ts';

/** Events whose series ended longer ago than this drop off a feed. */
export const FEED_PAST_DAYS = 90;
/** More than anyone attends in a season; keeps one feed request bounded. */
export const FEED_MAX_EVENTS = 500;
/** 256 bits: the token is the only credential of a feed URL. */
const FEED_TOKEN_BYTES = 32;
const FEED_REFRESH = 'PT1H';

export interface CalendarFeed {
  url: string;
  /** The same feed for calendar apps that subscribe on a webcal:// link. */
  webcalUrl: string;
  createdAt: string;
}

/** The path of a feed URL; `token` is base64url, so it needs no escaping. */
export const feedPath = (token: string) => `/api/v1/calendar/${token}.ics`;

/**
 * Creates the caller's private feed URL, or replaces it: the previous URL stops working at once.
 * The token is shown only here; only its SHA-256 is stored.
 */
export async function rotateCalendarFeed(postgres: Postgres, auth: AuthContext, apiOrigin: string): Promise<CalendarFeed> {
  const token = randomToken(FEED_TOKEN_BYTES);
  const createdAt = await calendarFeedsRepo.rotate(postgres, auth.userId, await hashToken(token));
  const url = `${apiOrigin}${feedPath(token)}`;
  return { url, webcalUrl: url.replace(/^https?:/, 'webcal:'), createdAt: createdAt.toISOString() };
}

/** Revokes the caller's feed URL; 404 when there is none. */
export async function revokeCalendarFeed(postgres: Postgres, auth: AuthContext): Promise<void> {
  if (!(await calendarFeedsRepo.revoke(postgres, auth.userId))) throw new AppError('not_found', 'You have no calendar feed.');
}

/**
 * The iCalendar feed behind a token: the events its owner organizes or attends (virtual links
 * included: they are theirs to see). An unknown, rotated or revoked token is a 404.
 */
export async function feedCalendar(stores: Stores, token: string, context: EntryContext): Promise<string> {
  const accountId = await calendarFeedsRepo.accountFor(stores.postgres, await hashToken(token));
  if (!accountId) throw new AppError('not_found', 'No such calendar feed.');
  const rows = await calendarFeedsRepo.feedEvents(stores.postgres, accountId, FEED_PAST_DAYS, FEED_MAX_EVENTS);
  const recurring = rows.filter((row) => row.recurrence !== null).map((row) => row.id);
  const exceptions = await occurrenceExceptionsRepo.listFor(stores.postgres, recurring);
  const options: CalendarOptions = { ...context, name: 'Flow: my events', refreshInterval: FEED_REFRESH };
  return calendarDocument(rows.map((row) => ({ event: eventDocument(row), exceptions: exceptions.get(row.id) ?? [] })), options);
}

/** One event as iCalendar, as the public sees it (no virtual link); 404 for drafts and private events. */
export async function eventCalendar(stores: Stores, eventId: string, context: EntryContext): Promise<string> {
  const event = await getEventForViewer(stores, eventId, null);
  const exceptions = event.recurrence ? (await occurrenceExceptionsRepo.listFor(stores.postgres, [event.id])).get(event.id) : undefined;
  return calendarDocument([{ event, exceptions: exceptions ?? [] }], context);
}

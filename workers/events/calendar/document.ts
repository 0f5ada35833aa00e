import type { OccurrenceException } from '../recurrence/expand.ts';
import type { EventDocument } from '../schemas.ts';
import { eventEntries, entryZone, type EntryContext } from './event-entry.ts';
import { contentLine, escapeText, serializeIcs } from './ics.ts';
import { vtimezone } from './vtimezone.ts';

export const ICS_CONTENT_TYPE = 'text/calendar; charset=utf-8';
const PRODUCT_ID = '-//Flow//Flow Events//EN';

export interface CalendarOptions extends EntryContext {
  /** A feed's display name (NAME, RFC 7986, and the widely read X-WR-CALNAME). */
  name?: string;
  /** How often subscribers should refresh a feed (ISO 8601 duration, e.g. PT1H). */
  refreshInterval?: string;
}

/** An event and its occurrence exceptions, as a calendar shows it. */
export interface CalendarItem {
  event: EventDocument;
  exceptions: readonly OccurrenceException[];
}

/** A whole iCalendar object (VCALENDAR with its VTIMEZONEs and VEVENTs). */
export function calendarDocument(items: readonly CalendarItem[], options: CalendarOptions): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', contentLine('PRODID', PRODUCT_ID), 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  if (options.name) lines.push(contentLine('NAME', escapeText(options.name)), contentLine('X-WR-CALNAME', escapeText(options.name)));
  if (options.refreshInterval) {
    lines.push(contentLine('REFRESH-INTERVAL', options.refreshInterval, { VALUE: 'DURATION' }), contentLine('X-PUBLISHED-TTL', options.refreshInterval));
  }
  lines.push(...timeZonesFor(items.map(({ event }) => event)));
  for (const { event, exceptions } of items) lines.push(...eventEntries(event, exceptions, options));
  lines.push('END:VCALENDAR');
  return serializeIcs(lines);
}

/** One VTIMEZONE per zone used, covering the years of the events written in it. */
function timeZonesFor(events: readonly EventDocument[]): string[] {
  const years = new Map<string, { first: number; last: number }>();
  for (const event of events) {
    const zone = entryZone(event);
    if (!zone) continue;
    const year = new Date(event.startsAt).getUTCFullYear();
    const span = years.get(zone) ?? { first: year, last: year + 1 };
    years.set(zone, { first: Math.min(span.first, year), last: Math.max(span.last, year + 1) });
  }
  return [...years].flatMap(([zone, span]) => vtimezone(zone, span.first, span.last));
}

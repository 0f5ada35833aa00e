import { parseRule } from '../recurrence/rule.ts';
import { wallAt } from '../recurrence/zoned-time.ts';
import type { OccurrenceException } from '../recurrence/expand.ts';
import type { EventDocument } from '../schemas.ts';
import { contentLine, escapeText, localDateTime, utcDateTime } from './ics.ts';
import { rruleValue } from './rrule.ts';
import { knownZoneOr } from './time-zone.ts';

/** What an event entry needs besides the event. */
export interface EntryContext {
  /** Public web address of the app; events link to APP_URL/events/{id} and UIDs use its host. */
  appUrl: string;
  /** DTSTAMP: when this calendar object is made. */
  nowMs: number;
}

/**
 * The zone an event's times are written in: its own zone for a recurring event (so the rule
 * keeps its local time across DST changes, and EXDATEs match the occurrences), UTC otherwise.
 */
export function entryZone(event: Pick<EventDocument, 'recurrence' | 'timezone'>): string | null {
  const zone = knownZoneOr(event.timezone);
  return event.recurrence && zone !== 'UTC' && zone !== 'Etc/UTC' ? zone : null;
}

function dateTimeLine(name: string, instantMs: number, zone: string | null): string {
  return zone ? contentLine(name, localDateTime(wallAt(instantMs, zone)), { TZID: zone }) : contentLine(name, utcDateTime(instantMs));
}

function description(event: EventDocument): string | null {
  const parts = [
    event.status === 'cancelled' ? `Cancelled${event.cancellationReason ? `: ${event.cancellationReason}` : '.'}` : null,
    event.summary,
    event.description,
    event.virtualUrl ? `Join online: ${event.virtualUrl}` : null,
  ].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join('\n\n') : null;
}

/** The properties every VEVENT of the event carries (the series and its moved occurrences). */
function commonLines(event: EventDocument, context: EntryContext): string[] {
  const base = context.appUrl.replace(/\/$/, '');
  const text = description(event);
  const lines = [
    contentLine('UID', `${event.id}@${new URL(base).hostname}`),
    contentLine('DTSTAMP', utcDateTime(context.nowMs)),
    contentLine('CREATED', utcDateTime(Date.parse(event.createdAt))),
    contentLine('LAST-MODIFIED', utcDateTime(Date.parse(event.updatedAt))),
    // The event's version rises with every change, which is what SEQUENCE tells clients.
    contentLine('SEQUENCE', String(Math.max(0, event.version - 1))),
    contentLine('SUMMARY', escapeText(event.title)),
    contentLine('STATUS', event.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'),
    contentLine('URL', `${base}/events/${event.id}`, { VALUE: 'URI' }),
  ];
  if (text) lines.push(contentLine('DESCRIPTION', escapeText(text)));
  const where = event.address ?? (event.type === 'virtual' ? event.virtualUrl : null);
  if (where) lines.push(contentLine('LOCATION', escapeText(where)));
  if (event.location) lines.push(contentLine('GEO', `${event.location.lat.toFixed(6)};${event.location.lng.toFixed(6)}`));
  if (event.tags.length > 0) lines.push(contentLine('CATEGORIES', event.tags.map(escapeText).join(',')));
  return lines;
}

/**
 * The VEVENTs of one event: the event (with RRULE and EXDATEs of cancelled occurrences when it
 * recurs) and one more per moved occurrence, identified by RECURRENCE-ID.
 */
export function eventEntries(event: EventDocument, exceptions: readonly OccurrenceException[], context: EntryContext): string[] {
  const zone = entryZone(event);
  const startMs = Date.parse(event.startsAt);
  const endMs = Date.parse(event.endsAt);
  const common = commonLines(event, context);
  const lines = ['BEGIN:VEVENT', ...common, dateTimeLine('DTSTART', startMs, zone), dateTimeLine('DTEND', endMs, zone)];
  if (event.recurrence) {
    lines.push(contentLine('RRULE', rruleValue(event.recurrence, parseRule(event.recurrence, knownZoneOr(event.timezone)).untilMs)));
    const cancelled = exceptions.filter((x) => x.kind === 'cancelled').map((x) => x.originalStartsAt.getTime());
    if (cancelled.length > 0) {
      const values = cancelled.map((ms) => (zone ? localDateTime(wallAt(ms, zone)) : utcDateTime(ms))).join(',');
      lines.push(contentLine('EXDATE', values, zone ? { TZID: zone } : {}));
    }
  }
  lines.push('END:VEVENT');
  if (!event.recurrence) return lines;
  for (const moved of exceptions) {
    if (moved.kind !== 'moved' || !moved.newStartsAt || !moved.newEndsAt) continue;
    lines.push(
      'BEGIN:VEVENT', ...common,
      dateTimeLine('RECURRENCE-ID', moved.originalStartsAt.getTime(), zone),
      dateTimeLine('DTSTART', moved.newStartsAt.getTime(), zone),
      dateTimeLine('DTEND', moved.newEndsAt.getTime(), zone),
      'END:VEVENT',
    );
  }
  return lines;
}

import type { RecurrenceRule } from '../recurrence/expand.ts';
import { utcDateTime } from './ics.ts';

/**
 * The RRULE value (RFC 5545 3.3.10) of an event's recurrence JSON. FREQ comes first, as some
 * clients require. UNTIL is given in UTC, as the RFC asks when DTSTART carries a zone or is UTC;
 * `untilMs` is the rule's until read in the event's zone (see the recurrence module).
 */
export function rruleValue(rule: RecurrenceRule, untilMs: number | null): string {
  const parts = [`FREQ=${rule.freq.toUpperCase()}`];
  if (rule.interval !== undefined && rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.count !== undefined) parts.push(`COUNT=${rule.count}`);
  if (untilMs !== null) parts.push(`UNTIL=${utcDateTime(untilMs)}`);
  if (rule.bymonth?.length) parts.push(`BYMONTH=${rule.bymonth.join(',')}`);
  if (rule.bymonthday?.length) parts.push(`BYMONTHDAY=${rule.bymonthday.join(',')}`);
  if (rule.byweekday?.length) parts.push(`BYDAY=${rule.byweekday.join(',')}`);
  return parts.join(';');
}

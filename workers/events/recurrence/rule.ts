/**
 * The recurrence rule: its JSON shape (a form of RFC 5545 RRULE, checked in the database by
 * flow_valid_recurrence), the zod schema the API validates it with, and the parsed form the
 * expansion works on.
 */
import { z } from '@hono/zod-openapi';
import { WEEKDAY_CODES, daysInMonth } from './calendar.ts';
import { DAY_MS, instantOfWall } from './zoned-time.ts';

export interface RecurrenceRule {
  freq: 'daily' | 'weekly' | 'monthly' | 'yearly';
  interval?: number;
  count?: number;
  until?: string;
  byweekday?: string[];
  bymonthday?: number[];
  bymonth?: number[];
}

const UNTIL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const WEEKDAY_PATTERN = /^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$/;

interface UntilParts {
  wallMs: number;
  dateOnly: boolean;
  offsetMinutes: number | null;
}

function parseUntil(until: string): UntilParts | null {
  const match = UNTIL_PATTERN.exec(until);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map((part) => Number(part ?? 0)) as
    [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const millis = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMinutes: number | null = null;
  if (zone === 'Z') offsetMinutes = 0;
  else if (zone) {
    const digits = zone.replace(':', '');
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
    if (Math.abs(offsetMinutes) > 18 * 60) return null;
  }
  return { wallMs: Date.UTC(y, mo - 1, d, h, mi, s, millis), dateOnly: hour === undefined, offsetMinutes };
}

const positiveCount = z.int().min(1).max(100_000);
const weekdayCode = z.string().regex(WEEKDAY_PATTERN, 'A day code MO..SU, optionally with an ordinal such as 1MO or -1FR');
const monthDay = z.int().min(-31).max(31).refine((day) => day !== 0, 'Month days are 1..31 or -31..-1');

/** The API's validation of a recurrence rule; accepts only what flow_valid_recurrence accepts. */
export const recurrenceRuleSchema = z.strictObject({
  freq: z.enum(['daily', 'weekly', 'monthly', 'yearly']),
  interval: positiveCount.optional().openapi({ description: 'Every n-th day/week/month/year; default 1' }),
  count: positiveCount.optional().openapi({ description: 'Number of occurrences, the first one included' }),
  until: z.string().max(40).refine((value) => parseUntil(value) !== null, 'An ISO 8601 date or date-time')
    .optional()
    .openapi({ description: 'Last possible start, inclusive. A date or a date-time without offset is read in the event\'s time zone', example: '2027-06-30' }),
  byweekday: z.array(weekdayCode).min(1).max(70).optional()
    .openapi({ description: 'Days of the week; ordinals (1MO, -1FR) apply to monthly and yearly rules', example: ['MO', 'WE'] }),
  bymonthday: z.array(monthDay).min(1).max(62).optional().openapi({ example: [1, -1] }),
  bymonth: z.array(z.int().min(1).max(12)).min(1).max(12).optional().openapi({ example: [6, 7] }),
})
  .refine((rule) => rule.count === undefined || rule.until === undefined, { message: 'count and until exclude each other', path: ['until'] })
  .refine((rule) => rule.freq === 'monthly' || rule.freq === 'yearly' || !rule.byweekday?.some((code) => /\d/.test(code)),
    { message: 'Ordinal days (1MO, -1FR) need a monthly or yearly rule', path: ['byweekday'] })
  .openapi('RecurrenceRule');

export interface WeekdaySpec {
  weekday: number;
  ordinal: number | null;
}

/** A rule read once into the numbers the expansion needs. */
export interface ParsedRule {
  freq: RecurrenceRule['freq'];
  interval: number;
  count: number | null;
  untilMs: number | null;
  weekdays: WeekdaySpec[] | null;
  monthDays: number[] | null;
  months: ReadonlySet<number> | null;
}

function parseWeekday(code: string): WeekdaySpec {
  const match = WEEKDAY_PATTERN.exec(code);
  if (!match) throw new RangeError(`Invalid weekday code: ${code}`);
  return { weekday: WEEKDAY_CODES.indexOf(match[2] as (typeof WEEKDAY_CODES)[number]), ordinal: match[1] ? Number(match[1]) : null };
}

/**
 * UNTIL as an instant. A date-time with an offset is absolute; one without is wall time in the
 * event's zone; a bare date includes that whole local day.
 */
function untilInstant(until: string, timeZone: string): number {
  const parts = parseUntil(until);
  if (!parts) throw new RangeError(`Invalid until: ${until}`);
  if (parts.offsetMinutes !== null) return parts.wallMs - parts.offsetMinutes * 60_000;
  if (parts.dateOnly) return instantOfWall(parts.wallMs + DAY_MS, timeZone) - 1;
  return instantOfWall(parts.wallMs, timeZone);
}

/** Reads a rule that already passed validation; throws RangeError on a malformed one. */
export function parseRule(rule: RecurrenceRule, timeZone: string): ParsedRule {
  return {
    freq: rule.freq,
    interval: rule.interval ?? 1,
    count: rule.count ?? null,
    untilMs: rule.until === undefined ? null : untilInstant(rule.until, timeZone),
    weekdays: rule.byweekday?.map(parseWeekday) ?? null,
    monthDays: rule.bymonthday ?? null,
    months: rule.bymonth ? new Set(rule.bymonth) : null,
  };
}

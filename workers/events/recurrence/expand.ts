/**
 * Recurrence expansion (RFC 5545 RRULE semantics) for events: which occurrences of a series
 * fall in a time window, with single-occurrence exceptions applied, and when a series ends.
 * Pure functions: no I/O, bounded work.
 */
import type { RecurrenceRule } from './rule.ts';
import { seriesOf, seriesWalls, startOf, type WalkBudget } from './series.ts';
import { dayNumberOfWall } from './calendar.ts';
import { DAY_MS } from './zoned-time.ts';

export { recurrenceRuleSchema, type RecurrenceRule } from './rule.ts';
export { isValidTimeZone } from './zoned-time.ts';

export interface OccurrenceException {
  originalStartsAt: Date;
  kind: 'cancelled' | 'moved';
  newStartsAt?: Date;
  newEndsAt?: Date;
}

export interface Occurrence {
  startsAt: Date;
  endsAt: Date;
  originalStartsAt: Date;
  moved: boolean;
}

export const DEFAULT_OCCURRENCE_LIMIT = 500;
export const MAX_OCCURRENCE_LIMIT = 1000;

interface ExpandInput {
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  rule: RecurrenceRule | null;
  exceptions?: OccurrenceException[];
  from: Date;
  to: Date;
  limit?: number;
}

function overlaps(startMs: number, endMs: number, fromMs: number, toMs: number): boolean {
  return startMs < toMs && endMs > fromMs;
}

function movedTimes(exception: OccurrenceException): [number, number] | null {
  if (exception.kind !== 'moved' || !exception.newStartsAt || !exception.newEndsAt) return null;
  return [exception.newStartsAt.getTime(), exception.newEndsAt.getTime()];
}

/**
 * The occurrences overlapping [from, to), ordered by start, at most `limit` (default 500,
 * never more than 1000). Cancelled occurrences are left out; moved ones appear at their new
 * time when that time overlaps the window. Exceptions that name no occurrence of the series
 * are ignored. Throws RangeError for an unknown time zone or a malformed rule.
 */
export function expandOccurrences(input: ExpandInput): Occurrence[] {
  const limit = Math.max(0, Math.min(Math.floor(input.limit ?? DEFAULT_OCCURRENCE_LIMIT), MAX_OCCURRENCE_LIMIT));
  const fromMs = input.from.getTime();
  const toMs = input.to.getTime();
  if (!(toMs > fromMs) || limit === 0) return [];
  const exceptions = new Map((input.exceptions ?? []).map((exception) => [exception.originalStartsAt.getTime(), exception]));
  // A moved occurrence can land in the window from anywhere in the series, so the walk must
  // reach its original start too.
  const movedIntoWindow = [...exceptions.entries()]
    .filter(([, exception]) => { const times = movedTimes(exception); return times !== null && overlaps(...times, fromMs, toMs); })
    .map(([originalMs]) => originalMs);
  const lastMovedOriginal = movedIntoWindow.reduce((last, ms) => Math.max(last, ms), -Infinity);

  const rule = input.rule;
  const durationMs = input.endsAt.getTime() - input.startsAt.getTime();
  const found: Occurrence[] = [];
  let regularFound = 0;
  const consider = (originalMs: number) => {
    const exception = exceptions.get(originalMs);
    const times = exception ? movedTimes(exception) : [originalMs, originalMs + durationMs] as [number, number];
    if (times && overlaps(...times, fromMs, toMs)) {
      found.push({ startsAt: new Date(times[0]), endsAt: new Date(times[1]), originalStartsAt: new Date(originalMs), moved: exception !== undefined });
      if (!exception) regularFound += 1;
    }
  };

  if (!rule) {
    consider(input.startsAt.getTime());
  } else {
    const series = seriesOf({ ...input, rule });
    const earliestMs = movedIntoWindow.reduce((earliest, ms) => Math.min(earliest, ms), fromMs - durationMs);
    const latestMs = Math.max(toMs, lastMovedOriginal + 1);
    const budget: WalkBudget = { steps: 0, exhausted: false };
    // Wall values are within a day of their instants, so whole days of margin keep the
    // cheap comparisons exact and leave the time zone work to starts near the window.
    for (const wallMs of seriesWalls(series, budget, dayNumberOfWall(earliestMs) - 2)) {
      if (wallMs - DAY_MS >= latestMs) break;
      if (wallMs + DAY_MS <= earliestMs) continue;
      const originalMs = startOf(series, wallMs);
      if (originalMs >= latestMs) break;
      consider(originalMs);
      // Later regular occurrences start after all those found; only pending moves could still sort first.
      if (regularFound >= limit && originalMs >= lastMovedOriginal) break;
    }
  }
  return found.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()).slice(0, limit);
}

/**
 * The end of the series' last occurrence: the event's own end for a one-off, null for an
 * endless rule (no count, no until) or one too long to walk within the work bound.
 * Exceptions are not considered: this is the end the rule itself gives.
 */
export function seriesEnd(input: { startsAt: Date; endsAt: Date; timezone: string; rule: RecurrenceRule | null }): Date | null {
  if (!input.rule) return input.endsAt;
  const series = seriesOf({ ...input, rule: input.rule });
  if (series.rule.count === null && series.rule.untilMs === null) return null;
  const budget: WalkBudget = { steps: 0, exhausted: false };
  let lastWall = series.startWall;
  for (const wallMs of seriesWalls(series, budget)) lastWall = wallMs;
  if (budget.exhausted) return null;
  return new Date(startOf(series, lastWall) + series.durationMs);
}

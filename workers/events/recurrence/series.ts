/**
 * A recurring series read once (rule, anchor date, local time of day) and the walk over its
 * occurrences in order, as wall-clock values. The walk is bounded: it stops after a fixed
 * amount of work, and as soon as a rule is shown never to produce again, so no rule, however
 * hostile, can keep a request busy.
 */
import { dayNumber, dayNumberOfWall } from './calendar.ts';
import { anchorOf, nextPeriod, periodDays, periodsBefore, periodsUntilRepeat, type SeriesAnchor } from './period-days.ts';
import { parseRule, type ParsedRule, type RecurrenceRule } from './rule.ts';
import { DAY_MS, instantOfWall, wallAt } from './zoned-time.ts';

/** Periods plus candidate days examined per walk; a daily rule over 100,000 days fits. */
export const MAX_WALK_STEPS = 400_000;
// Beyond this the calendar math leaves the range Date can represent; no event lasts that long.
const LAST_DAY = dayNumber(9999, 12, 31);

export interface SeriesInput {
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  rule: RecurrenceRule;
}

export interface Series {
  rule: ParsedRule;
  anchor: SeriesAnchor;
  timeZone: string;
  startMs: number;
  startWall: number;
  durationMs: number;
  timeOfDayMs: number;
}

export interface WalkBudget {
  steps: number;
  exhausted: boolean;
}

export function seriesOf(input: SeriesInput): Series {
  const startMs = input.startsAt.getTime();
  const endMs = input.endsAt.getTime();
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) throw new RangeError('Invalid start or end');
  const startWall = wallAt(startMs, input.timezone);
  const startDay = dayNumberOfWall(startWall);
  return {
    rule: parseRule(input.rule, input.timezone),
    anchor: anchorOf(startDay),
    timeZone: input.timezone,
    startMs,
    startWall,
    durationMs: endMs - startMs,
    timeOfDayMs: startWall - startDay * DAY_MS,
  };
}

/**
 * The instant of an occurrence's wall-clock start. The first occurrence is the stored start
 * itself, which matters in the repeated hour when clocks go back.
 */
export function startOf(series: Series, wallMs: number): number {
  return wallMs === series.startWall ? series.startMs : instantOfWall(wallMs, series.timeZone);
}

/**
 * The wall-clock starts of the series in order, count and until applied. The first occurrence
 * is always the series start (RFC 5545: DTSTART counts as the first instance). `skipBeforeDay`
 * jumps over whole periods that end before that local day; it is ignored for counted rules,
 * whose count must be taken from the start.
 */
export function* seriesWalls(series: Series, budget: WalkBudget, skipBeforeDay?: number): Generator<number> {
  const { rule, anchor } = series;
  const firstPeriod = skipBeforeDay === undefined || rule.count !== null ? 0 : periodsBefore(rule, anchor, skipBeforeDay);
  const lastPeriod = periodsBefore(rule, anchor, LAST_DAY) + 1;
  const done = (produced: number) => rule.count !== null && produced >= rule.count;
  let produced = 0;
  if (firstPeriod === 0) {
    produced += 1;
    yield series.startWall;
    if (done(produced)) return;
  }
  const barren = periodsUntilRepeat(rule);
  let lastFruitful = firstPeriod;
  for (let period = firstPeriod; period <= lastPeriod; period = nextPeriod(rule, anchor, period)) {
    if (period - lastFruitful > barren) return;
    const days = periodDays(rule, anchor, period);
    budget.steps += 1 + days.length;
    if (budget.steps > MAX_WALK_STEPS) {
      budget.exhausted = true;
      return;
    }
    for (const day of days) {
      if (day <= anchor.day) continue;
      const wallMs = day * DAY_MS + series.timeOfDayMs;
      if (rule.untilMs !== null && isAfterUntil(series, wallMs, rule.untilMs)) return;
      lastFruitful = period;
      produced += 1;
      yield wallMs;
      if (done(produced)) return;
    }
  }
}

// Offsets stay within a day of UTC, so only starts within a day of UNTIL need the zone.
function isAfterUntil(series: Series, wallMs: number, untilMs: number): boolean {
  if (wallMs - DAY_MS > untilMs) return true;
  if (wallMs + DAY_MS <= untilMs) return false;
  return startOf(series, wallMs) > untilMs;
}

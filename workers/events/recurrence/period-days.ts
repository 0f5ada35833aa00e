/**
 * The candidate days of one period (a day, week, month or year) of a rule, per the BYxxx table
 * of RFC 5545 section 3.3.10: a BY part either expands the period into several days or limits
 * the days already chosen. Days that do not exist (30 February) simply never appear.
 */
import { dateOf, dayNumber, daysInMonth, weekdayOf, weekdaysInRange } from './calendar.ts';
import type { ParsedRule, WeekdaySpec } from './rule.ts';

/** The first occurrence's local date, the anchor of every period and of the defaults. */
export interface SeriesAnchor {
  day: number;
  year: number;
  month: number;
  dayOfMonth: number;
  weekday: number;
}

export function anchorOf(day: number): SeriesAnchor {
  return { day, ...dateOf(day), weekday: weekdayOf(day) };
}

const ALL_MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

function monthRange(year: number, month: number): [number, number] {
  const first = dayNumber(year, month, 1);
  return [first, first + daysInMonth(year, month) - 1];
}

function yearRange(year: number): [number, number] {
  return [dayNumber(year, 1, 1), dayNumber(year, 12, 31)];
}

function resolvedMonthDays(year: number, month: number, monthDays: number[]): number[] {
  const length = daysInMonth(year, month);
  const first = dayNumber(year, month, 1);
  return monthDays
    .map((n) => (n > 0 ? n : length + 1 + n))
    .filter((n) => n >= 1 && n <= length)
    .map((n) => first + n - 1);
}

function expandWeekdays(range: [number, number], specs: WeekdaySpec[]): number[] {
  return specs.flatMap((spec) => weekdaysInRange(range[0], range[1], spec.weekday, spec.ordinal));
}

/** As a limit: the day is one of the weekdays, and the nth of them within `range` if an ordinal is given. */
function onWeekdays(day: number, specs: WeekdaySpec[], range: [number, number] | null): boolean {
  return specs.some((spec) => spec.weekday === weekdayOf(day)
    && (spec.ordinal === null || range === null || weekdaysInRange(range[0], range[1], spec.weekday, spec.ordinal).includes(day)));
}

function onMonthDays(day: number, monthDays: number[]): boolean {
  const { year, month } = dateOf(day);
  return resolvedMonthDays(year, month, monthDays).includes(day);
}

function inMonths(day: number, months: ReadonlySet<number> | null): boolean {
  return months === null || months.has(dateOf(day).month);
}

function monthlyDays(rule: ParsedRule, anchor: SeriesAnchor, year: number, month: number): number[] {
  const range = monthRange(year, month);
  if (rule.monthDays) {
    const days = resolvedMonthDays(year, month, rule.monthDays);
    return rule.weekdays ? days.filter((day) => onWeekdays(day, rule.weekdays ?? [], range)) : days;
  }
  if (rule.weekdays) return expandWeekdays(range, rule.weekdays);
  return resolvedMonthDays(year, month, [anchor.dayOfMonth]);
}

function yearlyDays(rule: ParsedRule, anchor: SeriesAnchor, year: number): number[] {
  const months = rule.months ? ALL_MONTHS.filter((month) => rule.months?.has(month)) : null;
  if (rule.monthDays) {
    const monthDays = rule.monthDays;
    const days = (months ?? ALL_MONTHS).flatMap((month) => resolvedMonthDays(year, month, monthDays));
    if (!rule.weekdays) return days;
    const weekdays = rule.weekdays;
    return days.filter((day) => onWeekdays(day, weekdays, months ? monthRange(year, dateOf(day).month) : yearRange(year)));
  }
  if (rule.weekdays) {
    const weekdays = rule.weekdays;
    if (!months) return expandWeekdays(yearRange(year), weekdays);
    return months.flatMap((month) => expandWeekdays(monthRange(year, month), weekdays));
  }
  return (months ?? [anchor.month]).flatMap((month) => resolvedMonthDays(year, month, [anchor.dayOfMonth]));
}

function unsortedPeriodDays(rule: ParsedRule, anchor: SeriesAnchor, period: number): number[] {
  const step = period * rule.interval;
  switch (rule.freq) {
    case 'daily': {
      const day = anchor.day + step;
      const kept = inMonths(day, rule.months)
        && (!rule.monthDays || onMonthDays(day, rule.monthDays))
        && (!rule.weekdays || onWeekdays(day, rule.weekdays, null));
      return kept ? [day] : [];
    }
    case 'weekly': {
      const monday = anchor.day - anchor.weekday + 7 * step;
      const days = rule.weekdays ? rule.weekdays.map((spec) => monday + spec.weekday) : [monday + anchor.weekday];
      return days.filter((day) => inMonths(day, rule.months) && (!rule.monthDays || onMonthDays(day, rule.monthDays)));
    }
    case 'monthly': {
      const monthIndex = anchor.year * 12 + (anchor.month - 1) + step;
      const year = Math.floor(monthIndex / 12);
      const month = monthIndex - year * 12 + 1;
      return rule.months && !rule.months.has(month) ? [] : monthlyDays(rule, anchor, year, month);
    }
    case 'yearly':
      return yearlyDays(rule, anchor, anchor.year + step);
  }
}

/** The candidate days of period number `period` (0 = the period holding the first occurrence), ascending. */
export function periodDays(rule: ParsedRule, anchor: SeriesAnchor, period: number): number[] {
  const days = unsortedPeriodDays(rule, anchor, period);
  return days.length < 2 ? days : [...new Set(days)].sort((a, b) => a - b);
}

/**
 * How many whole periods lie before `day` and can be skipped without reaching it; a little
 * short rather than over, since skipping one period too many would lose occurrences.
 */
export function periodsBefore(rule: ParsedRule, anchor: SeriesAnchor, day: number): number {
  let span: number;
  switch (rule.freq) {
    case 'daily':
      span = day - anchor.day;
      break;
    case 'weekly':
      span = Math.floor((day - (anchor.day - anchor.weekday)) / 7);
      break;
    case 'monthly': {
      const { year, month } = dateOf(day);
      span = (year * 12 + month) - (anchor.year * 12 + anchor.month);
      break;
    }
    case 'yearly':
      span = dateOf(day).year - anchor.year;
      break;
  }
  return Math.max(0, Math.floor(span / rule.interval) - 1);
}

// The Gregorian calendar repeats every 400 years: 146,097 days, which is exactly 20,871 weeks,
// 4,800 months. Candidates depend only on where a period falls in that cycle.
const CYCLE_PERIODS = { daily: 146_097, weekly: 20_871, monthly: 4_800, yearly: 400 } as const;

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/**
 * After this many consecutive periods the rule's periods fall on the same places of the
 * calendar cycle again; a rule that produced nothing for that long never will (30 February).
 */
export function periodsUntilRepeat(rule: ParsedRule): number {
  const cycle = CYCLE_PERIODS[rule.freq];
  return cycle / greatestCommonDivisor(rule.interval, cycle);
}

/**
 * The next period after `period` that can hold a candidate. Daily rules limited to some
 * months jump over the other months at once instead of visiting each of their days.
 */
export function nextPeriod(rule: ParsedRule, anchor: SeriesAnchor, period: number): number {
  let next = period + 1;
  if (rule.freq !== 'daily' || !rule.months) return next;
  for (let monthsSkipped = 0; monthsSkipped < 12; monthsSkipped += 1) {
    const { year, month } = dateOf(anchor.day + next * rule.interval);
    if (rule.months.has(month)) break;
    next = Math.ceil((dayNumber(year, month + 1, 1) - anchor.day) / rule.interval);
  }
  return next;
}

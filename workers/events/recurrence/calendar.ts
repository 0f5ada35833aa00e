/**
 * Calendar arithmetic on local dates held as day numbers (days since 1970-01-01, proleptic
 * Gregorian), which makes "next day", "same weekday" and "nth of the month" plain integer math.
 */
import { DAY_MS } from './zoned-time.ts';

/** Weekday codes in RFC 5545 order with Monday first, the default week start (WKST=MO). */
export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type WeekdayCode = (typeof WEEKDAY_CODES)[number];

export function dayNumber(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export function dayNumberOfWall(wallMs: number): number {
  return Math.floor(wallMs / DAY_MS);
}

/** 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

export function dateOf(day: number): { year: number; month: number; dayOfMonth: number } {
  const date = new Date(day * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, dayOfMonth: date.getUTCDate() };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The days of [firstDay, lastDay] that fall on a weekday, optionally only the nth of them
 * (1 = first, -1 = last), as RFC 5545 reads "1MO" or "-1FR" within a month or a year.
 */
export function weekdaysInRange(firstDay: number, lastDay: number, weekday: number, ordinal: number | null): number[] {
  const first = firstDay + ((weekday - weekdayOf(firstDay) + 7) % 7);
  const all: number[] = [];
  for (let day = first; day <= lastDay; day += 7) all.push(day);
  if (ordinal === null) return all;
  const picked = ordinal > 0 ? all[ordinal - 1] : all[all.length + ordinal];
  return picked === undefined ? [] : [picked];
}

// Local calendar days in an event's zone, on top of the recurrence module's wall-clock helpers.
import { DAY_MS, instantOfWall, isValidTimeZone, wallAt } from '../recurrence/zoned-time.ts';

/** The zone if the runtime knows it, else UTC (a stored zone name is only length-checked). */
export function knownZoneOr(timeZone: string, fallback = 'UTC'): string {
  return isValidTimeZone(timeZone) ? timeZone : fallback;
}

/** YYYY-MM-DD of the local calendar day in `timeZone` at `instantMs`. */
export function localDateAt(instantMs: number, timeZone: string): string {
  return new Date(wallAt(instantMs, timeZone)).toISOString().slice(0, 10);
}

/** The instant a local day (YYYY-MM-DD) begins in `timeZone`. */
export function startOfLocalDay(isoDate: string, timeZone: string): number {
  return instantOfWall(Date.parse(`${isoDate}T00:00:00Z`), timeZone);
}

/** The day `days` after an ISO date (YYYY-MM-DD), negative for before. */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

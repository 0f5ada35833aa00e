// Wall-clock arithmetic in IANA time zones with nothing but Intl (no tz database bundled).

/** A local date and time in some zone. month is 1-12. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
// Formatters are costly to build and immutable: one per zone for the isolate's lifetime.
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      formatter = null;
    }
    if (formatters.size < 1_000) formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether the runtime knows this IANA zone name. */
export function isTimeZone(timeZone: string): boolean {
  return formatterFor(timeZone) !== null;
}

/** The zone if the runtime knows it, else UTC (a stored zone name is only length-checked). */
export function knownZoneOr(timeZone: string, fallback = 'UTC'): string {
  return isTimeZone(timeZone) ? timeZone : fallback;
}

/** The wall-clock time in `timeZone` at `instantMs`. */
export function localTimeAt(instantMs: number, timeZone: string): LocalTime {
  const formatter = formatterFor(timeZone);
  if (!formatter) throw new RangeError(`unknown time zone ${timeZone}`);
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(instantMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

const asUtcMs = (local: LocalTime) => Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);

/** Minutes the zone is ahead of UTC at `instantMs` (Europe/Rome in summer: 120). */
export function offsetMinutesAt(instantMs: number, timeZone: string): number {
  const whole = Math.floor(instantMs / 1000) * 1000;
  return Math.round((asUtcMs(localTimeAt(whole, timeZone)) - whole) / MINUTE_MS);
}

/**
 * The instant a wall-clock time in `timeZone` names. A time skipped by a DST gap resolves
 * forward (02:30 on a spring-forward night is read as 03:30); a repeated time takes the earlier.
 */
export function instantOf(local: LocalTime, timeZone: string): number {
  const wall = asUtcMs(local);
  // Offsets in force around that wall time (zones never change offset twice within two days).
  const before = offsetMinutesAt(wall - DAY_MS, timeZone);
  const after = offsetMinutesAt(wall + DAY_MS, timeZone);
  // The larger offset gives the earlier instant: tried first, so a repeated time takes the earlier.
  for (const offset of before >= after ? [before, after] : [after, before]) {
    const instant = wall - offset * MINUTE_MS;
    if (offsetMinutesAt(instant, timeZone) === offset) return instant;
  }
  // In a gap: read with the offset from before it, which lands as far past the gap as it was into it.
  return wall - before * MINUTE_MS;
}

/** YYYY-MM-DD of the local calendar day in `timeZone` at `instantMs`. */
export function localDateAt(instantMs: number, timeZone: string): string {
  const { year, month, day } = localTimeAt(instantMs, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The day `days` after an ISO date (YYYY-MM-DD), negative for before. */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

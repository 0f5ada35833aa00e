/**
 * Wall-clock time in an IANA zone, with Intl (workerd ships full ICU). A "wall" value is the
 * local date and time written as if it were UTC milliseconds: 19:00 on 2027-03-01 in
 * Europe/Rome is Date.UTC(2027, 2, 1, 19). Keeping wall values as plain numbers lets the
 * recurrence code do calendar arithmetic without touching the zone until an instant is needed.
 */

export const DAY_MS = 86_400_000;

// Building a formatter is far costlier than using one; zones are few, so keep them.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when Intl knows the zone ('Europe/Rome', 'UTC'); false for anything else. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading of an instant in a zone. Throws RangeError for an unknown zone. */
export function wallAt(instantMs: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const wholeSecond = Date.UTC(
    fields.year ?? 1970, (fields.month ?? 1) - 1, fields.day ?? 1,
    fields.hour ?? 0, fields.minute ?? 0, fields.second ?? 0,
  );
  const millis = ((instantMs % 1000) + 1000) % 1000;
  return wholeSecond + millis;
}

function offsetAt(instantMs: number, timeZone: string): number {
  return wallAt(instantMs, timeZone) - instantMs;
}

/**
 * The instant a wall-clock time denotes, resolved as RFC 5545 (3.3.5) asks: a time that
 * occurs twice (clocks going back) is the first of the two; a time that does not exist
 * (clocks going forward) is read with the offset in force before the gap, so 02:30 on a
 * spring-forward night becomes 03:30 summer time.
 */
export function instantOfWall(wallMs: number, timeZone: string): number {
  // Zones change offset at most once within a day on either side of any moment in practice,
  // so the offsets a day before and a day after are the only candidates.
  const offsetBefore = offsetAt(wallMs - DAY_MS, timeZone);
  const offsetAfter = offsetAt(wallMs + DAY_MS, timeZone);
  if (offsetBefore === offsetAfter) return wallMs - offsetBefore;
  const valid = [offsetBefore, offsetAfter]
    .map((offset) => wallMs - offset)
    .filter((instant) => wallAt(instant, timeZone) === wallMs);
  if (valid.length > 0) return Math.min(...valid);
  return wallMs - offsetBefore;
}

// VTIMEZONE components (RFC 5545 3.6.5) computed from the runtime's own zone data via Intl:
// every event written with a TZID must come with the definition of that zone.
import { DAY_MS, wallAt } from '../recurrence/zoned-time.ts';
import { contentLine, localDateTime } from './ics.ts';

interface Transition {
  atMs: number;
  fromMinutes: number;
  toMinutes: number;
}

const WEEK_MS = 7 * DAY_MS;
const DAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
// Computing a zone's transitions costs a few hundred Intl calls: keep the answers.
const cache = new Map<string, string[]>();

const offsetMinutes = (instantMs: number, timeZone: string) => Math.round((wallAt(instantMs, timeZone) - instantMs) / 60_000);

/** Offset changes in [fromMs, toMs), to the second. Zones do not change offset twice within a week. */
function transitionsBetween(timeZone: string, fromMs: number, toMs: number): Transition[] {
  const found: Transition[] = [];
  let previous = offsetMinutes(fromMs, timeZone);
  for (let probe = fromMs + WEEK_MS; probe < toMs + WEEK_MS; probe += WEEK_MS) {
    const offset = offsetMinutes(probe, timeZone);
    if (offset === previous) continue;
    let [before, after] = [probe - WEEK_MS, probe];
    while (after - before > 1_000) {
      const middle = before + Math.floor((after - before) / 2000) * 1000;
      if (offsetMinutes(middle, timeZone) === previous) before = middle;
      else after = middle;
    }
    if (after < toMs) found.push({ atMs: after, fromMinutes: previous, toMinutes: offset });
    previous = offset;
  }
  return found;
}

const utcOffset = (minutes: number) => {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
};

/** The wall-clock onset of a transition, as the clocks read just before it. */
const onsetWall = (t: Transition) => t.atMs + t.fromMinutes * 60_000;

/** "Last Sunday of March" style: BYMONTH and BYDAY of the onset, with -1 for the month's last week. */
function yearlyRule(t: Transition): string {
  const onset = new Date(onsetWall(t));
  const day = onset.getUTCDate();
  const lastDay = new Date(Date.UTC(onset.getUTCFullYear(), onset.getUTCMonth() + 1, 0)).getUTCDate();
  const ordinal = day + 7 > lastDay ? -1 : Math.ceil(day / 7);
  return `FREQ=YEARLY;BYMONTH=${onset.getUTCMonth() + 1};BYDAY=${ordinal}${DAY_CODES[onset.getUTCDay()]}`;
}

const ruleKey = (t: Transition) => `${yearlyRule(t)}@${localDateTime(onsetWall(t)).slice(9)}:${t.fromMinutes}>${t.toMinutes}`;

function observance(kind: 'STANDARD' | 'DAYLIGHT', t: Transition, rrule?: string): string[] {
  return [
    `BEGIN:${kind}`,
    contentLine('DTSTART', localDateTime(onsetWall(t))),
    contentLine('TZOFFSETFROM', utcOffset(t.fromMinutes)),
    contentLine('TZOFFSETTO', utcOffset(t.toMinutes)),
    ...(rrule ? [contentLine('RRULE', rrule)] : []),
    `END:${kind}`,
  ];
}

/**
 * The VTIMEZONE of `timeZone` covering the years firstYear..lastYear (from the year before, so
 * the first event has an observance in force). When a kind of transition happens every year
 * by the same rule, it is written once with a yearly RRULE, which also carries it past
 * lastYear; otherwise each transition is listed.
 */
export function vtimezone(timeZone: string, firstYear: number, lastYear: number): string[] {
  const key = `${timeZone}|${firstYear}|${lastYear}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const fromMs = Date.UTC(firstYear - 1, 0, 1);
  const transitions = transitionsBetween(timeZone, fromMs, Date.UTC(lastYear + 1, 0, 1));
  const lines = [`BEGIN:VTIMEZONE`, contentLine('TZID', timeZone)];
  if (transitions.length === 0) {
    const offset = offsetMinutes(fromMs, timeZone);
    lines.push(...observance('STANDARD', { atMs: Date.UTC(1970, 0, 1) - offset * 60_000, fromMinutes: offset, toMinutes: offset }));
  }
  const years = lastYear - firstYear + 2;
  for (const kind of ['DAYLIGHT', 'STANDARD'] as const) {
    const ofKind = transitions.filter((t) => (kind === 'DAYLIGHT') === (t.toMinutes > t.fromMinutes));
    const regular = ofKind.length === years && ofKind.every((t) => ruleKey(t) === ruleKey(ofKind[0]!));
    if (regular) lines.push(...observance(kind, ofKind[0]!, yearlyRule(ofKind[0]!)));
    else for (const t of ofKind) lines.push(...observance(kind, t));
  }
  lines.push('END:VTIMEZONE');
  if (cache.size < 500) cache.set(key, lines);
  return lines;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expandOccurrences, recurrenceRuleSchema, seriesEnd,
  type OccurrenceException, type RecurrenceRule,
} from '../../../workers/events/recurrence/expand.ts';
import { testStores } from '../../support/stores.ts';

const NEW_YORK = 'America/New_York';
const HOUR = 3_600_000;

// US daylight saving time as the law stood (first Sunday of April to last Sunday of October
// until 2006, second Sunday of March to first Sunday of November since 2007): an oracle for
// expected offsets that does not depend on the code under test.
const US_SUMMER: Record<number, [string, string]> = {
  1996: ['1996-04-07', '1996-10-27'], 1997: ['1997-04-06', '1997-10-26'], 1998: ['1998-04-05', '1998-10-25'],
  1999: ['1999-04-04', '1999-10-31'], 2000: ['2000-04-02', '2000-10-29'], 2001: ['2001-04-01', '2001-10-28'],
  2002: ['2002-04-07', '2002-10-27'], 2003: ['2003-04-06', '2003-10-26'], 2004: ['2004-04-04', '2004-10-31'],
  2007: ['2007-03-11', '2007-11-04'],
};

/** The instant of 09:00 New York time on each date (the RFC examples' time of day). */
function nineAm(...dates: string[]): string[] {
  return dates.map((date) => {
    const summer = US_SUMMER[Number(date.slice(0, 4))];
    if (!summer) throw new Error(`no DST table for ${date}`);
    const offset = date >= summer[0] && date < summer[1] ? '-04:00' : '-05:00';
    return new Date(`${date}T09:00:00${offset}`).toISOString();
  });
}

/** Expands an RFC example: DTSTART at 09:00 New York on `firstDate`, events one hour long. */
function rfc(firstDate: string, rule: RecurrenceRule, options: { to?: string; exceptions?: OccurrenceException[]; limit?: number } = {}): string[] {
  const startsAt = new Date(nineAm(firstDate)[0] ?? '');
  return expandOccurrences({
    startsAt, endsAt: new Date(startsAt.getTime() + HOUR), timezone: NEW_YORK, rule,
    exceptions: options.exceptions, from: new Date('1990-01-01T00:00:00Z'), to: new Date(options.to ?? '2010-01-01T00:00:00Z'),
    limit: options.limit,
  }).map((occurrence) => occurrence.startsAt.toISOString());
}

function datesOf(year: number, month: number, days: number[]): string[] {
  return days.map((day) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
}

function range(first: number, last: number, step = 1): number[] {
  return Array.from({ length: Math.floor((last - first) / step) + 1 }, (_, index) => first + index * step);
}

describe('RFC 5545 section 3.8.5.3 examples (America/New_York, 09:00)', () => {
  it('daily for 10 occurrences', () => {
    expect(rfc('1997-09-02', { freq: 'daily', count: 10 })).toEqual(nineAm(...datesOf(1997, 9, range(2, 11))));
  });

  it('daily until December 24, 1997, crossing the change back to standard time', () => {
    expect(rfc('1997-09-02', { freq: 'daily', until: '1997-12-24T00:00:00Z' })).toEqual(nineAm(
      ...datesOf(1997, 9, range(2, 30)), ...datesOf(1997, 10, range(1, 31)),
      ...datesOf(1997, 11, range(1, 30)), ...datesOf(1997, 12, range(1, 23)),
    ));
  });

  it('every other day', () => {
    expect(rfc('1997-09-02', { freq: 'daily', interval: 2 }, { to: '1997-12-01T00:00:00Z' })).toEqual(nineAm(
      ...datesOf(1997, 9, range(2, 30, 2)), ...datesOf(1997, 10, range(2, 30, 2)), ...datesOf(1997, 11, range(1, 29, 2)),
    ));
  });

  it('every 10 days, 5 occurrences', () => {
    expect(rfc('1997-09-02', { freq: 'daily', interval: 10, count: 5 })).toEqual(nineAm(...datesOf(1997, 9, [2, 12, 22]), ...datesOf(1997, 10, [2, 12])));
  });

  it('every day in January for 3 years, as a yearly and as a daily rule', () => {
    const januaries = nineAm(...[1998, 1999, 2000].flatMap((year) => datesOf(year, 1, range(1, 31))));
    const until = '2000-01-31T14:00:00Z';
    expect(rfc('1998-01-01', { freq: 'yearly', until, bymonth: [1], byweekday: ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] })).toEqual(januaries);
    expect(rfc('1998-01-01', { freq: 'daily', until, bymonth: [1] })).toEqual(januaries);
  });

  it('weekly for 10 occurrences', () => {
    expect(rfc('1997-09-02', { freq: 'weekly', count: 10 })).toEqual(nineAm(...datesOf(1997, 9, [2, 9, 16, 23, 30]), ...datesOf(1997, 10, [7, 14, 21, 28]), '1997-11-04'));
  });

  it('weekly until December 24, 1997', () => {
    expect(rfc('1997-09-02', { freq: 'weekly', until: '1997-12-24T00:00:00Z' })).toEqual(nineAm(
      ...datesOf(1997, 9, [2, 9, 16, 23, 30]), ...datesOf(1997, 10, [7, 14, 21, 28]),
      ...datesOf(1997, 11, [4, 11, 18, 25]), ...datesOf(1997, 12, [2, 9, 16, 23]),
    ));
  });

  it('every other week', () => {
    expect(rfc('1997-09-02', { freq: 'weekly', interval: 2 }, { to: '1998-02-18T00:00:00Z' })).toEqual(nineAm(
      ...datesOf(1997, 9, [2, 16, 30]), ...datesOf(1997, 10, [14, 28]), ...datesOf(1997, 11, [11, 25]),
      ...datesOf(1997, 12, [9, 23]), ...datesOf(1998, 1, [6, 20]), ...datesOf(1998, 2, [3, 17]),
    ));
  });

  it('weekly on Tuesday and Thursday for five weeks, by until and by count', () => {
    const expected = nineAm(...datesOf(1997, 9, [2, 4, 9, 11, 16, 18, 23, 25, 30]), '1997-10-02');
    expect(rfc('1997-09-02', { freq: 'weekly', until: '1997-10-07T00:00:00Z', byweekday: ['TU', 'TH'] })).toEqual(expected);
    expect(rfc('1997-09-02', { freq: 'weekly', count: 10, byweekday: ['TU', 'TH'] })).toEqual(expected);
  });

  it('every other week on Monday, Wednesday and Friday until December 24, 1997', () => {
    expect(rfc('1997-09-01', { freq: 'weekly', interval: 2, until: '1997-12-24T00:00:00Z', byweekday: ['MO', 'WE', 'FR'] })).toEqual(nineAm(
      ...datesOf(1997, 9, [1, 3, 5, 15, 17, 19, 29]), ...datesOf(1997, 10, [1, 3, 13, 15, 17, 27, 29, 31]),
      ...datesOf(1997, 11, [10, 12, 14, 24, 26, 28]), ...datesOf(1997, 12, [8, 10, 12, 22]),
    ));
  });

  it('every other week on Tuesday and Thursday, for 8 occurrences', () => {
    expect(rfc('1997-09-02', { freq: 'weekly', interval: 2, count: 8, byweekday: ['TU', 'TH'] }))
      .toEqual(nineAm(...datesOf(1997, 9, [2, 4, 16, 18, 30]), ...datesOf(1997, 10, [2, 14, 16])));
  });

  it('weeks start on Monday (WKST=MO): every other week on Tuesday and Sunday, 4 occurrences', () => {
    expect(rfc('1997-08-05', { freq: 'weekly', interval: 2, count: 4, byweekday: ['TU', 'SU'] })).toEqual(nineAm(...datesOf(1997, 8, [5, 10, 19, 24])));
  });

  it('monthly on the first Friday for 10 occurrences, and until December 24, 1997', () => {
    expect(rfc('1997-09-05', { freq: 'monthly', count: 10, byweekday: ['1FR'] })).toEqual(nineAm(
      '1997-09-05', '1997-10-03', '1997-11-07', '1997-12-05', '1998-01-02', '1998-02-06', '1998-03-06', '1998-04-03', '1998-05-01', '1998-06-05',
    ));
    expect(rfc('1997-09-05', { freq: 'monthly', until: '1997-12-24T00:00:00Z', byweekday: ['1FR'] }))
      .toEqual(nineAm('1997-09-05', '1997-10-03', '1997-11-07', '1997-12-05'));
  });

  it('every other month on the first and last Sunday, for 10 occurrences', () => {
    expect(rfc('1997-09-07', { freq: 'monthly', interval: 2, count: 10, byweekday: ['1SU', '-1SU'] })).toEqual(nineAm(
      '1997-09-07', '1997-09-28', '1997-11-02', '1997-11-30', '1998-01-04', '1998-01-25', '1998-03-01', '1998-03-29', '1998-05-03', '1998-05-31',
    ));
  });

  it('monthly on the second-to-last Monday for 6 months', () => {
    expect(rfc('1997-09-22', { freq: 'monthly', count: 6, byweekday: ['-2MO'] }))
      .toEqual(nineAm('1997-09-22', '1997-10-20', '1997-11-17', '1997-12-22', '1998-01-19', '1998-02-16'));
  });

  it('monthly on the third-to-last day', () => {
    expect(rfc('1997-09-28', { freq: 'monthly', bymonthday: [-3] }, { to: '1998-03-01T00:00:00Z' }))
      .toEqual(nineAm('1997-09-28', '1997-10-29', '1997-11-28', '1997-12-29', '1998-01-29', '1998-02-26'));
  });

  it('monthly on the 2nd and 15th for 10 occurrences', () => {
    expect(rfc('1997-09-02', { freq: 'monthly', count: 10, bymonthday: [2, 15] })).toEqual(nineAm(
      ...[9, 10, 11, 12].flatMap((month) => datesOf(1997, month, [2, 15])), ...datesOf(1998, 1, [2, 15]),
    ));
  });

  it('monthly on the first and last day for 10 occurrences', () => {
    expect(rfc('1997-09-30', { freq: 'monthly', count: 10, bymonthday: [1, -1] })).toEqual(nineAm(
      '1997-09-30', '1997-10-01', '1997-10-31', '1997-11-01', '1997-11-30', '1997-12-01', '1997-12-31', '1998-01-01', '1998-01-31', '1998-02-01',
    ));
  });

  it('every 18 months on the 10th to the 15th, for 10 occurrences', () => {
    expect(rfc('1997-09-10', { freq: 'monthly', interval: 18, count: 10, bymonthday: range(10, 15) }))
      .toEqual(nineAm(...datesOf(1997, 9, range(10, 15)), ...datesOf(1999, 3, range(10, 13))));
  });

  it('every Tuesday, every other month', () => {
    expect(rfc('1997-09-02', { freq: 'monthly', interval: 2, byweekday: ['TU'] }, { to: '1998-04-01T00:00:00Z' })).toEqual(nineAm(
      ...datesOf(1997, 9, [2, 9, 16, 23, 30]), ...datesOf(1997, 11, [4, 11, 18, 25]),
      ...datesOf(1998, 1, [6, 13, 20, 27]), ...datesOf(1998, 3, [3, 10, 17, 24, 31]),
    ));
  });

  it('yearly in June and July for 10 occurrences', () => {
    expect(rfc('1997-06-10', { freq: 'yearly', count: 10, bymonth: [6, 7] }))
      .toEqual(nineAm(...range(1997, 2001).flatMap((year) => [`${year}-06-10`, `${year}-07-10`])));
  });

  it('every other year in January, February and March for 10 occurrences', () => {
    expect(rfc('1997-03-10', { freq: 'yearly', interval: 2, count: 10, bymonth: [1, 2, 3] }))
      .toEqual(nineAm('1997-03-10', ...[1999, 2001, 2003].flatMap((year) => [`${year}-01-10`, `${year}-02-10`, `${year}-03-10`])));
  });

  it('every Thursday in March', () => {
    expect(rfc('1997-03-13', { freq: 'yearly', bymonth: [3], byweekday: ['TH'] }, { to: '2000-01-01T00:00:00Z' })).toEqual(nineAm(
      ...datesOf(1997, 3, [13, 20, 27]), ...datesOf(1998, 3, [5, 12, 19, 26]), ...datesOf(1999, 3, [4, 11, 18, 25]),
    ));
  });

  it('every Thursday, but only during June, July and August', () => {
    expect(rfc('1997-06-05', { freq: 'yearly', byweekday: ['TH'], bymonth: [6, 7, 8] }, { to: '2000-01-01T00:00:00Z' })).toEqual(nineAm(
      ...datesOf(1997, 6, [5, 12, 19, 26]), ...datesOf(1997, 7, [3, 10, 17, 24, 31]), ...datesOf(1997, 8, [7, 14, 21, 28]),
      ...datesOf(1998, 6, [4, 11, 18, 25]), ...datesOf(1998, 7, [2, 9, 16, 23, 30]), ...datesOf(1998, 8, [6, 13, 20, 27]),
      ...datesOf(1999, 6, [3, 10, 17, 24]), ...datesOf(1999, 7, [1, 8, 15, 22, 29]), ...datesOf(1999, 8, [5, 12, 19, 26]),
    ));
  });

  it('every Friday the 13th, the unsynchronised start removed as the RFC does with EXDATE', () => {
    const dtstart = new Date(nineAm('1997-09-02')[0] ?? '');
    expect(rfc('1997-09-02', { freq: 'monthly', byweekday: ['FR'], bymonthday: [13] }, {
      to: '2001-01-01T00:00:00Z', exceptions: [{ originalStartsAt: dtstart, kind: 'cancelled' }],
    })).toEqual(nineAm('1998-02-13', '1998-03-13', '1998-11-13', '1999-08-13', '2000-10-13'));
  });

  it('the first Saturday that follows the first Sunday of the month', () => {
    expect(rfc('1997-09-13', { freq: 'monthly', byweekday: ['SA'], bymonthday: range(7, 13) }, { to: '1998-06-14T00:00:00Z' })).toEqual(nineAm(
      '1997-09-13', '1997-10-11', '1997-11-08', '1997-12-13', '1998-01-10', '1998-02-07', '1998-03-07', '1998-04-11', '1998-05-09', '1998-06-13',
    ));
  });

  it('every 4 years, the first Tuesday after a Monday in November (US election day)', () => {
    expect(rfc('1996-11-05', { freq: 'yearly', interval: 4, bymonth: [11], byweekday: ['TU'], bymonthday: range(2, 8) }, { to: '2005-01-01T00:00:00Z' }))
      .toEqual(nineAm('1996-11-05', '2000-11-07', '2004-11-02'));
  });

  it('skips invalid dates: the 15th and 30th monthly, 5 occurrences, no February 30', () => {
    expect(rfc('2007-01-15', { freq: 'monthly', count: 5, bymonthday: [15, 30] }))
      .toEqual(nineAm('2007-01-15', '2007-01-30', '2007-02-15', '2007-03-15', '2007-03-30'));
  });
});

describe('wall-clock time across daylight saving changes', () => {
  const starts = (input: { startsAt: string; timezone: string; rule: RecurrenceRule; to: string }) => expandOccurrences({
    startsAt: new Date(input.startsAt), endsAt: new Date(new Date(input.startsAt).getTime() + 2 * HOUR), timezone: input.timezone,
    rule: input.rule, from: new Date(input.startsAt), to: new Date(input.to),
  }).map((occurrence) => occurrence.startsAt.toISOString());

  it('keeps a weekly 19:00 Europe/Rome event at 19:00 local after summer time starts', () => {
    expect(starts({ startsAt: '2027-03-16T19:00:00+01:00', timezone: 'Europe/Rome', rule: { freq: 'weekly' }, to: '2027-04-07T00:00:00Z' }))
      .toEqual(['2027-03-16T18:00:00.000Z', '2027-03-23T18:00:00.000Z', '2027-03-30T17:00:00.000Z', '2027-04-06T17:00:00.000Z']);
  });

  it('reads a start that falls in the spring-forward gap with the offset before the gap (02:30 becomes 03:30)', () => {
    expect(starts({ startsAt: '2027-03-13T02:30:00-05:00', timezone: NEW_YORK, rule: { freq: 'daily', count: 3 }, to: '2028-01-01T00:00:00Z' }))
      .toEqual(['2027-03-13T07:30:00.000Z', '2027-03-14T07:30:00.000Z', '2027-03-15T06:30:00.000Z']);
  });

  it('takes the first of a repeated hour when clocks go back', () => {
    expect(starts({ startsAt: '2027-11-06T01:30:00-04:00', timezone: NEW_YORK, rule: { freq: 'daily', count: 3 }, to: '2028-01-01T00:00:00Z' }))
      .toEqual(['2027-11-06T05:30:00.000Z', '2027-11-07T05:30:00.000Z', '2027-11-08T06:30:00.000Z']);
  });

  it('reads until without an offset in the event\'s zone, a bare date as that whole local day', () => {
    const rule = (until: string): RecurrenceRule => ({ freq: 'daily', until });
    const base = { startsAt: '2027-06-01T23:30:00+09:00', timezone: 'Asia/Tokyo', to: '2028-01-01T00:00:00Z' };
    expect(starts({ ...base, rule: rule('2027-06-03') })).toHaveLength(3);
    expect(starts({ ...base, rule: rule('2027-06-03T23:29') })).toHaveLength(2);
    expect(starts({ ...base, rule: rule('2027-06-03T14:30:00Z') })).toHaveLength(3);
  });

  it('keeps the 31st monthly only in months that have one, and 29 February yearly only in leap years', () => {
    expect(starts({ startsAt: '2027-01-31T10:00:00Z', timezone: 'UTC', rule: { freq: 'monthly', count: 4 }, to: '2030-01-01T00:00:00Z' }))
      .toEqual(['2027-01-31T10:00:00.000Z', '2027-03-31T10:00:00.000Z', '2027-05-31T10:00:00.000Z', '2027-07-31T10:00:00.000Z']);
    expect(starts({ startsAt: '2028-02-29T10:00:00Z', timezone: 'UTC', rule: { freq: 'yearly', count: 3 }, to: '2040-01-01T00:00:00Z' }))
      .toEqual(['2028-02-29T10:00:00.000Z', '2032-02-29T10:00:00.000Z', '2036-02-29T10:00:00.000Z']);
  });
});

describe('exceptions, the window and limits', () => {
  const weekly = (extra: Partial<Parameters<typeof expandOccurrences>[0]> = {}) => expandOccurrences({
    startsAt: new Date('2027-05-03T18:00:00Z'), endsAt: new Date('2027-05-03T20:00:00Z'), timezone: 'UTC',
    rule: { freq: 'weekly', count: 6 }, from: new Date('2027-01-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z'), ...extra,
  });
  const isoStarts = (occurrences: { startsAt: Date }[]) => occurrences.map((occurrence) => occurrence.startsAt.toISOString().slice(0, 16));

  it('removes a cancelled occurrence, which still counts toward the rule\'s count', () => {
    const result = weekly({ exceptions: [{ originalStartsAt: new Date('2027-05-10T18:00:00Z'), kind: 'cancelled' }] });
    expect(isoStarts(result)).toEqual(['2027-05-03T18:00', '2027-05-17T18:00', '2027-05-24T18:00', '2027-05-31T18:00', '2027-06-07T18:00']);
  });

  it('shows a moved occurrence at its new time, in order, keeping its original start', () => {
    const result = weekly({ exceptions: [{
      originalStartsAt: new Date('2027-05-10T18:00:00Z'), kind: 'moved',
      newStartsAt: new Date('2027-05-20T09:00:00Z'), newEndsAt: new Date('2027-05-20T12:00:00Z'),
    }] });
    expect(isoStarts(result)).toEqual(['2027-05-03T18:00', '2027-05-17T18:00', '2027-05-20T09:00', '2027-05-24T18:00', '2027-05-31T18:00', '2027-06-07T18:00']);
    expect(result[2]).toEqual({
      startsAt: new Date('2027-05-20T09:00:00Z'), endsAt: new Date('2027-05-20T12:00:00Z'), originalStartsAt: new Date('2027-05-10T18:00:00Z'), moved: true,
    });
  });

  it('includes an occurrence moved into the window from outside it, and drops one moved out', () => {
    const window = { from: new Date('2027-05-15T00:00:00Z'), to: new Date('2027-05-22T00:00:00Z') };
    const movedIn: OccurrenceException = { originalStartsAt: new Date('2027-06-07T18:00:00Z'), kind: 'moved', newStartsAt: new Date('2027-05-16T10:00:00Z'), newEndsAt: new Date('2027-05-16T11:00:00Z') };
    const movedOut: OccurrenceException = { originalStartsAt: new Date('2027-05-17T18:00:00Z'), kind: 'moved', newStartsAt: new Date('2027-07-01T10:00:00Z'), newEndsAt: new Date('2027-07-01T11:00:00Z') };
    expect(isoStarts(weekly({ ...window, exceptions: [movedIn, movedOut] }))).toEqual(['2027-05-16T10:00']);
  });

  it('ignores exceptions that name no occurrence of the series', () => {
    const stray: OccurrenceException = { originalStartsAt: new Date('2027-05-11T18:00:00Z'), kind: 'moved', newStartsAt: new Date('2027-05-12T10:00:00Z'), newEndsAt: new Date('2027-05-12T11:00:00Z') };
    const beyondCount: OccurrenceException = { ...stray, originalStartsAt: new Date('2027-06-14T18:00:00Z') };
    expect(weekly({ exceptions: [stray, beyondCount] })).toEqual(weekly());
  });

  it('returns occurrences overlapping [from, to): one still running at from counts, one ending at from or starting at to does not', () => {
    expect(isoStarts(weekly({ from: new Date('2027-05-10T19:00:00Z'), to: new Date('2027-05-17T18:00:00Z') }))).toEqual(['2027-05-10T18:00']);
    expect(weekly({ from: new Date('2027-05-10T20:00:00Z'), to: new Date('2027-05-17T18:00:00Z') })).toEqual([]);
    expect(weekly({ from: new Date('2027-05-10T00:00:00Z'), to: new Date('2027-05-10T00:00:00Z') })).toEqual([]);
  });

  it('applies exceptions to a one-off event and returns it when it overlaps', () => {
    const oneOff = { rule: null, from: new Date('2027-05-01T00:00:00Z'), to: new Date('2027-05-04T00:00:00Z') };
    expect(isoStarts(weekly(oneOff))).toEqual(['2027-05-03T18:00']);
    expect(weekly({ ...oneOff, exceptions: [{ originalStartsAt: new Date('2027-05-03T18:00:00Z'), kind: 'cancelled' }] })).toEqual([]);
  });

  it('returns at most `limit` occurrences (default 500, never more than 1000), the earliest ones, moved ones included', () => {
    const endless = { rule: { freq: 'daily' } as RecurrenceRule, to: new Date('2035-01-01T00:00:00Z') };
    expect(weekly(endless)).toHaveLength(500);
    expect(weekly({ ...endless, limit: 5000 })).toHaveLength(1000);
    const lateMovedEarly: OccurrenceException = { originalStartsAt: new Date('2027-05-09T18:00:00Z'), kind: 'moved', newStartsAt: new Date('2027-05-03T20:30:00Z'), newEndsAt: new Date('2027-05-03T21:00:00Z') };
    expect(isoStarts(weekly({ ...endless, limit: 2, exceptions: [lateMovedEarly] }))).toEqual(['2027-05-03T18:00', '2027-05-03T20:30']);
  });

  it('expands a window far from the start of an endless series', () => {
    const result = weekly({ rule: { freq: 'daily', interval: 3 }, from: new Date('2127-05-01T00:00:00Z'), to: new Date('2127-05-08T00:00:00Z') });
    expect(result.length).toBeGreaterThanOrEqual(2);
    for (const occurrence of result) {
      expect((occurrence.startsAt.getTime() - new Date('2027-05-03T18:00:00Z').getTime()) % (3 * 24 * HOUR)).toBe(0);
    }
  });
});

describe('bounded work on pathological rules', () => {
  const never = (rule: RecurrenceRule, to = '9999-01-01T00:00:00Z') => ({
    startsAt: new Date('2027-01-01T10:00:00Z'), endsAt: new Date('2027-01-01T11:00:00Z'), timezone: 'Europe/Rome', rule,
    from: new Date('2026-01-01T00:00:00Z'), to: new Date(to),
  });

  it('stops a rule that can never match again (30 February) and keeps the first occurrence', () => {
    for (const rule of [
      { freq: 'daily', bymonth: [2], bymonthday: [30] },
      { freq: 'weekly', bymonth: [2], bymonthday: [30, 31] },
      { freq: 'monthly', bymonth: [2], bymonthday: [-30] },
      { freq: 'yearly', bymonth: [2], bymonthday: [30], count: 100_000 },
    ] as RecurrenceRule[]) {
      expect(expandOccurrences(never(rule)).map((occurrence) => occurrence.startsAt)).toEqual([new Date('2027-01-01T10:00:00Z')]);
    }
  });

  it('gives the series end of a rule that never repeats, and null for one it cannot walk to the end', () => {
    for (const freq of ['daily', 'weekly', 'monthly', 'yearly'] as const) {
      expect(seriesEnd(never({ freq, bymonth: [2], bymonthday: [30], count: 5 }))).toEqual(new Date('2027-01-01T11:00:00Z'));
    }
    // Monday the 31st comes a few times a year, so the walk goes on until its work bound.
    expect(seriesEnd(never({ freq: 'daily', bymonthday: [31], byweekday: ['MO'], count: 100_000 }))).toBeNull();
  });

  it('still finds a rare but real date after centuries of nothing (29 February on a Monday)', () => {
    const rare = expandOccurrences({ ...never({ freq: 'daily', bymonth: [2], bymonthday: [29], byweekday: ['MO'] }), limit: 3 });
    expect(rare.map((occurrence) => occurrence.startsAt.toISOString().slice(0, 10))).toEqual(['2027-01-01', '2044-02-29', '2072-02-29']);
  });

  it('handles the largest interval and count the database accepts', () => {
    expect(expandOccurrences(never({ freq: 'yearly', interval: 100_000, count: 100_000 }))).toHaveLength(1);
    expect(expandOccurrences(never({ freq: 'daily', count: 100_000 }, '2027-01-05T00:00:00Z'))).toHaveLength(4);
    // The 100,000th day is 16 October 2300, still summer time in Rome: 11:00 local is 09:00Z.
    expect(seriesEnd(never({ freq: 'daily', count: 100_000 }))).toEqual(new Date('2300-10-16T10:00:00Z'));
  });
});

describe('seriesEnd', () => {
  const base = { startsAt: new Date('2027-05-03T18:00:00Z'), endsAt: new Date('2027-05-03T20:00:00Z'), timezone: 'Europe/Rome' };

  it('is the end of the last occurrence for count and until, the event end for a one-off, null when endless', () => {
    expect(seriesEnd({ ...base, rule: null })).toEqual(base.endsAt);
    expect(seriesEnd({ ...base, rule: { freq: 'weekly', count: 3 } })).toEqual(new Date('2027-05-17T20:00:00Z'));
    expect(seriesEnd({ ...base, rule: { freq: 'monthly', until: '2027-12-31', byweekday: ['-1MO'] } })).toEqual(new Date('2027-12-27T21:00:00Z'));
    expect(seriesEnd({ ...base, rule: { freq: 'daily' } })).toBeNull();
  });
});

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const ZONES = ['UTC', 'Europe/Rome', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'Pacific/Chatham'];
const DAY = 24 * HOUR;

function localParts(instant: Date, timeZone: string) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short',
  }).formatToParts(instant).map((part) => [part.type, part.value]));
  return { month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), weekday: String(parts.weekday).slice(0, 2).toUpperCase() };
}

const ruleArbitrary: fc.Arbitrary<RecurrenceRule> = fc.record({
  freq: fc.constantFrom('daily', 'weekly', 'monthly', 'yearly'),
  interval: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  end: fc.oneof(
    fc.record({ count: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ until: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2038-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()) }),
    fc.constant({}),
  ),
  byweekday: fc.option(fc.uniqueArray(fc.tuple(fc.constantFrom('', '1', '2', '-1', '-2'), fc.constantFrom(...WEEKDAYS)), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  bymonthday: fc.option(fc.uniqueArray(fc.integer({ min: -31, max: 31 }).filter((day) => day !== 0), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  bymonth: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
}).map(({ end, byweekday, ...rest }) => {
  const ordinalsAllowed = rest.freq === 'monthly' || rest.freq === 'yearly';
  const days = byweekday?.map(([ordinal, code]) => (ordinalsAllowed ? ordinal : '') + code);
  return Object.fromEntries(Object.entries({ ...rest, ...end, byweekday: days && [...new Set(days)] }).filter(([, value]) => value !== undefined)) as unknown as RecurrenceRule;
});

describe('properties of the expansion', () => {
  const scenario = fc.record({
    rule: ruleArbitrary,
    timezone: fc.constantFrom(...ZONES),
    startsAt: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-01-01T00:00:00Z'), noInvalidDate: true }),
    durationMs: fc.integer({ min: 60_000, max: 3 * DAY }),
    fromOffsetMs: fc.integer({ min: -30 * DAY, max: 3 * 365 * DAY }),
    windowMs: fc.integer({ min: HOUR, max: 2 * 365 * DAY }),
    splitFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  });

  it('yields sorted occurrences of the rule, inside the window, from the first one, within count and until, at the same local time', () => {
    fc.assert(fc.property(scenario, (s) => {
      expect(recurrenceRuleSchema.safeParse(s.rule).success).toBe(true);
      const endsAt = new Date(s.startsAt.getTime() + s.durationMs);
      const from = new Date(s.startsAt.getTime() + s.fromOffsetMs);
      const to = new Date(from.getTime() + s.windowMs);
      const expand = (windowFrom: Date, windowTo: Date) => expandOccurrences({ startsAt: s.startsAt, endsAt, timezone: s.timezone, rule: s.rule, from: windowFrom, to: windowTo, limit: 1000 });
      const found = expand(from, to);
      const first = localParts(s.startsAt, s.timezone);
      const untilMs = s.rule.until ? new Date(s.rule.until).getTime() : Infinity;
      found.forEach((occurrence, index) => {
        const start = occurrence.startsAt.getTime();
        expect(occurrence.moved).toBe(false);
        expect(occurrence.originalStartsAt).toEqual(occurrence.startsAt);
        expect(occurrence.endsAt.getTime() - start).toBe(s.durationMs);
        expect(start < to.getTime() && start + s.durationMs > from.getTime()).toBe(true);
        expect(start).toBeGreaterThanOrEqual(s.startsAt.getTime());
        if (index > 0) expect(start).toBeGreaterThan(found[index - 1]?.startsAt.getTime() ?? Infinity);
        if (start === s.startsAt.getTime()) return;
        expect(start).toBeLessThanOrEqual(untilMs);
        const local = localParts(occurrence.startsAt, s.timezone);
        // Clocks change between midnight and 03:00 local in these zones; other times never move.
        if (first.hour >= 4 && first.hour <= 22) expect([local.hour, local.minute]).toEqual([first.hour, first.minute]);
        if (s.rule.bymonth) expect(s.rule.bymonth).toContain(local.month);
        if (s.rule.byweekday) expect(s.rule.byweekday.map((code) => code.slice(-2))).toContain(local.weekday);
      });
      if (s.rule.count !== undefined) expect(found.length).toBeLessThanOrEqual(s.rule.count);
      // Splitting the window changes nothing: every occurrence is found in one half or both.
      const middle = new Date(from.getTime() + Math.floor(s.windowMs * s.splitFraction));
      const halves = [...expand(from, middle), ...expand(middle, to)];
      const merged = [...new Map(halves.map((occurrence) => [occurrence.startsAt.getTime(), occurrence])).values()];
      expect(merged).toEqual(found);
    }), { numRuns: 200 });
  });

  it('ends counted and bounded series at the end of the last occurrence the expansion finds', () => {
    fc.assert(fc.property(ruleArbitrary, fc.constantFrom(...ZONES), fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }), (rule, timezone, startsAt) => {
      const endsAt = new Date(startsAt.getTime() + 2 * HOUR);
      const end = seriesEnd({ startsAt, endsAt, timezone, rule });
      if (rule.count === undefined && rule.until === undefined) {
        expect(end).toBeNull();
        return;
      }
      const all = expandOccurrences({ startsAt, endsAt, timezone, rule, from: startsAt, to: new Date('9999-01-01T00:00:00Z'), limit: 1000 });
      if (all.length < 1000) expect(end).toEqual(all.at(-1)?.endsAt);
    }), { numRuns: 200 });
  });
});

describe('recurrenceRuleSchema', () => {
  const stores = testStores();
  const databaseAccepts = async (rules: unknown[]) => (await stores.postgres.query<{ valid: boolean }>(
    'SELECT flow_valid_recurrence(rule) AS valid FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(rule, n) ORDER BY n',
    [JSON.stringify(rules)],
  )).map((row) => row.valid);

  it('refuses what the database refuses, and a few things RFC 5545 forbids that it lets through', async () => {
    const refused: unknown[] = [
      { freq: 'hourly' }, { interval: 2 }, { freq: 'daily', byWeekday: ['MO'] }, { freq: 'daily', interval: 0 },
      { freq: 'daily', count: 1.5 }, { freq: 'daily', count: 100_001 }, { freq: 'daily', count: 3, until: '2027-01-01' },
      { freq: 'daily', until: 'tomorrow' }, { freq: 'weekly', byweekday: [] }, { freq: 'weekly', byweekday: ['XX'] },
      { freq: 'monthly', byweekday: ['6MO'] }, { freq: 'monthly', bymonthday: [0] }, { freq: 'monthly', bymonthday: [32] },
      { freq: 'yearly', bymonth: [13] }, { freq: 'yearly', bymonth: ['1'] }, { freq: 'daily', count: '3' }, ['daily'],
    ];
    expect(refused.map((rule) => recurrenceRuleSchema.safeParse(rule).success)).toEqual(refused.map(() => false));
    expect(await databaseAccepts(refused)).toEqual(refused.map(() => false));
    const onlyTheSchemaRefuses = [{ freq: 'weekly', byweekday: ['1MO'] }, { freq: 'daily', until: '2027-02-30' }];
    expect(onlyTheSchemaRefuses.map((rule) => recurrenceRuleSchema.safeParse(rule).success)).toEqual([false, false]);
  });

  it('accepts only rules the database accepts', async () => {
    const accepted = [
      { freq: 'daily' }, { freq: 'weekly', interval: 2, count: 10, byweekday: ['MO', 'WE'] },
      { freq: 'monthly', until: '2027-06-30T00:00:00Z', byweekday: ['-1FR'] }, { freq: 'yearly', until: '2027-06-30T10:00+0200', bymonth: [6], bymonthday: [-1] },
      ...fc.sample(ruleArbitrary, { numRuns: 300, seed: 7 }),
    ];
    expect(accepted.map((rule) => recurrenceRuleSchema.safeParse(rule).success)).toEqual(accepted.map(() => true));
    expect(await databaseAccepts(accepted)).toEqual(accepted.map(() => true));
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { escapeText, foldLine } from '../../../workers/events/calendar/ics.ts';
import { expandOccurrences } from '../../../workers/events/recurrence/expand.ts';
import { createEvent } from '../../support/events.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, clientAddress, registerAndLogin, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

const DAY = 86_400_000;
const octets = (text: string) => new TextEncoder().encode(text).length;

interface Property { name: string; params: Record<string, string>; value: string }

/** Checks the physical form (CRLF only, lines <= 75 octets), unfolds, and splits into properties. */
function parseIcs(text: string): Property[] {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  const physical = text.slice(0, -2).split('\r\n');
  for (const line of physical) expect(octets(line), line).toBeLessThanOrEqual(75);
  return text.replace(/\r\n[ \t]/g, '').slice(0, -2).split('\r\n').map((line) => {
    const colon = line.search(/:(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    const [name, ...params] = line.slice(0, colon).split(';');
    return { name: name!, params: Object.fromEntries(params.map((p) => p.split('=') as [string, string])), value: line.slice(colon + 1) };
  });
}

/** The properties of each component named `kind`, in order. */
function components(properties: Property[], kind: string): Property[][] {
  const found: Property[][] = [];
  let current: Property[] | null = null;
  for (const property of properties) {
    if (property.name === 'BEGIN' && property.value === kind) current = [];
    else if (property.name === 'END' && property.value === kind && current) { found.push(current); current = null; }
    else current?.push(property);
  }
  return found;
}

const valueOf = (properties: Property[], name: string) => properties.find((p) => p.name === name)?.value;
const unescapeText = (value: string) => value.replace(/\\([\\;,nN])/g, (_, char: string) => (char === 'n' || char === 'N' ? '\n' : char));
const utc = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

async function getIcs(path: string): Promise<{ response: Response; properties: Property[] }> {
  const response = await call(path, { headers: { 'cf-connecting-ip': clientAddress() } });
  expect(response.status, path).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
  return { response, properties: parseIcs(await response.text()) };
}

let organizer: TestUser;
beforeAll(async () => {
  organizer = await registerAndLogin();
});

describe('iCalendar text rules', () => {
  it('escapes backslash, semicolon, comma and line breaks, and drops other control characters', () => {
    expect(escapeText('a\\b;c,d\r\ne\nf\rg\u0000h\u001bi\tj')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng' + 'hi\tj');
  });

  it('folds at 75 octets without splitting a UTF-8 character, continuation lines starting with a space', () => {
    const line = `DESCRIPTION:${'é'.repeat(40)}${'日本'.repeat(30)}${'🎉'.repeat(20)}`;
    const folded = foldLine(line);
    const pieces = folded.split('\r\n');
    expect(pieces.length).toBeGreaterThan(3);
    for (const [i, piece] of pieces.entries()) {
      expect(octets(piece)).toBeLessThanOrEqual(75);
      if (i > 0) expect(piece.startsWith(' ')).toBe(true);
      expect(piece).not.toContain('\uFFFD');
    }
    expect(folded.replace(/\r\n /g, '')).toBe(line);
    expect(foldLine('SUMMARY:short')).toBe('SUMMARY:short');
  });
});

describe('GET /api/v1/events/{id}.ics', () => {
  it('writes a one-off event: UID, UTC times, escaped text that round-trips, GEO, URL, no virtual link', async () => {
    const title = 'Jazz; wine, and \\ "more"';
    const description = `Line one\nLine two; with, punctuation\nSTATUS:CANCELLED\n${'Ünïcödé 🎷 '.repeat(20)}`;
    const event = await createEvent(organizer, { title, description, type: 'hybrid', virtualProvider: 'zoom', virtualUrl: 'https://zoom.example.com/j/secret-link', location: { lat: 45.4642, lng: 9.19 } });
    const { response, properties } = await getIcs(`/api/v1/events/${event.id}.ics`);
    expect(response.headers.get('content-disposition')).toContain('.ics');

    expect(properties[0]).toEqual({ name: 'BEGIN', params: {}, value: 'VCALENDAR' });
    expect(valueOf(properties, 'VERSION')).toBe('2.0');
    expect(valueOf(properties, 'PRODID')).toBeTruthy();
    const [vevent, ...others] = components(properties, 'VEVENT');
    expect(others).toHaveLength(0);
    expect(valueOf(vevent!, 'UID')).toMatch(new RegExp(`^${event.id}@`));
    expect(valueOf(vevent!, 'DTSTAMP')).toMatch(/^\d{8}T\d{6}Z$/);
    expect(valueOf(vevent!, 'DTSTART')).toBe(utc(Date.parse(event.startsAt)));
    expect(valueOf(vevent!, 'DTEND')).toBe(utc(Date.parse(event.endsAt)));
    expect(unescapeText(valueOf(vevent!, 'SUMMARY')!)).toBe(title);
    expect(unescapeText(valueOf(vevent!, 'DESCRIPTION')!)).toBe(description);
    // The hostile description stayed inside DESCRIPTION: only one STATUS, and it is the event's.
    expect(vevent!.filter((p) => p.name === 'STATUS').map((p) => p.value)).toEqual(['CONFIRMED']);
    expect(valueOf(vevent!, 'GEO')).toBe('45.464200;9.190000');
    expect(unescapeText(valueOf(vevent!, 'LOCATION')!)).toBe('Piazza del Duomo, Milano');
    expect(valueOf(vevent!, 'URL')).toMatch(new RegExp(`/events/${event.id}$`));
    expect(valueOf(vevent!, 'RRULE')).toBeUndefined();
    expect(JSON.stringify(properties)).not.toContain('secret-link');
    expect(properties.at(-1)).toEqual({ name: 'END', params: {}, value: 'VCALENDAR' });
  });

  it('writes a recurring event in its zone with VTIMEZONE, RRULE, EXDATE for a cancelled occurrence and an override for a moved one', async () => {
    // Mondays and Wednesdays at 19:00 Rome time, 8 times.
    const firstMonday = nextWeekday(Date.now() + 2 * DAY, 1);
    const startsAt = romeWallToInstant(firstMonday, 19);
    const rule = { freq: 'weekly' as const, count: 8, byweekday: ['MO', 'WE'] };
    const event = await createEvent(organizer, { startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + 2 * 3_600_000).toISOString(), recurrence: rule });
    const occurrences = expandOccurrences({ startsAt: new Date(startsAt), endsAt: new Date(startsAt + 7_200_000), timezone: 'Europe/Rome', rule, from: new Date(startsAt - DAY), to: new Date(startsAt + 60 * DAY) });
    expect(occurrences).toHaveLength(8);
    const [cancelled, moved] = [occurrences[2]!.startsAt, occurrences[5]!.startsAt];
    const movedTo = new Date(moved.getTime() + 3_600_000);
    await testStores().postgres.query(
      `insert into event_occurrence_exceptions (event_id, original_starts_at, kind, new_starts_at, new_ends_at)
       values ($1, $2, 'cancelled', null, null), ($1, $3, 'moved', $4, $5)`,
      [event.id, cancelled, moved, movedTo, new Date(movedTo.getTime() + 7_200_000)],
    );

    const { properties } = await getIcs(`/api/v1/events/${event.id}.ics`);
    const [zone] = components(properties, 'VTIMEZONE');
    expect(valueOf(zone!, 'TZID')).toBe('Europe/Rome');
    const daylight = components(zone!, 'DAYLIGHT');
    const standard = components(zone!, 'STANDARD');
    expect(daylight.map((p) => [valueOf(p, 'TZOFFSETFROM'), valueOf(p, 'TZOFFSETTO'), valueOf(p, 'RRULE')])).toEqual([['+0100', '+0200', 'FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU']]);
    expect(standard.map((p) => [valueOf(p, 'TZOFFSETFROM'), valueOf(p, 'TZOFFSETTO'), valueOf(p, 'RRULE')])).toEqual([['+0200', '+0100', 'FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU']]);

    const [series, override, ...more] = components(properties, 'VEVENT');
    expect(more).toHaveLength(0);
    const local = (instant: Date) => romeWall(instant.getTime());
    const start = series!.find((p) => p.name === 'DTSTART')!;
    expect(start).toEqual({ name: 'DTSTART', params: { TZID: 'Europe/Rome' }, value: `${firstMonday.replace(/-/g, '')}T190000` });
    expect(valueOf(series!, 'RRULE')).toBe('FREQ=WEEKLY;COUNT=8;BYDAY=MO,WE');
    expect(series!.find((p) => p.name === 'EXDATE')).toEqual({ name: 'EXDATE', params: { TZID: 'Europe/Rome' }, value: local(cancelled) });
    expect(valueOf(override!, 'UID')).toBe(valueOf(series!, 'UID'));
    expect(override!.find((p) => p.name === 'RECURRENCE-ID')).toEqual({ name: 'RECURRENCE-ID', params: { TZID: 'Europe/Rome' }, value: local(moved) });
    expect(valueOf(override!, 'DTSTART')).toBe(local(movedTo));
  });

  it('gives UNTIL in UTC, and says CANCELLED for a cancelled event', async () => {
    const event = await createEvent(organizer, { recurrence: { freq: 'daily', interval: 2, until: '2099-12-31' } });
    const { properties } = await getIcs(`/api/v1/events/${event.id}.ics`);
    // A bare until date includes that whole day in Rome: 23:59:59 Rome time is 22:59:59Z in winter.
    expect(valueOf(components(properties, 'VEVENT')[0]!, 'RRULE')).toBe('FREQ=DAILY;INTERVAL=2;UNTIL=20991231T225959Z');

    const cancelled = await createEvent(organizer);
    const response = await call(`/api/v1/events/${cancelled.id}`, { method: 'DELETE', headers: bearer(organizer.tokens.accessToken) });
    expect(response.status).toBeLessThan(300);
    const ics = await getIcs(`/api/v1/events/${cancelled.id}.ics`);
    expect(valueOf(components(ics.properties, 'VEVENT')[0]!, 'STATUS')).toBe('CANCELLED');
  });

  it('is mounted before GET /events/{id}, which still answers JSON', async () => {
    const event = await createEvent(organizer);
    const response = await call(`/api/v1/events/${event.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
  });

  it('does not show drafts, private or unknown events (404), and refuses malformed ids (400)', async () => {
    const draft = await createEvent(organizer, { status: 'draft' });
    const secret = await createEvent(organizer, { visibility: 'private' });
    await expectProblem(await call(`/api/v1/events/${draft.id}.ics`), 404);
    await expectProblem(await call(`/api/v1/events/${secret.id}.ics`), 404);
    await expectProblem(await call(`/api/v1/events/${crypto.randomUUID()}.ics`), 404);
    await expectProblem(await call('/api/v1/events/not-an-id.ics'), 400);
    await expectProblem(await call("/api/v1/events/'%20or%201=1--.ics"), 400);
  });
});

async function createFeed(user: TestUser): Promise<{ url: string; webcalUrl: string; createdAt: string }> {
  const response = await call('/api/v1/calendar/feed', { method: 'POST', headers: bearer(user.tokens.accessToken) });
  expect(response.status).toBe(201);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as { url: string; webcalUrl: string; createdAt: string };
}

const feedPath = (url: string) => new URL(url).pathname;
const uidsIn = (properties: Property[]) => components(properties, 'VEVENT').map((vevent) => valueOf(vevent, 'UID')!.split('@')[0]);

describe('private calendar feeds', () => {
  it('lists the events the owner organizes or attends, with the virtual link, and nobody else\'s', async () => {
    const [alice, bob] = [await registerAndLogin(), await registerAndLogin()];
    const own = await createEvent(alice);
    const attended = await createEvent(organizer, { type: 'hybrid', virtualProvider: 'meet', virtualUrl: 'https://meet.example.com/abc-defg-hij' });
    const dropped = await createEvent(organizer);
    const notMine = await createEvent(bob);
    const bobAttends = await createEvent(organizer);
    for (const [user, event] of [[alice, attended], [alice, dropped], [bob, bobAttends]] as const) {
      const response = await callJson(`/api/v1/events/${event.id}/attend`, 'POST', {}, bearer(user.tokens.accessToken));
      expect(response.status, await response.clone().text()).toBeLessThan(300);
    }
    expect((await call(`/api/v1/events/${dropped.id}/attend`, { method: 'DELETE', headers: bearer(alice.tokens.accessToken) })).status).toBeLessThan(300);

    const feed = await createFeed(alice);
    expect(feed.url).toMatch(/^https?:\/\/[^/]+\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    expect(feed.webcalUrl).toBe(feed.url.replace(/^https?:/, 'webcal:'));
    const { response, properties } = await getIcs(feedPath(feed.url));
    expect(response.headers.get('cache-control')).toMatch(/^private/);
    expect(valueOf(properties, 'X-WR-CALNAME')).toBeTruthy();
    expect(uidsIn(properties).sort()).toEqual([own.id, attended.id].sort());
    const attendedEntry = components(properties, 'VEVENT').find((vevent) => valueOf(vevent, 'UID')!.startsWith(attended.id))!;
    expect(unescapeText(valueOf(attendedEntry, 'DESCRIPTION')!)).toContain('https://meet.example.com/abc-defg-hij');
    for (const other of [notMine.id, bobAttends.id, dropped.id]) expect(JSON.stringify(properties)).not.toContain(other);
  });

  it('rotation gives a new URL and the old one stops working; only a hash of the token is stored', async () => {
    const user = await registerAndLogin();
    await createEvent(user);
    const first = await createFeed(user);
    const second = await createFeed(user);
    expect(second.url).not.toBe(first.url);
    await expectProblem(await call(feedPath(first.url)), 404);
    await getIcs(feedPath(second.url));

    const token = feedPath(second.url).split('/').pop()!.replace(/\.ics$/, '');
    const [row] = await testStores().postgres.query<{ token_hash: string }>('select token_hash from calendar_feeds where account_id = $1', [user.id]);
    const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)))].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect(row!.token_hash).toBe(digest);
  });

  it('revoking makes the URL a 404; revoking twice is a 404', async () => {
    const user = await registerAndLogin();
    const feed = await createFeed(user);
    const revoked = await call('/api/v1/calendar/feed', { method: 'DELETE', headers: bearer(user.tokens.accessToken) });
    expect(revoked.status).toBe(204);
    await expectProblem(await call(feedPath(feed.url)), 404);
    await expectProblem(await call('/api/v1/calendar/feed', { method: 'DELETE', headers: bearer(user.tokens.accessToken) }), 404);
  });

  it('needs a login to create or revoke a feed, and refuses guessed or malformed tokens', async () => {
    await expectProblem(await call('/api/v1/calendar/feed', { method: 'POST' }), 401);
    await expectProblem(await call('/api/v1/calendar/feed', { method: 'DELETE' }), 401);
    await expectProblem(await call('/api/v1/calendar/feed', { method: 'POST', headers: bearer('not.a.token') }), 401);
    await expectProblem(await call(`/api/v1/calendar/${'A'.repeat(43)}.ics`), 404);
    await expectProblem(await call('/api/v1/calendar/short.ics'), 400);
    await expectProblem(await call(`/api/v1/calendar/${'A'.repeat(42)}%00.ics`), 400);
  });

  it('documents the calendar routes in the OpenAPI document, the feed management ones as authenticated', async () => {
    const document = (await (await call('/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    expect(document.paths['/api/v1/events/{id}.ics']?.get?.security).toBeUndefined();
    expect(document.paths['/api/v1/calendar/{token}.ics']?.get?.security).toBeUndefined();
    expect(document.paths['/api/v1/calendar/feed']?.post?.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/api/v1/calendar/feed']?.delete?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(document.paths).filter((path) => path.includes(':'))).toEqual([]);
  });
});

// Rome wall-clock helpers for the recurring example, independent of the code under test.
const romeFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
function romeWall(instantMs: number): string {
  const p = Object.fromEntries(romeFormat.formatToParts(instantMs).map((part) => [part.type, part.value]));
  return `${p.year}${p.month}${p.day}T${p.hour}${p.minute}${p.second}`;
}
/** The instant of HH:00 Rome time on a YYYY-MM-DD day. */
function romeWallToInstant(day: string, hour: number): number {
  for (const offset of [1, 2]) {
    const instant = Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`) - offset * 3_600_000;
    if (romeWall(instant) === `${day.replace(/-/g, '')}T${String(hour).padStart(2, '0')}0000`) return instant;
  }
  throw new Error(`no ${hour}:00 in Rome on ${day}`);
}
/** The first YYYY-MM-DD on or after `fromMs` that falls on `weekday` (0 Sunday .. 6 Saturday). */
function nextWeekday(fromMs: number, weekday: number): string {
  let day = new Date(new Date(fromMs).toISOString().slice(0, 10));
  while (day.getUTCDay() !== weekday) day = new Date(day.getTime() + DAY);
  return day.toISOString().slice(0, 10);
}

import { describe, expect, it } from 'vitest';
import type { EventInput } from '../../../workers/events/schemas.ts';
import { createEvent, type TestEvent } from '../../support/events.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { quickUser } from '../../support/ticketing.ts';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const stores = testStores();

interface OccurrenceJson { startsAt: string; endsAt: string; originalStartsAt: string; moved: boolean }
interface OccurrenceList { eventId: string; timezone: string; items: OccurrenceJson[] }

/** A published weekly event in UTC (so occurrences are exact weeks apart): 6 two-hour occurrences from next week. */
async function weeklyEvent(organizer: TestUser, overrides: Partial<EventInput> = {}): Promise<TestEvent> {
  const first = Math.ceil((Date.now() + WEEK) / HOUR) * HOUR;
  return createEvent(organizer, {
    startsAt: new Date(first).toISOString(), endsAt: new Date(first + 2 * HOUR).toISOString(),
    timezone: 'UTC', recurrence: { freq: 'weekly', count: 6 }, ...overrides,
  });
}

/** The nth occurrence's original start (0 = the first). */
const nth = (event: TestEvent, index: number) => new Date(Date.parse(event.startsAt) + index * WEEK).toISOString();
const path = (event: TestEvent, original?: string) => `/api/v1/events/${event.id}/occurrences${original === undefined ? '' : `/${encodeURIComponent(original)}`}`;
const tokenOf = (user: TestUser) => bearer(user.tokens.accessToken);

async function list(event: TestEvent, query = '', user?: TestUser): Promise<OccurrenceList> {
  const response = await call(`${path(event)}${query}`, { headers: user ? tokenOf(user) : {} });
  expect(response.status).toBe(200);
  return (await response.json()) as OccurrenceList;
}
const starts = async (event: TestEvent, query = '') => (await list(event, query)).items.map((item) => item.startsAt);
const cancel = (event: TestEvent, original: string, user: TestUser, body?: unknown) =>
  body === undefined ? call(path(event, original), { method: 'DELETE', headers: tokenOf(user) }) : callJson(path(event, original), 'DELETE', body, tokenOf(user));
const move = (event: TestEvent, original: string, user: TestUser, body: unknown) => callJson(path(event, original), 'PUT', body, tokenOf(user));

const exceptionRows = (eventId: string) => stores.postgres.query<{ kind: string; original_starts_at: Date; new_starts_at: Date | null; reason: string | null }>(
  'select kind, original_starts_at, new_starts_at, reason from event_occurrence_exceptions where event_id = $1 order by original_starts_at', [eventId]);
const updatesAnnounced = async (eventId: string) => (await stores.postgres.query<{ payload: { changed: string[] } }>(
  "select payload from outbox_events where type = 'event.updated' and payload->>'eventId' = $1", [eventId])).map((row) => row.payload.changed);

describe('GET /events/{id}/occurrences', () => {
  it('lists the occurrences of a public recurring event to anyone, in order', async () => {
    const event = await weeklyEvent(await quickUser());
    const result = await list(event);
    expect(result).toMatchObject({ eventId: event.id, timezone: 'UTC' });
    expect(result.items).toEqual([0, 1, 2, 3, 4, 5].map((index) => ({
      startsAt: nth(event, index), endsAt: new Date(Date.parse(nth(event, index)) + 2 * HOUR).toISOString(), originalStartsAt: nth(event, index), moved: false,
    })));
    expect((await call(`/api/events/${event.id}/occurrences`)).status).toBe(200); // unversioned alias
  });

  it('narrows to a window (an occurrence still running at from counts) and to a limit', async () => {
    const event = await weeklyEvent(await quickUser());
    const from = new Date(Date.parse(nth(event, 1)) + HOUR).toISOString();
    expect(await starts(event, `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(nth(event, 3))}`)).toEqual([nth(event, 1), nth(event, 2)]);
    expect(await starts(event, '?limit=2')).toEqual([nth(event, 0), nth(event, 1)]);
  });

  it('gives a one-off event its single occurrence', async () => {
    const event = await createEvent(await quickUser());
    expect(await starts(event)).toEqual([event.startsAt]);
  });

  it('hides drafts and private events from strangers (404), shows drafts to the organizer', async () => {
    const organizer = await quickUser();
    const stranger = await quickUser();
    const draft = await weeklyEvent(organizer, { status: 'draft' });
    const secret = await weeklyEvent(organizer, { visibility: 'private' });
    for (const event of [draft, secret]) {
      await expectProblem(await call(path(event)), 404);
      await expectProblem(await call(path(event), { headers: tokenOf(stranger) }), 404);
    }
    expect((await list(draft, '', organizer)).items).toHaveLength(6);
    await expectProblem(await call(`/api/v1/events/${crypto.randomUUID()}/occurrences`), 404);
  });

  it('refuses bad queries with a 400 problem', async () => {
    const event = await weeklyEvent(await quickUser());
    for (const query of ['?from=yesterday', `?from=${encodeURIComponent(nth(event, 2))}&to=${encodeURIComponent(nth(event, 1))}`, '?limit=0', '?limit=501', '?limit=abc', '?fields=title', "?from=1' or '1'='1"]) {
      await expectProblem(await call(`${path(event)}${query}`), 400);
    }
    await expectProblem(await call('/api/v1/events/not-a-uuid/occurrences'), 400);
    await expectProblem(await call(path(event), { headers: { authorization: 'Bearer nonsense' } }), 401);
  });
});

describe('DELETE /events/{id}/occurrences/{originalStartsAt}', () => {
  it('cancels one occurrence for the organizer, stores it, and announces event.updated once', async () => {
    const organizer = await quickUser();
    const event = await weeklyEvent(organizer);
    expect((await cancel(event, nth(event, 2), organizer, { reason: 'Venue closed' })).status).toBe(204);
    expect(await starts(event)).toEqual([0, 1, 3, 4, 5].map((index) => nth(event, index)));
    expect(await exceptionRows(event.id)).toEqual([{ kind: 'cancelled', original_starts_at: new Date(nth(event, 2)), new_starts_at: null, reason: 'Venue closed' }]);
    expect((await cancel(event, nth(event, 2), organizer)).status).toBe(204); // again: nothing changes
    expect(await updatesAnnounced(event.id)).toEqual([['occurrences']]);
  });

  it('names the occurrence by any offset of the same instant', async () => {
    const organizer = await quickUser();
    const event = await weeklyEvent(organizer);
    const asRome = new Date(Date.parse(nth(event, 1)) + 2 * HOUR).toISOString().replace('Z', '+02:00');
    expect((await cancel(event, asRome, organizer)).status).toBe(204);
    expect(await starts(event)).not.toContain(nth(event, 1));
  });

  it('answers 404 for a time that is no occurrence of the series, and 409 for one-off, cancelled or started events', async () => {
    const organizer = await quickUser();
    const event = await weeklyEvent(organizer);
    for (const wrong of [new Date(Date.parse(nth(event, 1)) + 60_000).toISOString(), nth(event, 6), new Date(Date.parse(event.startsAt) - WEEK).toISOString()]) {
      await expectProblem(await cancel(event, wrong, organizer), 404);
    }
    const oneOff = await createEvent(organizer);
    await expectProblem(await cancel(oneOff, oneOff.startsAt, organizer), 409);
    const started = Math.floor(Date.now() / HOUR) * HOUR - WEEK;
    const running = await weeklyEvent(organizer, { startsAt: new Date(started).toISOString(), endsAt: new Date(started + HOUR).toISOString() });
    await expectProblem(await cancel(running, running.startsAt, organizer), 409);
    expect((await cancel(running, nth(running, 2), organizer)).status).toBe(204);
    const called = await weeklyEvent(organizer);
    expect((await call(`/api/v1/events/${called.id}`, { method: 'DELETE', headers: tokenOf(organizer) })).status).toBe(200);
    await expectProblem(await cancel(called, nth(called, 1), organizer), 409);
    for (const untouched of [event, oneOff, called]) expect(await exceptionRows(untouched.id)).toEqual([]);
  });

  it('lets only the organizer or edit_event change occurrences: 401 without a token, 403 for others, 404 on drafts they cannot see', async () => {
    const [organizer, stranger, editor] = await Promise.all([quickUser(), quickUser(), quickUser(['edit_event'])]);
    const event = await weeklyEvent(organizer);
    const draft = await weeklyEvent(organizer, { status: 'draft' });
    await expectProblem(await call(path(event, nth(event, 1)), { method: 'DELETE' }), 401);
    await expectProblem(await cancel(event, nth(event, 1), stranger), 403);
    await expectProblem(await move(event, nth(event, 1), stranger, { startsAt: nth(event, 6), endsAt: nth(event, 7) }), 403);
    await expectProblem(await cancel(draft, nth(draft, 1), stranger), 404);
    expect(await exceptionRows(event.id)).toEqual([]);
    expect((await cancel(event, nth(event, 1), editor)).status).toBe(204);
    expect((await cancel(draft, nth(draft, 1), organizer)).status).toBe(204);
    expect(await updatesAnnounced(draft.id)).toEqual([]); // drafts are not announced
  });

  it('refuses hostile input with a 400 problem and stores nothing', async () => {
    const organizer = await quickUser();
    const event = await weeklyEvent(organizer);
    for (const original of ['tomorrow', "2030-01-01' or 1=1 --", '2030-13-01T00:00:00Z', '../../users/me', 'x'.repeat(5000)]) {
      await expectProblem(await cancel(event, original, organizer), 400);
    }
    for (const body of [{ reason: 'x'.repeat(1001) }, { reason: '' }, { reason: 'ok', extra: true }, ['reason']]) {
      await expectProblem(await cancel(event, nth(event, 1), organizer, body), 400);
    }
    for (const raw of ['{"reason":', '{"__proto__":{"admin":true},"reason":"ok"}']) {
      await expectProblem(await call(path(event, nth(event, 1)), { method: 'DELETE', headers: { ...tokenOf(organizer), 'content-type': 'application/json' }, body: raw }), 400);
    }
    expect(await exceptionRows(event.id)).toEqual([]);
  });

  it('stores one exception and one announcement when the same occurrence is cancelled many times at once', async () => {
    const organizer = await quickUser();
    const event = await weeklyEvent(organizer);
    const responses = await Promise.all(Array.from({ length: 8 }, () => cancel(event, nth(event, 3), organizer)));
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(204));
    expect(await exceptionRows(event.id)).toHaveLength(1);
    expect(await updatesAnnounced(event.id)).toEqual([['occurrences']]);
  });
});

describe('PUT /events/{id}/occurrences/{originalStartsAt}', () => {
  it('moves one occurrence, shows it at the new time in order, and announces event.updated', async () => {
    const organizer = await quickUser();
    const event = await weeklyEvent(organizer);
    const newStart = new Date(Date.parse(nth(event, 3)) + 3 * 24 * HOUR).toISOString();
    const newEnd = new Date(Date.parse(newStart) + 3 * HOUR).toISOString();
    const response = await move(event, nth(event, 1), organizer, { startsAt: newStart, endsAt: newEnd, reason: 'Speaker travelling' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ startsAt: newStart, endsAt: newEnd, originalStartsAt: nth(event, 1), moved: true });
    const items = (await list(event)).items;
    expect(items.map((item) => item.startsAt)).toEqual([nth(event, 0), nth(event, 2), nth(event, 3), newStart, nth(event, 4), nth(event, 5)]);
    expect(items[3]).toEqual({ startsAt: newStart, endsAt: newEnd, originalStartsAt: nth(event, 1), moved: true });
    expect(await updatesAnnounced(event.id)).toEqual([['occurrences']]);
  });

  it('shows a moved occurrence in a window around its new time only', async () => {
    const organizer = await quickUser();
    const event = await weeklyEvent(organizer);
    const newStart = new Date(Date.parse(nth(event, 5)) + 2 * WEEK).toISOString();
    expect((await move(event, nth(event, 0), organizer, { startsAt: newStart, endsAt: new Date(Date.parse(newStart) + HOUR).toISOString() })).status).toBe(200);
    expect(await starts(event, `?from=${encodeURIComponent(nth(event, 6))}`)).toEqual([newStart]);
    expect(await starts(event, `?to=${encodeURIComponent(nth(event, 1))}`)).toEqual([]);
  });

  it('brings a cancelled occurrence back at new times, and restores it when moved to the times the rule gives', async () => {
    const organizer = await quickUser();
    const event = await weeklyEvent(organizer);
    const originalEnd = new Date(Date.parse(nth(event, 2)) + 2 * HOUR).toISOString();
    expect((await cancel(event, nth(event, 2), organizer)).status).toBe(204);
    const later = new Date(Date.parse(nth(event, 2)) + HOUR).toISOString();
    expect((await move(event, nth(event, 2), organizer, { startsAt: later, endsAt: originalEnd })).status).toBe(200);
    expect(await exceptionRows(event.id)).toMatchObject([{ kind: 'moved', new_starts_at: new Date(later) }]);
    const restored = await move(event, nth(event, 2), organizer, { startsAt: nth(event, 2), endsAt: originalEnd });
    expect(await restored.json()).toEqual({ startsAt: nth(event, 2), endsAt: originalEnd, originalStartsAt: nth(event, 2), moved: false });
    expect(await exceptionRows(event.id)).toEqual([]);
    expect((await list(event)).items.every((item) => !item.moved)).toBe(true);
    expect(await updatesAnnounced(event.id)).toHaveLength(3);
  });

  it('refuses bad times and hostile bodies with a 400 problem, and unknown occurrences with 404', async () => {
    const organizer = await quickUser();
    const event = await weeklyEvent(organizer);
    const start = nth(event, 6);
    const past = new Date(Date.now() - HOUR).toISOString();
    for (const body of [
      { startsAt: start, endsAt: start }, { startsAt: nth(event, 7), endsAt: start }, { startsAt: past, endsAt: start },
      { startsAt: 'soon', endsAt: start }, { startsAt: start }, {}, { startsAt: start, endsAt: nth(event, 7), status: 'cancelled' },
      { startsAt: start, endsAt: nth(event, 7), reason: 'x'.repeat(1001) }, { startsAt: 1, endsAt: 2 },
    ]) {
      await expectProblem(await move(event, nth(event, 1), organizer, body), 400);
    }
    await expectProblem(await call(path(event, nth(event, 1)), { method: 'PUT', headers: tokenOf(organizer) }), 400);
    await expectProblem(await move(event, new Date(Date.parse(nth(event, 1)) + 1000).toISOString(), organizer, { startsAt: start, endsAt: nth(event, 7) }), 404);
    await expectProblem(await call(path(event, nth(event, 1)), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ startsAt: start, endsAt: nth(event, 7) }) }), 401);
    expect(await exceptionRows(event.id)).toEqual([]);
  });

  it('leaves one consistent exception when moves and cancellations of one occurrence race', async () => {
    const organizer = await quickUser();
    const event = await weeklyEvent(organizer);
    const targets = [1, 2, 3].map((days) => new Date(Date.parse(nth(event, 6)) + days * 24 * HOUR).toISOString());
    const responses = await Promise.all([
      ...targets.map((startsAt) => move(event, nth(event, 4), organizer, { startsAt, endsAt: new Date(Date.parse(startsAt) + HOUR).toISOString() })),
      cancel(event, nth(event, 4), organizer),
      cancel(event, nth(event, 4), organizer),
    ]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 204, 204]);
    const rows = await exceptionRows(event.id);
    expect(rows).toHaveLength(1);
    const shown = (await list(event)).items.filter((item) => item.originalStartsAt === nth(event, 4));
    expect(shown).toEqual(rows[0]?.kind === 'cancelled' ? [] : [expect.objectContaining({ startsAt: rows[0]?.new_starts_at?.toISOString(), moved: true })]);
  });
});

describe('API documentation of occurrences', () => {
  it('lists the three routes with their schemas, and marks cancel and move as authenticated', async () => {
    const document = (await (await call('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security?: Record<string, unknown>[]; requestBody?: unknown }>>;
      components: { schemas: Record<string, unknown> };
    };
    const list = document.paths['/api/v1/events/{id}/occurrences']?.get;
    const single = document.paths['/api/v1/events/{id}/occurrences/{originalStartsAt}'];
    expect(list).toBeDefined();
    for (const operation of [single?.delete, single?.put]) {
      expect(operation?.security).toEqual([{ bearer: [] }]);
      expect(operation?.requestBody).toBeDefined();
    }
    for (const name of ['Occurrence', 'OccurrenceList', 'MoveOccurrenceRequest', 'CancelOccurrenceRequest']) expect(document.components.schemas[name], name).toBeDefined();
  });
});

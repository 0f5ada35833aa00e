import { describe, expect, it } from 'vitest';
import type { EventDocument } from '../../../workers/events/schemas.ts';
import { createEvent } from '../../support/events.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, clientAddress, login, registerAndLogin, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

const HOUR = 3_600_000;
const getEvent = (id: string, token?: string) => call(`/api/v1/events/${id}`, { headers: token ? bearer(token) : {} });
const putEvent = (id: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
  callJson(`/api/v1/events/${id}`, 'PUT', body, { ...bearer(token), ...headers });
const deleteEvent = (id: string, token: string, body?: unknown) =>
  body === undefined ? call(`/api/v1/events/${id}`, { method: 'DELETE', headers: bearer(token) }) : callJson(`/api/v1/events/${id}`, 'DELETE', body, bearer(token));

async function grant(user: TestUser, permission: string): Promise<string> {
  await testStores().postgres.query('update accounts set permissions = array_append(permissions, $2) where id = $1', [user.id, permission]);
  return (await login(user.email, user.password, clientAddress())).accessToken; // permissions are read at login
}

async function outboxFor(eventId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  return testStores().postgres.query("select type, payload from outbox_events where payload->>'eventId' = $1 order by created_at, id", [eventId]);
}

async function register(eventId: string, accountId: string): Promise<void> {
  await testStores().postgres.query('insert into registrations (event_id, account_id) values ($1, $2)', [eventId, accountId]);
}

describe('create and read events', () => {
  it('creates a published event, announces it, and anyone can read it', async () => {
    const organizer = await registerAndLogin();
    const event = await createEvent(organizer, { title: 'Jazz night', tags: ['Jazz', 'Live music'], capacity: 50 });
    expect(event).toMatchObject({ title: 'Jazz night', organizerId: organizer.id, status: 'published', type: 'in_person', capacity: 50, seatsAvailable: 50, tags: ['Jazz', 'Live music'], version: 1, location: { lat: 45.4642, lng: 9.19 } });
    expect(event.publishedAt).not.toBeNull();

    const anonymous = await getEvent(event.id);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('etag')).toBe('"1"');
    expect(await anonymous.json()).toMatchObject({ id: event.id, title: 'Jazz night' });
    expect((await call(`/api/events/${event.id}`)).status).toBe(200); // unversioned alias

    expect(await outboxFor(event.id)).toEqual([{ type: 'event.created', payload: expect.objectContaining({ eventId: event.id, organizerId: organizer.id, title: 'Jazz night' }) }]);
  });

  it('a draft is visible to its organizer only and announces nothing', async () => {
    const [organizer, stranger] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const draft = await createEvent(organizer, { status: 'draft' });
    expect(draft.status).toBe('draft');
    expect((await getEvent(draft.id, organizer.tokens.accessToken)).status).toBe(200);
    await expectProblem(await getEvent(draft.id), 404);
    await expectProblem(await getEvent(draft.id, stranger.tokens.accessToken), 404);
    expect(await outboxFor(draft.id)).toEqual([]);
  });

  it('shows the virtual link only to the organizer and to attendees with an active registration', async () => {
    const [organizer, attendee, stranger] = await Promise.all([registerAndLogin(), registerAndLogin(), registerAndLogin()]);
    const event = await createEvent(organizer, { type: 'hybrid', virtualProvider: 'zoom', virtualUrl: 'https://zoom.example.com/j/123' });
    const linkSeenBy = async (token?: string) => ((await (await getEvent(event.id, token)).json()) as EventDocument).virtualUrl;

    expect(await linkSeenBy(organizer.tokens.accessToken)).toBe('https://zoom.example.com/j/123');
    expect(await linkSeenBy()).toBeUndefined();
    expect(await linkSeenBy(stranger.tokens.accessToken)).toBeUndefined();
    expect(await linkSeenBy(attendee.tokens.accessToken)).toBeUndefined();

    await register(event.id, attendee.id);
    expect(await linkSeenBy(attendee.tokens.accessToken)).toBe('https://zoom.example.com/j/123');
    await testStores().postgres.query("update registrations set status = 'cancelled', cancelled_at = now() where event_id = $1", [event.id]);
    expect(await linkSeenBy(attendee.tokens.accessToken)).toBeUndefined();
  });

  it('rejects bad input with 400 and stores nothing', async () => {
    const organizer = await registerAndLogin();
    const token = organizer.tokens.accessToken;
    const start = new Date(Date.now() + 24 * HOUR).toISOString();
    const end = new Date(Date.now() + 26 * HOUR).toISOString();
    const base = { title: 'Bad', startsAt: start, endsAt: end, timezone: 'Europe/Rome', location: { lat: 1, lng: 1 } };
    for (const body of [
      { ...base, endsAt: start },
      { ...base, timezone: 'Mars/Olympus' },
      { ...base, location: { lat: 91, lng: 0 } },
      { ...base, type: 'in_person', virtualUrl: 'https://x.example.com' },
      { ...base, type: 'virtual', status: 'published' },
      { ...base, virtualUrl: 'javascript:alert(1)', type: 'virtual' },
      { ...base, capacity: 0 },
      { ...base, title: '' },
      { ...base, organizerId: organizer.id },
      { ...base, recurrence: { freq: 'hourly' } },
      { ...base, recurrence: { freq: 'weekly', count: 3, until: '2027-01-01' } },
      { ...base, categoryId: crypto.randomUUID() },
      { ...base, venueId: crypto.randomUUID() },
      JSON.parse(`{"__proto__": {"admin": true}, "title": "Bad", "startsAt": "${start}", "endsAt": "${end}", "timezone": "UTC"}`) as unknown,
      { ...base, status: 'published', location: undefined },
    ]) {
      await expectProblem(await callJson('/api/v1/events', 'POST', body, bearer(token)), 400);
    }
    const [row] = await testStores().postgres.query<{ count: number }>('select count(*)::int as count from events where organizer_id = $1', [organizer.id]);
    expect(row?.count).toBe(0);
  });

  it('needs a token to create, and 404s unknown or malformed ids', async () => {
    await expectProblem(await callJson('/api/v1/events', 'POST', { title: 'x' }), 401);
    await expectProblem(await getEvent(crypto.randomUUID()), 404);
    await expectProblem(await getEvent('not-a-uuid'), 400);
  });
});

describe('update and cancel events', () => {
  it('the organizer updates with the version; a stale If-Match is a 412, a stale body version a 409; the cache follows', async () => {
    const organizer = await registerAndLogin();
    const token = organizer.tokens.accessToken;
    const event = await createEvent(organizer, { title: 'Before' });
    expect((await getEvent(event.id)).status).toBe(200); // now cached

    const updated = await putEvent(event.id, token, { title: 'After', tags: ['Rock'] }, { 'if-match': '"1"' });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ title: 'After', tags: ['Rock'], version: 2 });
    expect(await (await getEvent(event.id)).json()).toMatchObject({ title: 'After', version: 2 });

    await expectProblem(await putEvent(event.id, token, { title: 'Lost' }, { 'if-match': '"1"' }), 412);
    await expectProblem(await putEvent(event.id, token, { title: 'Lost', version: 1 }), 409);
    await expectProblem(await putEvent(event.id, token, { title: 'x' }, { 'if-match': 'garbage' }), 400);
    expect(await (await getEvent(event.id)).json()).toMatchObject({ title: 'After' });

    const messages = await outboxFor(event.id);
    expect(messages.map((m) => m.type)).toEqual(['event.created', 'event.updated']);
    expect(messages[1]!.payload.changed).toEqual(expect.arrayContaining(['title', 'tags']));
  });

  it('concurrent updates at the same version: exactly one wins', async () => {
    const organizer = await registerAndLogin();
    const event = await createEvent(organizer);
    const responses = await Promise.all(Array.from({ length: 5 }, (_, index) => putEvent(event.id, organizer.tokens.accessToken, { title: `Racer ${index}`, version: 1 })));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
  });

  it('publishing a draft announces event.created', async () => {
    const organizer = await registerAndLogin();
    const draft = await createEvent(organizer, { status: 'draft' });
    const published = await putEvent(draft.id, organizer.tokens.accessToken, { status: 'published' });
    expect(await published.json()).toMatchObject({ status: 'published', publishedAt: expect.any(String) });
    expect((await outboxFor(draft.id)).map((m) => m.type)).toEqual(['event.created']);
    await expectProblem(await putEvent(draft.id, organizer.tokens.accessToken, { status: 'draft' }), 400);
  });

  it('only the organizer or edit_event may change or cancel; others get 403, no token 401', async () => {
    const [organizer, stranger, editor] = await Promise.all([registerAndLogin(), registerAndLogin(), registerAndLogin()]);
    const event = await createEvent(organizer);
    const editorToken = await grant(editor, 'edit_event');

    await expectProblem(await putEvent(event.id, stranger.tokens.accessToken, { title: 'Hijacked' }), 403);
    await expectProblem(await deleteEvent(event.id, stranger.tokens.accessToken), 403);
    await expectProblem(await callJson(`/api/v1/events/${event.id}`, 'PUT', { title: 'x' }), 401);
    await expectProblem(await call(`/api/v1/events/${event.id}`, { method: 'DELETE' }), 401);
    expect(await (await getEvent(event.id)).json()).toMatchObject({ title: event.title, status: 'published' });

    expect((await putEvent(event.id, editorToken, { title: 'Edited by staff' })).status).toBe(200);
    const cancelled = await deleteEvent(event.id, editorToken, { reason: 'Storm warning' });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled', cancellationReason: 'Storm warning' });
  });

  it('cancel marks the event cancelled, tells attendees via event.cancelled, and cannot be repeated', async () => {
    const organizer = await registerAndLogin();
    const event = await createEvent(organizer);
    expect((await getEvent(event.id)).status).toBe(200);
    const response = await deleteEvent(event.id, organizer.tokens.accessToken);
    expect(response.status).toBe(200);
    expect(await (await getEvent(event.id)).json()).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String) });
    const messages = await outboxFor(event.id);
    expect(messages.at(-1)).toEqual({ type: 'event.cancelled', payload: { eventId: event.id, organizerId: organizer.id } });
    await expectProblem(await deleteEvent(event.id, organizer.tokens.accessToken), 409);
    await expectProblem(await putEvent(event.id, organizer.tokens.accessToken, { title: 'Back?' }), 409);
  });

  it('hostile update bodies are refused and change nothing', async () => {
    const organizer = await registerAndLogin();
    const event = await createEvent(organizer);
    for (const body of [{}, { version: 1 }, { seatsSold: 0 }, { organizerId: crypto.randomUUID() }, { endsAt: event.startsAt }, { location: null }, { type: 'virtual' }, { capacity: -1 }]) {
      await expectProblem(await putEvent(event.id, organizer.tokens.accessToken, body), 400);
    }
    expect(await (await getEvent(event.id)).json()).toMatchObject({ version: 1, title: event.title });
  });
});

import { describe, expect, it } from 'vitest';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, clientAddress, login, registerAndLogin, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { createEvent } from '../../support/events.ts';
import { attend, outboxOf, quickUser, seatsOf, waitlistOf } from '../../support/ticketing.ts';
import { eventually } from '../../support/wait.ts';

interface LoginPage {
  items: Array<{ at: string; ip: string | null; userAgent: string | null; result: string; success: boolean }>;
  nextCursor: string | null;
}

interface ExportDocument {
  account: Record<string, unknown>;
  profile: Record<string, unknown> | null;
  preferences: Record<string, unknown>;
  sessions: unknown[];
  devices: unknown[];
  loginHistory: unknown[];
  related: Record<string, unknown[]>;
  truncated: string[];
}

const stores = testStores();
const me = (token: string, path = '') => call(`/api/v1/users/me${path}`, { headers: bearer(token) });
const logins = async (token: string, query = '') => {
  const response = await me(token, `/logins${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as LoginPage;
};
const MILAN = 'st_setsrid(st_makepoint(9.19, 45.46), 4326)::geography';
const deleteMe = (token: string, body: unknown) => callJson('/api/v1/users/me', 'DELETE', body, bearer(token));
const historyCount = (userId: string) => stores.mongo.collection('login_history').countDocuments({ accountId: userId });
const wrongLogin = (user: TestUser) => callJson('/api/v1/auth/login', 'POST', { email: user.email, password: 'not the password at all' }, { 'cf-connecting-ip': clientAddress() });

describe('login history', () => {
  it('pages through the caller\'s logins, newest first, with an opaque cursor', async () => {
    const [alice, bob] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    expect((await wrongLogin(alice)).status).toBe(401);
    await login(alice.email, alice.password, clientAddress());
    expect(await eventually(() => historyCount(alice.id), (count) => count === 3)).toBe(3);

    const first = await logins(alice.tokens.accessToken, '?limit=2');
    expect(first.items.map((item) => [item.result, item.success])).toEqual([['success', true], ['wrong_password', false]]);
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await logins(alice.tokens.accessToken, `?limit=2&cursor=${first.nextCursor}`);
    expect(second).toEqual({ items: [expect.objectContaining({ result: 'success', ip: alice.ip })], nextCursor: null });
    expect(Date.parse(first.items[1]!.at)).toBeGreaterThanOrEqual(Date.parse(second.items[0]!.at));
    expect((await logins(alice.tokens.accessToken)).items).toHaveLength(3); // default page size 20

    await eventually(() => historyCount(bob.id), (count) => count === 1);
    expect((await logins(bob.tokens.accessToken)).items).toEqual([expect.objectContaining({ ip: bob.ip, result: 'success' })]);
  });

  it('keeps entries with the same time apart across pages', async () => {
    const user = await registerAndLogin();
    await eventually(() => historyCount(user.id), (count) => count === 1);
    const at = new Date(Date.now() - 60_000);
    await stores.mongo.collection('login_history').insertMany(Array.from({ length: 5 }, (_, index) => ({
      accountId: user.id, email: user.email, ip: '10.0.0.1', userAgent: 'test', result: `same-time-${index}`, success: false, sessionId: null, at,
    })));
    const seen: string[] = [];
    let cursor: string | null = '';
    for (let pages = 0; cursor !== null && pages < 10; pages++) {
      const page = await logins(user.tokens.accessToken, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((item) => item.result));
      cursor = page.nextCursor;
    }
    expect(seen[0]).toBe('success');
    expect(seen.slice(1).sort()).toEqual(['same-time-0', 'same-time-1', 'same-time-2', 'same-time-3', 'same-time-4']);
  });

  it('rejects bad paging parameters and needs a token', async () => {
    const user = await registerAndLogin();
    for (const query of ['?limit=0', '?limit=101', '?limit=ten', '?cursor=not-a-cursor', `?cursor=${btoa('["yesterday","x"]')}`, '?page=2']) {
      await expectProblem(await me(user.tokens.accessToken, `/logins${query}`), 400);
    }
    await expectProblem(await call('/api/v1/users/me/logins'), 401);
  });
});

describe('user statistics', () => {
  it('counts from the profile, the sessions and the devices', async () => {
    const user = await registerAndLogin();
    const stats = async (token = user.tokens.accessToken) => (await (await me(token, '/stats')).json()) as Record<string, unknown>;
    expect(await stats()).toEqual({
      eventsAttended: 0, eventsOrganized: 0, connections: 0, followers: 0, following: 0, crews: 0, karma: 0,
      activeSessions: 1, devices: 0, memberSince: expect.any(String),
    });
    await login(user.email, user.password, clientAddress());
    await callJson('/api/v1/users/me/devices', 'POST', { platform: 'web', token: `web-${crypto.randomUUID()}` }, bearer(user.tokens.accessToken));
    await stores.postgres.query("insert into karma_ledger (account_id, delta, reason) values ($1, 5, 'adjustment')", [user.id]);
    await stores.postgres.query('update profiles set followers_count = 3, events_attended_count = 2 where account_id = $1', [user.id]);
    expect(await stats()).toMatchObject({ activeSessions: 2, devices: 1, karma: 5, followers: 3, eventsAttended: 2 });
    await expectProblem(await call('/api/v1/users/me/stats'), 401);
  });
});

describe('user statistics follow events', () => {
  it('count the published events the user organizes and those they checked in to, as they change', async () => {
    const [organizer, attendee] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const stats = async (user: TestUser) => (await (await me(user.tokens.accessToken, '/stats')).json()) as { eventsAttended: number; eventsOrganized: number };
    const [kept, cancelled] = [await createEvent(organizer), await createEvent(organizer)];
    await createEvent(organizer, { status: 'draft' });
    expect(await stats(organizer)).toMatchObject({ eventsOrganized: 2, eventsAttended: 0 });
    expect((await call(`/api/v1/events/${cancelled.id}`, { method: 'DELETE', headers: bearer(organizer.tokens.accessToken) })).status).toBe(200);
    expect((await stats(organizer)).eventsOrganized).toBe(1);

    expect((await attend(kept.id, attendee)).status).toBe(201);
    expect(await stats(attendee)).toMatchObject({ eventsAttended: 0, eventsOrganized: 0 });
    const ticket = (await (await call(`/api/v1/events/${kept.id}/ticket`, { headers: bearer(attendee.tokens.accessToken) })).json()) as { token: string; registrationId: string };
    expect((await callJson(`/api/v1/events/${kept.id}/check-in`, 'POST', { token: ticket.token }, bearer(organizer.tokens.accessToken))).status).toBe(200);
    expect((await stats(attendee)).eventsAttended).toBe(1);
    const undo = await call(`/api/v1/events/${kept.id}/check-in/${ticket.registrationId}`, { method: 'DELETE', headers: bearer(organizer.tokens.accessToken) });
    expect(undo.status).toBeLessThan(300);
    expect((await stats(attendee)).eventsAttended).toBe(0);
  });

  it('award achievements as the counters reach them, once each, and keep them', async () => {
    const [organizer, attendee] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const achievements = async (user: TestUser) => {
      const response = await me(user.tokens.accessToken, '/achievements');
      expect(response.status).toBe(200);
      const { items } = (await response.json()) as { items: Array<{ code: string; metric: string; threshold: number; progress: number; earnedAt: string | null }> };
      return new Map(items.map((item) => [item.code, item]));
    };
    const before = await achievements(attendee);
    expect(before.get('first_event')).toMatchObject({ metric: 'events_attended', threshold: 1, progress: 0, earnedAt: null });
    expect([...before.values()].every((item) => item.earnedAt === null)).toBe(true);

    const events = await Promise.all([createEvent(organizer), createEvent(organizer)]);
    expect((await achievements(organizer)).get('first_host')).toMatchObject({ progress: 2, earnedAt: expect.any(String) });
    expect((await achievements(organizer)).get('host')).toMatchObject({ progress: 2, threshold: 10, earnedAt: null });

    // Nine events attended before (which earned the first): two check-ins at once both reach
    // ten, and the achievement is awarded once.
    await stores.postgres.query('update profiles set events_attended_count = 9 where account_id = $1', [attendee.id]);
    const tickets = await Promise.all(events.map(async (event) => {
      expect((await attend(event.id, attendee)).status).toBe(201);
      return { eventId: event.id, ...((await (await call(`/api/v1/events/${event.id}/ticket`, { headers: bearer(attendee.tokens.accessToken) })).json()) as { token: string; registrationId: string }) };
    }));
    const checkIns = await Promise.all(tickets.map((ticket) => callJson(`/api/v1/events/${ticket.eventId}/check-in`, 'POST', { token: ticket.token }, bearer(organizer.tokens.accessToken))));
    expect(checkIns.map((response) => response.status)).toEqual([200, 200]);
    const earned = await achievements(attendee);
    expect(earned.get('first_event')).toMatchObject({ progress: 11, earnedAt: expect.any(String) });
    expect(earned.get('regular')).toMatchObject({ progress: 11, earnedAt: expect.any(String) });
    expect(earned.get('devotee')).toMatchObject({ progress: 11, earnedAt: null });
    const rows = await stores.postgres.query<{ code: string }>(
      'select a.code from account_achievements e join achievements a on a.id = e.achievement_id where e.account_id = $1 order by a.code', [attendee.id]);
    expect(rows.map((row) => row.code)).toEqual(['first_event', 'regular']);

    // An undone check-in lowers the count, not what was earned.
    await call(`/api/v1/events/${tickets[0]!.eventId}/check-in/${tickets[0]!.registrationId}`, { method: 'DELETE', headers: bearer(organizer.tokens.accessToken) });
    expect((await achievements(attendee)).get('regular')).toMatchObject({ progress: 10, earnedAt: earned.get('regular')!.earnedAt });
    await expectProblem(await call('/api/v1/users/me/achievements'), 401);
  });
});

describe('GDPR export', () => {
  it('contains the user\'s data from every store and none of the secrets', async () => {
    const [alice, bob] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const access = alice.tokens.accessToken;
    await callJson(`/api/v1/profiles/${alice.id}`, 'PUT', { bio: 'Exported bio', interests: ['jazz'] }, bearer(access));
    await callJson('/api/v1/preferences', 'PUT', { theme: 'dark' }, bearer(access));
    await callJson('/api/v1/users/me/devices', 'POST', { platform: 'ios', token: `apns-${crypto.randomUUID()}` }, bearer(access));
    const secret = `k1:${crypto.randomUUID()}`;
    const backupHash = `backup-${crypto.randomUUID()}`;
    await stores.postgres.query('update accounts set totp_secret_encrypted = $2, totp_enabled_at = now() where id = $1', [alice.id, secret]);
    await stores.postgres.query('insert into backup_codes (account_id, code_hash) values ($1, $2)', [alice.id, backupHash]);
    await stores.postgres.query("insert into connections (requester_id, addressee_id, expires_at) values ($1, $2, now() + interval '30 days')", [alice.id, bob.id]);
    await stores.mongo.collection('posts').insertMany([
      { authorId: alice.id, body: 'Alice was here', createdAt: new Date() },
      { authorId: bob.id, body: 'Bob was here', createdAt: new Date() },
    ]);
    await stores.mongo.collection('notifications').insertOne({ recipientId: alice.id, type: 'connection_request', title: 'Hi', createdAt: new Date() });
    await eventually(() => historyCount(alice.id), (count) => count === 1);

    const response = await me(access, '/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain('attachment');
    const text = await response.text();
    const data = JSON.parse(text) as ExportDocument;
    expect(data.account).toMatchObject({ id: alice.id, email: alice.email, username: alice.username, two_factor_enabled: true });
    expect(data.profile).toMatchObject({ bio: 'Exported bio', interests: ['jazz'] });
    expect(data.preferences).toMatchObject({ theme: 'dark' });
    expect(data.sessions).toEqual([expect.objectContaining({ id: alice.tokens.sessionId })]);
    expect(data.devices).toHaveLength(1);
    expect(data.loginHistory).toEqual([expect.objectContaining({ result: 'success', ip: alice.ip })]);
    expect(data.related.connections).toEqual([expect.objectContaining({ requester_id: alice.id, addressee_id: bob.id })]);
    expect(data.related.posts).toEqual([expect.objectContaining({ body: 'Alice was here' })]);
    expect(data.related.notifications).toHaveLength(1);
    expect(data.truncated).toEqual([]);

    const [{ password_hash: passwordHash } = { password_hash: '' }] = await stores.postgres.query<{ password_hash: string }>('select password_hash from accounts where id = $1', [alice.id]);
    const tokenHashes = await stores.postgres.query<{ token_hash: string }>('select token_hash from one_time_tokens where account_id = $1', [alice.id]);
    for (const forbidden of [passwordHash, secret, backupHash, alice.password, alice.tokens.refreshToken, ...tokenHashes.map((row) => row.token_hash)]) {
      expect(forbidden.length).toBeGreaterThan(8);
      expect(text).not.toContain(forbidden);
    }
    expect(text).not.toMatch(/password_hash|totp_secret|code_hash|token_hash|Bob was here/);
    await expectProblem(await call('/api/v1/users/me/export'), 401);
  });
});

describe('account deletion', () => {
  it('needs the password and a token, and refuses while the user organizes events or owns crews', async () => {
    const user = await registerAndLogin();
    const access = user.tokens.accessToken;
    await callJson('/api/v1/preferences', 'PUT', { theme: 'dark' }, bearer(access));
    await expectProblem(await call('/api/v1/users/me', { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: user.password }) }), 401);
    const wrong = await expectProblem(await deleteMe(access, { password: 'not my password' }), 401);
    expect(wrong.detail).toBe('The email or password is wrong.');
    await expectProblem(await deleteMe(access, {}), 400);
    await expectProblem(await deleteMe(access, { password: user.password, force: true }), 400);

    const [event] = await stores.postgres.query<{ id: string }>(
      `insert into events (organizer_id, title, starts_at, ends_at, timezone, status, published_at, location)
       values ($1, 'Jam', now() + interval '1 day', now() + interval '2 days', 'UTC', 'published', now(), ${MILAN}) returning id`, [user.id]);
    const [crew] = await stores.postgres.query<{ id: string }>(
      "insert into crews (name, anchor_kind, area_center, area_radius_m, owner_id) values ('Night owls', 'area', st_setsrid(st_makepoint(9.19, 45.46), 4326)::geography, 500, $1) returning id", [user.id]);
    const blocked = await expectProblem(await deleteMe(access, { password: user.password }), 409);
    expect(blocked.blockers).toEqual([{ kind: 'events', count: 1 }, { kind: 'crews', count: 1 }]);
    expect(blocked.detail).toMatch(/cancel the upcoming events you organize.*crews you own/);
    // Nothing was erased.
    expect((await me(access)).status).toBe(200);
    expect(await stores.mongo.collection('user_preferences').countDocuments({ userId: user.id })).toBe(1);

    await stores.postgres.query('delete from crews where id = $1', [crew!.id]);
    // Cancelled through the API (attendees are told), the event no longer blocks; it goes with the account.
    expect((await call(`/api/v1/events/${event!.id}`, { method: 'DELETE', headers: bearer(access) })).status).toBe(200);
    expect((await deleteMe(access, { password: user.password })).status).toBe(204);
    expect(await stores.postgres.query('select id from events where id = $1', [event!.id])).toEqual([]);
  });

  it('takes the drafts and past events the user organized along, with what hangs on them', async () => {
    const [organizer, fan] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const [draft] = await stores.postgres.query<{ id: string }>(
      "insert into events (organizer_id, title, starts_at, ends_at, timezone) values ($1, 'Draft', now() + interval '3 days', now() + interval '4 days', 'UTC') returning id", [organizer.id]);
    const [past] = await stores.postgres.query<{ id: string }>(
      `insert into events (organizer_id, title, starts_at, ends_at, timezone, status, published_at, location)
       values ($1, 'Last year', now() - interval '300 days', now() - interval '299 days', 'UTC', 'published', now() - interval '320 days', ${MILAN}) returning id`, [organizer.id]);
    // Cached while it exists, liked and commented on by someone else.
    expect((await call(`/api/v1/events/${past!.id}`)).status).toBe(200);
    await stores.postgres.query('insert into event_likes (event_id, account_id) values ($1, $2)', [past!.id, fan.id]);
    await stores.mongo.collection('comments').insertOne({ targetType: 'event', targetId: past!.id, authorId: fan.id, body: 'Great night', createdAt: new Date(), deletedAt: null });

    expect((await deleteMe(organizer.tokens.accessToken, { password: organizer.password })).status).toBe(204);

    expect(await stores.postgres.query('select id from events where id = any($1::uuid[])', [[draft!.id, past!.id]])).toEqual([]);
    expect(await stores.postgres.query('select 1 from event_likes where event_id = $1', [past!.id])).toEqual([]);
    expect(await stores.mongo.collection('comments').countDocuments({ targetType: 'event', targetId: past!.id })).toBe(0);
    await expectProblem(await call(`/api/v1/events/${past!.id}`), 404);
    // The fan's own account is untouched.
    expect((await me(fan.tokens.accessToken)).status).toBe(200);
  });

  it('keeps, without an organizer, the past events other people attended or formed a crew around', async () => {
    const [organizer, fan, crewOwner] = await Promise.all([registerAndLogin(), registerAndLogin(), registerAndLogin()]);
    const pastEvent = async (title: string) => (await stores.postgres.query<{ id: string }>(
      `insert into events (organizer_id, title, starts_at, ends_at, timezone, status, published_at, location)
       values ($1, $2, now() - interval '30 days', now() - interval '29 days', 'UTC', 'published', now() - interval '60 days', ${MILAN}) returning id`,
      [organizer.id, title]))[0]!.id;
    const [attended, crewed, alone] = await Promise.all([pastEvent('Attended'), pastEvent('Crewed'), pastEvent('Alone')]);
    const [ticket] = await stores.postgres.query<{ id: string }>(
      "insert into registrations (event_id, account_id, status, checked_in_at, amount_minor, currency, payment_reference) values ($1, $2, 'checked_in', now() - interval '30 days', 2500, 'EUR', 'pi_123') returning id",
      [attended, fan.id]);
    // The organizer's own registration is no one else's stake.
    await stores.postgres.query('insert into registrations (event_id, account_id) values ($1, $2)', [alone, organizer.id]);
    await stores.postgres.query("insert into crews (name, anchor_kind, event_id, owner_id) values ('Front row', 'event', $1, $2)", [crewed, crewOwner.id]);
    // Cached with its organizer while they still exist.
    expect(((await (await call(`/api/v1/events/${attended}`)).json()) as { organizerId: string }).organizerId).toBe(organizer.id);

    expect((await deleteMe(organizer.tokens.accessToken, { password: organizer.password })).status).toBe(204);

    const left = await stores.postgres.query<{ id: string; organizer_id: string | null }>(
      'select id, organizer_id from events where id = any($1::uuid[]) order by title', [[attended, crewed, alone]]);
    expect(left).toEqual([{ id: attended, organizer_id: null }, { id: crewed, organizer_id: null }]);
    const shown = await call(`/api/v1/events/${attended}`);
    expect(shown.status).toBe(200);
    expect(((await shown.json()) as { organizerId: string | null }).organizerId).toBeNull();
    // The fan's ticket, payment and check-in are all still there; so is the crew.
    expect(await stores.postgres.query('select status, amount_minor::int as amount, payment_reference from registrations where id = $1', [ticket!.id]))
      .toEqual([{ status: 'checked_in', amount: 2500, payment_reference: 'pi_123' }]);
    expect(await stores.postgres.query('select 1 from crews where event_id = $1', [crewed])).toHaveLength(1);
    const mine = await call('/api/v1/registrations/me?when=past', { headers: bearer(fan.tokens.accessToken) });
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as { items: { event: { id: string } }[] }).items.map((item) => item.event.id)).toEqual([attended]);
    await expectProblem(await call(`/api/v1/events/${alone}`), 404);
  });

  it('gives the user\'s seats on upcoming events to the waiting line, as a cancellation would', async () => {
    const [organizer, next, leaver] = await Promise.all([quickUser(), quickUser(), registerAndLogin()]);
    const event = await createEvent(organizer, { capacity: 1 });
    expect((await attend(event.id, leaver)).status).toBe(201);
    expect((await attend(event.id, next)).status).toBe(202); // full: in line
    // Cached while the seat is sold.
    expect(((await (await call(`/api/v1/events/${event.id}`)).json()) as { seatsSold: number }).seatsSold).toBe(1);

    expect((await deleteMe(leaver.tokens.accessToken, { password: leaver.password })).status).toBe(204);

    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 0, seats_held: 1, registration_count: 0 });
    expect(await waitlistOf(event.id)).toEqual([expect.objectContaining({ account_id: next.id, status: 'offered' })]);
    expect(await outboxOf(event.id, 'waitlist.offered')).toEqual([expect.objectContaining({ eventId: event.id, userId: next.id })]);
    expect(((await (await call(`/api/v1/events/${event.id}`)).json()) as { seatsSold: number }).seatsSold).toBe(0);
  });

  it('takes the user\'s comments off the comment counts of the events they commented on', async () => {
    const [organizer, other, leaver] = await Promise.all([quickUser(), quickUser(), registerAndLogin()]);
    const [event, elsewhere] = [await createEvent(organizer), await createEvent(organizer)];
    const comment = (eventId: string, user: TestUser, body: string) => callJson(`/api/v1/events/${eventId}/comments`, 'POST', { body }, bearer(user.tokens.accessToken));
    const commentCount = async (eventId: string) => (await stores.postgres.query<{ n: number }>('select comment_count as n from events where id = $1', [eventId]))[0]!.n;
    for (const body of ['first', 'second']) expect((await comment(event.id, leaver, body)).status).toBe(201);
    expect((await comment(event.id, other, 'stays')).status).toBe(201);
    const withdrawn = (await (await comment(elsewhere.id, leaver, 'taken back')).json()) as { id: string };
    expect((await call(`/api/v1/events/${elsewhere.id}/comments/${withdrawn.id}`, { method: 'DELETE', headers: bearer(leaver.tokens.accessToken) })).status).toBe(204);
    expect([await commentCount(event.id), await commentCount(elsewhere.id)]).toEqual([3, 0]);

    expect((await deleteMe(leaver.tokens.accessToken, { password: leaver.password })).status).toBe(204);

    // Only live comments counted; the one already taken back is not taken off twice.
    expect([await commentCount(event.id), await commentCount(elsewhere.id)]).toEqual([1, 0]);
    expect(await stores.mongo.collection('comments').countDocuments({ authorId: leaver.id })).toBe(0);
    const listed = (await (await call(`/api/v1/events/${event.id}/comments`)).json()) as { items: { body: string }[] };
    expect(listed.items.map((item) => item.body)).toEqual(['stays']);
  });

  it('deletes the account and everything that is theirs, ends every session, and tells the bus', async () => {
    const [alice, bob] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const access = alice.tokens.accessToken;
    const other = await login(alice.email, alice.password, clientAddress());
    await callJson('/api/v1/preferences', 'PUT', { theme: 'dark' }, bearer(access));
    await callJson('/api/v1/users/me/devices', 'POST', { platform: 'android', token: `fcm-${crypto.randomUUID()}` }, bearer(access));
    await stores.postgres.query("insert into connections (requester_id, addressee_id, expires_at) values ($1, $2, now() + interval '30 days')", [bob.id, alice.id]);
    await stores.mongo.collection('posts').insertMany([{ authorId: alice.id, body: 'bye' }, { authorId: bob.id, body: 'still here' }]);
    await stores.mongo.collection('feeds').insertOne({ ownerId: bob.id, authorId: alice.id, postId: 'p1', createdAt: new Date() });
    await eventually(() => historyCount(alice.id), (count) => count === 2);
    const capturedBefore = await eventually(() => stores.mongo.collection('captured_emails').countDocuments({ to: alice.email.toLowerCase() }), (count) => count > 0);

    expect((await deleteMe(access, { password: alice.password })).status).toBe(204);

    // Every session ended at once; the credentials are gone like an unknown email's.
    await expectProblem(await me(access), 401);
    await expectProblem(await me(other.accessToken), 401);
    await expectProblem(await me(access, '/export'), 401);
    const refused = await expectProblem(await callJson('/api/v1/auth/login', 'POST', { email: alice.email, password: alice.password }, { 'cf-connecting-ip': clientAddress() }), 401);
    const unknown = await expectProblem(await callJson('/api/v1/auth/login', 'POST', { email: `nobody-${crypto.randomUUID().slice(0, 8)}@example.com`, password: alice.password }, { 'cf-connecting-ip': clientAddress() }), 401);
    expect(refused.detail).toBe(unknown.detail);
    await expectProblem(await call(`/api/v1/profiles/${alice.id}`, { headers: bearer(bob.tokens.accessToken) }), 404);

    const pg = stores.postgres;
    const count = async (sql: string) => ((await pg.query<{ n: number }>(sql, [alice.id]))[0]?.n ?? -1);
    expect(await count('select count(*)::int as n from accounts where id = $1')).toBe(0);
    expect(await count('select count(*)::int as n from sessions where account_id = $1')).toBe(0);
    expect(await count('select count(*)::int as n from device_tokens where account_id = $1')).toBe(0);
    expect(await count('select count(*)::int as n from connections where addressee_id = $1')).toBe(0);

    const mongo = stores.mongo;
    expect(await mongo.collection('user_preferences').countDocuments({ userId: alice.id })).toBe(0);
    expect(await mongo.collection('posts').countDocuments({ authorId: alice.id })).toBe(0);
    expect(await mongo.collection('feeds').countDocuments({ authorId: alice.id })).toBe(0);
    expect(await mongo.collection('posts').countDocuments({ authorId: bob.id })).toBe(1);
    // The failed login just above is recorded without an account, as for any unknown email.
    expect(await mongo.collection('login_history').countDocuments({ accountId: alice.id })).toBe(0);
    // Captured emails are the local mail catcher's, not the user's.
    expect(await mongo.collection('captured_emails').countDocuments({ to: alice.email.toLowerCase() })).toBeGreaterThanOrEqual(capturedBefore);
    const audit = await eventually(() => mongo.collection('audit_events').find({ type: 'user.deleted', 'payload.userId': alice.id }), (found) => found.length === 1);
    expect(audit).toHaveLength(1);
    expect((await me(bob.tokens.accessToken)).status).toBe(200);
  });
});

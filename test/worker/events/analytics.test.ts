import { describe, expect, it } from 'vitest';
import { flushEventViews, pendingEventViews } from '../../../workers/events/service/views.ts';
import { createEvent } from '../../support/events.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { attend, quickUser } from '../../support/ticketing.ts';

interface Analytics {
  eventId: string;
  views: number;
  registrations: number;
  checkins: number;
  checkinRate: number;
  seats: { sold: number; held: number; capacity: number | null };
  likes: number;
  comments: number;
  shares: number;
  sharesByChannel: Record<string, number>;
  waitlist: { waiting: number; offered: number; total: number };
}

const analytics = (eventId: string, user?: TestUser) =>
  call(`/api/v1/events/${eventId}/analytics`, { headers: user ? bearer(user.tokens.accessToken) : {} });
// One anonymous read of the event page: the way views are counted in production.
const view = async (eventId: string) => expect((await call(`/api/v1/events/${eventId}`)).status).toBe(200);
const viewCount = async (eventId: string) =>
  Number((await testStores().postgres.query<{ view_count: string }>('select view_count from events where id = $1', [eventId]))[0]!.view_count);

describe('event views', () => {
  it('GET /events/{id} counts a view per read, cached or not; a read answered 404 counts none', async () => {
    const organizer = await quickUser();
    const [shown, draft] = await Promise.all([createEvent(organizer), createEvent(organizer, { status: 'draft' })]);
    for (let read = 0; read < 3; read += 1) expect((await call(`/api/v1/events/${shown.id}`)).status).toBe(200);
    await expectProblem(await call(`/api/v1/events/${draft.id}`), 404);
    expect((await call(`/api/v1/events/${draft.id}`, { headers: bearer(organizer.tokens.accessToken) })).status).toBe(200);
    await expectProblem(await call(`/api/v1/events/${crypto.randomUUID()}`), 404);
    expect(await pendingEventViews(testStores(), shown.id)).toBe(3);
    expect(await pendingEventViews(testStores(), draft.id)).toBe(1);
  });

  it('flushes pending views into view_count, none lost or doubled when flushes overlap with new views', async () => {
    const organizer = await quickUser();
    const [first, second] = await Promise.all([createEvent(organizer), createEvent(organizer)]);
    const stores = testStores();
    await Promise.all(Array.from({ length: 30 }, (_, index) => view(index % 3 === 0 ? second.id : first.id)));
    // Three flushes race each other and 20 more views arriving meanwhile.
    await Promise.all([
      flushEventViews(testStores()),
      flushEventViews(testStores()),
      ...Array.from({ length: 20 }, () => view(first.id)),
      flushEventViews(testStores()),
    ]);
    const total = async (eventId: string) => (await viewCount(eventId)) + (await pendingEventViews(stores, eventId));
    expect(await total(first.id)).toBe(40);
    expect(await total(second.id)).toBe(10);
    await flushEventViews(stores);
    expect(await viewCount(first.id)).toBe(40);
    expect(await pendingEventViews(stores, first.id)).toBe(0);
    expect(await flushEventViews(stores)).toBe(0);
  });

  it('applies a batch left by a flush that died before its UPDATE, and never one it already applied', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const stores = testStores();
    const deadFlushAt = Date.now() - 10 * 60_000;
    const notApplied = `events:views:flushing:${deadFlushAt}:${crypto.randomUUID()}`;
    const applied = `events:views:flushing:${deadFlushAt}:${crypto.randomUUID()}`;
    for (const [batch, views] of [[notApplied, 7], [applied, 5]] as const) {
      await stores.redis.run((redis) => redis.hset(batch, { [event.id]: views }));
      await stores.redis.run((redis) => redis.zadd('events:views:batches', { score: deadFlushAt, member: batch }));
    }
    // This one's flush died after committing its UPDATE (marker included) but before deleting it.
    await stores.postgres.query("insert into consumed_messages (consumer, message_id) values ('events.flush-views', $1)", [applied]);
    await Promise.all([flushEventViews(testStores()), flushEventViews(testStores())]);
    expect(await viewCount(event.id)).toBe(7);
    expect(await stores.redis.run((redis) => redis.exists(notApplied, applied))).toBe(0);
  });
});

describe('event analytics', () => {
  it('gives the organizer views, registrations, check-in rate, seats, engagement and the waitlist', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer, { capacity: 2 });
    const [alice, bob, carol] = await Promise.all([quickUser(), quickUser(), quickUser()]);
    for (const user of [alice, bob, carol]) expect([201, 202]).toContain((await attend(event.id, user)).status);
    await testStores().postgres.query(
      "update registrations set status = 'checked_in', checked_in_at = now() where event_id = $1 and account_id = $2", [event.id, alice.id]);
    expect((await call(`/api/v1/events/${event.id}/like`, { method: 'POST', headers: bearer(bob.tokens.accessToken) })).status).toBe(200);
    expect((await callJson(`/api/v1/events/${event.id}/comments`, 'POST', { body: 'Great' }, bearer(carol.tokens.accessToken))).status).toBe(201);
    expect((await callJson(`/api/v1/events/${event.id}/share`, 'POST', { channel: 'link' }, bearer(carol.tokens.accessToken))).status).toBe(200);
    const stores = testStores();
    await Promise.all(Array.from({ length: 3 }, () => view(event.id)));
    await flushEventViews(stores);
    await Promise.all(Array.from({ length: 2 }, () => view(event.id)));

    const response = await analytics(event.id, organizer);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      eventId: event.id,
      views: 5,
      registrations: 2,
      checkins: 1,
      checkinRate: 0.5,
      seats: { sold: 2, held: 0, capacity: 2 },
      likes: 1,
      comments: 1,
      shares: 1,
      sharesByChannel: { link: 1 },
      waitlist: { waiting: 1, offered: 0, total: 1 },
    } satisfies Analytics);
  });

  it('is for the organizer and view_analytics holders only', async () => {
    const [organizer, stranger, analyst] = await Promise.all([quickUser(), quickUser(), quickUser(['view_analytics'])]);
    const event = await createEvent(organizer);
    const draft = await createEvent(organizer, { status: 'draft' });
    await expectProblem(await analytics(event.id), 401);
    await expectProblem(await analytics(event.id, stranger), 403);
    await expectProblem(await analytics(draft.id, stranger), 404);
    await expectProblem(await analytics(crypto.randomUUID(), organizer), 404);
    await expectProblem(await analytics('1; drop table events', organizer), 400);
    const byAnalyst = await analytics(draft.id, analyst);
    expect(byAnalyst.status).toBe(200);
    expect(await byAnalyst.json()).toMatchObject({ eventId: draft.id, registrations: 0, checkinRate: 0, waitlist: { total: 0 } });
  });
});

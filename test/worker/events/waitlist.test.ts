import { describe, expect, it } from 'vitest';
import { expireWaitlistOffers } from '../../../workers/events/service/waitlist.ts';
import { createEvent } from '../../support/events.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { attend, cancelAttendance, outboxOf, quickUser, seatsOf, tierOf, waitlistOf } from '../../support/ticketing.ts';

const post = (path: string, user: TestUser) => call(path, { method: 'POST', headers: bearer(user.tokens.accessToken) });
const del = (path: string, user: TestUser) => call(path, { method: 'DELETE', headers: bearer(user.tokens.accessToken) });
const get = (path: string, user: TestUser) => call(path, { headers: bearer(user.tokens.accessToken) });

interface Entry { id: string; status: string; position: number | null; offerExpiresAt: string | null }

async function myEntry(eventId: string, user: TestUser): Promise<Entry> {
  const response = await get(`/api/v1/events/${eventId}/waitlist/me`, user);
  expect(response.status).toBe(200);
  return (await response.json()) as Entry;
}

/** A sold-out event: `seats` attendees in, then `waiting` more in line (in that order). */
async function soldOut(seats: number, waiting: number) {
  const organizer = await quickUser();
  const event = await createEvent(organizer, { capacity: seats });
  const attendees: TestUser[] = [];
  for (let i = 0; i < seats; i += 1) {
    const user = await quickUser();
    expect((await attend(event.id, user)).status).toBe(201);
    attendees.push(user);
  }
  const line: TestUser[] = [];
  for (let i = 0; i < waiting; i += 1) {
    const user = await quickUser();
    expect((await attend(event.id, user)).status).toBe(202);
    line.push(user);
  }
  return { organizer, event, attendees, line };
}

/** Moves the deadline of every live offer of the event into the past. */
const expireOffersNow = (eventId: string) => testStores().postgres.query(
  "update waitlist_entries set offered_at = now() - interval '2 minutes', offer_expires_at = now() - interval '1 minute' where event_id = $1 and status = 'offered'",
  [eventId],
);

describe('waitlist', () => {
  it('a cancellation offers the seat to the first in line, who accepts and takes it', async () => {
    const { event, attendees, line } = await soldOut(1, 2);
    expect(await myEntry(event.id, line[0]!)).toMatchObject({ status: 'waiting', position: 1 });
    expect(await myEntry(event.id, line[1]!)).toMatchObject({ status: 'waiting', position: 2 });

    expect((await cancelAttendance(event.id, attendees[0]!)).status).toBe(204);
    const offered = await myEntry(event.id, line[0]!);
    expect(offered).toMatchObject({ status: 'offered', position: null });
    const expiresIn = Date.parse(offered.offerExpiresAt!) - Date.now();
    expect(expiresIn).toBeGreaterThan(23 * 3600_000); // the default offer lasts a day
    expect(await myEntry(event.id, line[1]!)).toMatchObject({ status: 'waiting', position: 1 });
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 0, seats_held: 1 });
    expect(await outboxOf(event.id, 'waitlist.offered')).toEqual([{ eventId: event.id, userId: line[0]!.id, entryId: offered.id, expiresAt: expect.any(String) }]);

    // The held seat is not for newcomers.
    expect((await attend(event.id, await quickUser())).status).toBe(202);
    // Only the person offered can accept.
    await expectProblem(await post(`/api/v1/events/${event.id}/waitlist/accept`, line[1]!), 409);

    const accepted = await post(`/api/v1/events/${event.id}/waitlist/accept`, line[0]!);
    expect(accepted.status).toBe(201);
    expect(await accepted.json()).toMatchObject({ eventId: event.id, userId: line[0]!.id, status: 'confirmed', quantity: 1 });
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 1, seats_held: 0 });
    expect((await waitlistOf(event.id))[0]).toMatchObject({ account_id: line[0]!.id, status: 'accepted' });
    await expectProblem(await get(`/api/v1/events/${event.id}/waitlist/me`, line[0]!), 404);
    await expectProblem(await post(`/api/v1/events/${event.id}/waitlist/accept`, line[0]!), 404);
  });

  it('an offer past its deadline expires and goes to the next in line; expired offers cannot be accepted', async () => {
    const { event, attendees, line } = await soldOut(1, 2);
    expect((await cancelAttendance(event.id, attendees[0]!)).status).toBe(204);
    await expireOffersNow(event.id);
    await expectProblem(await post(`/api/v1/events/${event.id}/waitlist/accept`, line[0]!), 409);

    const stores = testStores();
    // Two overlapping runs of the job share the work: the offer expires once, one new offer is made.
    const [first, second] = await Promise.all([expireWaitlistOffers(stores, 'test-expiry'), expireWaitlistOffers(testStores(), 'test-expiry')]);
    expect(first + second).toBeGreaterThanOrEqual(1);
    const entries = await waitlistOf(event.id);
    expect(entries.map((entry) => [entry.account_id, entry.status])).toEqual([[line[0]!.id, 'expired'], [line[1]!.id, 'offered']]);
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 0, seats_held: 1 });
    expect(await outboxOf(event.id, 'waitlist.offered')).toHaveLength(2);
    expect((await post(`/api/v1/events/${event.id}/waitlist/accept`, line[1]!)).status).toBe(201);
  });

  it('leaving with an offer passes it on; leaving while waiting just leaves', async () => {
    const { event, attendees, line } = await soldOut(1, 3);
    expect((await del(`/api/v1/events/${event.id}/waitlist`, line[1]!)).status).toBe(204);
    expect((await cancelAttendance(event.id, attendees[0]!)).status).toBe(204);
    expect(await myEntry(event.id, line[0]!)).toMatchObject({ status: 'offered' });
    expect((await del(`/api/v1/events/${event.id}/waitlist`, line[0]!)).status).toBe(204);
    expect(await myEntry(event.id, line[2]!)).toMatchObject({ status: 'offered' });
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 0, seats_held: 1 });
    await expectProblem(await del(`/api/v1/events/${event.id}/waitlist`, line[0]!), 404);
  });

  it('parallel cancellations never offer one seat twice', async () => {
    const { event, attendees, line } = await soldOut(3, 5);
    const statuses = await Promise.all(attendees.map((user) => cancelAttendance(event.id, user).then((response) => response.status)));
    expect(statuses).toEqual([204, 204, 204]);
    const entries = await waitlistOf(event.id);
    expect(entries.filter((entry) => entry.status === 'offered').map((entry) => entry.account_id)).toEqual(line.slice(0, 3).map((user) => user.id));
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 0, seats_held: 3 });
  });

  it('skips a party too large for the freed seats and offers them to a smaller one behind it', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer, { capacity: 2 });
    const tierId = await tierOf(event.id, organizer, { kind: 'free', maxPerOrder: 4 });
    const attendee = await quickUser();
    expect((await attend(event.id, attendee, { quantity: 2 })).status).toBe(201);
    const couple = await quickUser();
    const family = await quickUser();
    const single = await quickUser();
    expect((await attend(event.id, family, { quantity: 4 })).status).toBe(202);
    expect((await attend(event.id, couple, { quantity: 2 })).status).toBe(202);
    expect((await attend(event.id, single, { quantity: 1 })).status).toBe(202);
    expect((await cancelAttendance(event.id, attendee)).status).toBe(204);
    const entries = await waitlistOf(event.id);
    expect(entries.map((entry) => entry.status)).toEqual(['waiting', 'offered', 'waiting']);
    expect(await seatsOf(event.id)).toMatchObject({ seats_held: 2 });
    // More seats on the tier do not help: the event itself is full.
    const raised = await call(`/api/v1/events/${event.id}/tiers/${tierId}`, { method: 'PUT', headers: { ...bearer(organizer.tokens.accessToken), 'content-type': 'application/json' }, body: JSON.stringify({ quantity: 100 }) });
    expect(raised.status).toBe(200);
    expect((await waitlistOf(event.id)).map((entry) => entry.status)).toEqual(['waiting', 'offered', 'waiting']);
  });

  it('raising the event capacity offers the new seats to the line at once', async () => {
    const { organizer, event, line } = await soldOut(1, 3);
    const response = await callJson(`/api/v1/events/${event.id}`, 'PUT', { capacity: 3 }, bearer(organizer.tokens.accessToken));
    expect(response.status).toBe(200);
    expect(await myEntry(event.id, line[0]!)).toMatchObject({ status: 'offered' });
    expect(await myEntry(event.id, line[1]!)).toMatchObject({ status: 'offered' });
    expect(await myEntry(event.id, line[2]!)).toMatchObject({ status: 'waiting', position: 1 });
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 1, seats_held: 2 });
  });

  it('shows the line to the organizer and staff with manage_attendees only', async () => {
    const { organizer, event, line } = await soldOut(1, 3);
    const response = await get(`/api/v1/events/${event.id}/waitlist?limit=2`, organizer);
    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: { userId: string; position: number }[]; nextCursor: string };
    expect(page.items.map((item) => [item.userId, item.position])).toEqual([[line[0]!.id, 1], [line[1]!.id, 2]]);
    const rest = await get(`/api/v1/events/${event.id}/waitlist?cursor=${page.nextCursor}`, organizer);
    expect(await rest.json()).toMatchObject({ items: [{ userId: line[2]!.id, position: 3 }], nextCursor: null });

    const staff = await quickUser(['manage_attendees']);
    expect((await get(`/api/v1/events/${event.id}/waitlist`, staff)).status).toBe(200);
    await expectProblem(await get(`/api/v1/events/${event.id}/waitlist`, line[0]!), 403);
    await expectProblem(await get(`/api/v1/events/${event.id}/waitlist`, await quickUser(['edit_event'])), 403);
  });
});

describe('waitlist: refusals', () => {
  it('needs a token and a place in line; hostile ids are 4xx and change nothing', async () => {
    const { event, line } = await soldOut(1, 1);
    for (const [method, path] of [['POST', 'waitlist/accept'], ['DELETE', 'waitlist'], ['GET', 'waitlist/me'], ['GET', 'waitlist']] as const) {
      await expectProblem(await call(`/api/v1/events/${event.id}/${path}`, { method }), 401);
    }
    const stranger = await quickUser();
    await expectProblem(await post(`/api/v1/events/${event.id}/waitlist/accept`, stranger), 404);
    await expectProblem(await del(`/api/v1/events/${event.id}/waitlist`, stranger), 404);
    await expectProblem(await get(`/api/v1/events/${event.id}/waitlist/me`, stranger), 404);
    await expectProblem(await post(`/api/v1/events/${event.id}/waitlist/accept`, line[0]!), 409); // waiting, nothing offered yet
    await expectProblem(await post('/api/v1/events/%27%20or%201=1--/waitlist/accept', line[0]!), 400);
    await expectProblem(await post(`/api/v1/events/${crypto.randomUUID()}/waitlist/accept`, line[0]!), 404);
    await expectProblem(await get(`/api/v1/events/${event.id}/waitlist?limit=1000`, line[0]!), 400);
    // Someone in line cannot register around it.
    await expectProblem(await attend(event.id, line[0]!), 409);
    expect((await waitlistOf(event.id)).map((entry) => entry.status)).toEqual(['waiting']);
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 1, seats_held: 0 });
  });
});

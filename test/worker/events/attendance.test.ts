import { describe, expect, it } from 'vitest';
import type { AttendOutcome } from '../../../workers/events/service/attendance.ts';
import { createEvent } from '../../support/events.ts';
import { call, expectProblem } from '../../support/http.ts';
import { bearer } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { attend, cancelAttendance, outboxOf, quickUser, quickUsers, seatsOf, tierOf, waitlistOf } from '../../support/ticketing.ts';

const HOUR = 3_600_000;

describe('attend', () => {
  it('50 people attending a 10-seat event at once: exactly 10 confirmed, 40 on the waitlist, never oversold', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer, { capacity: 10 });
    const crowd = await quickUsers(50);
    const responses = await Promise.all(crowd.map((user) => attend(event.id, user)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(statuses.filter((status) => status === 202)).toHaveLength(40);
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as AttendOutcome[];
    expect(bodies.filter((body) => body.status === 'confirmed')).toHaveLength(10);
    const waitlisted = bodies.filter((body) => body.status === 'waitlisted');
    expect(waitlisted.every((body) => body.waitlist!.position! >= 1 && body.waitlist!.position! <= 40)).toBe(true);

    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 10, seats_held: 0, registration_count: 10 });
    const [count] = await testStores().postgres.query<{ n: number }>(
      "select count(*)::int as n from registrations where event_id = $1 and status = 'confirmed'", [event.id]);
    expect(count!.n).toBe(10);
    const line = await waitlistOf(event.id);
    expect(line).toHaveLength(40);
    expect(line.every((entry) => entry.status === 'waiting')).toBe(true);
    expect(await outboxOf(event.id, 'attendee.registered')).toHaveLength(10);
  });

  it('confirms a seat on a tier, records the price, announces it, and refuses a second registration', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer, { capacity: 5 });
    const tierId = await tierOf(event.id, organizer, { kind: 'paid', priceMinor: 1500, currency: 'EUR', maxPerOrder: 4 });
    const user = await quickUser();
    const response = await attend(event.id, user, { tierId, quantity: 2 });
    expect(response.status).toBe(201);
    const body = (await response.json()) as AttendOutcome & { status: 'confirmed' };
    expect(body.registration).toMatchObject({ eventId: event.id, userId: user.id, tierId, quantity: 2, status: 'confirmed', amountMinor: 3000, currency: 'EUR' });
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 2 });
    expect(await outboxOf(event.id, 'attendee.registered')).toEqual([{ eventId: event.id, userId: user.id, registrationId: body.registration.id, quantity: 2 }]);

    const again = await expectProblem(await attend(event.id, user, { tierId }), 409);
    expect(again.registrationId).toBe(body.registration.id);
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 2 });
  });

  it('the event shows the seats left at once (its cached document is dropped on every seat change)', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer, { capacity: 4 });
    const seatsAvailable = async () => ((await (await call(`/api/v1/events/${event.id}`)).json()) as { seatsAvailable: number }).seatsAvailable;
    expect(await seatsAvailable()).toBe(4);
    const user = await quickUser();
    expect((await attend(event.id, user, { quantity: 3 })).status).toBe(201);
    expect(await seatsAvailable()).toBe(1);
    expect((await cancelAttendance(event.id, user)).status).toBe(204);
    expect(await seatsAvailable()).toBe(4);
  });

  it('a double tap from two devices registers once', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer, { capacity: 5 });
    const user = await quickUser();
    const statuses = (await Promise.all(Array.from({ length: 5 }, () => attend(event.id, user)))).map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(4);
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 1 });
  });

  it('takes donations of at least the minimum and picks the only tier when none is named', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    await tierOf(event.id, organizer, { kind: 'donation', priceMinor: 500, currency: 'EUR' });
    const low = await expectProblem(await attend(event.id, await quickUser(), { quantity: 2, amountMinor: 999 }), 400);
    expect(low.code).toBe('validation_failed');
    const response = await attend(event.id, await quickUser(), { quantity: 2, amountMinor: 2500 });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { registration: { amountMinor: number } }).registration.amountMinor).toBe(2500);
  });

  it('cancelling frees the seats, is announced, and cannot be done twice', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer, { capacity: 3 });
    const user = await quickUser();
    expect((await attend(event.id, user, { quantity: 2 })).status).toBe(201);
    expect((await cancelAttendance(event.id, user)).status).toBe(204);
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 0, registration_count: 0 });
    expect(await outboxOf(event.id, 'attendee.cancelled')).toEqual([expect.objectContaining({ eventId: event.id, userId: user.id })]);
    await expectProblem(await cancelAttendance(event.id, user), 404);
    expect((await attend(event.id, user)).status).toBe(201); // may register again after cancelling
  });

  it('lists my registrations, upcoming soonest first, with cursor pages', async () => {
    const organizer = await quickUser();
    const user = await quickUser();
    const later = await createEvent(organizer, { startsAt: new Date(Date.now() + 72 * HOUR).toISOString(), endsAt: new Date(Date.now() + 73 * HOUR).toISOString() });
    const sooner = await createEvent(organizer);
    expect((await attend(later.id, user)).status).toBe(201);
    expect((await attend(sooner.id, user)).status).toBe(201);
    const first = await call('/api/v1/registrations/me?limit=1', { headers: bearer(user.tokens.accessToken) });
    expect(first.status).toBe(200);
    const page = (await first.json()) as { items: { event: { id: string } }[]; nextCursor: string };
    expect(page.items.map((item) => item.event.id)).toEqual([sooner.id]);
    const second = await call(`/api/v1/registrations/me?limit=1&cursor=${page.nextCursor}`, { headers: bearer(user.tokens.accessToken) });
    expect(await second.json()).toMatchObject({ items: [{ event: { id: later.id } }], nextCursor: null });
    await expectProblem(await call('/api/v1/registrations/me?cursor=bogus', { headers: bearer(user.tokens.accessToken) }), 400);
  });
});

describe('attend: refusals', () => {
  it('needs a token', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    await expectProblem(await call(`/api/v1/events/${event.id}/attend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 401);
    await expectProblem(await call(`/api/v1/events/${event.id}/attend`, { method: 'DELETE' }), 401);
    await expectProblem(await call('/api/v1/registrations/me'), 401);
  });

  it('rejects hostile input with 4xx and takes no seat', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer, { capacity: 20 });
    const other = await createEvent(organizer);
    const foreignTier = await tierOf(other.id, organizer, { kind: 'free' });
    const ownTier = await tierOf(event.id, organizer, { kind: 'free', maxPerOrder: 2 });
    const user = await quickUser();
    for (const body of [{ quantity: 0 }, { quantity: 10000 }, { quantity: -1 }, { quantity: 1.5 }, { quantity: '2' }, { tierId: 'nope' }, { tierId: ownTier, quantity: 1, $where: '1' }, { tierId: ownTier, eventId: other.id }]) {
      await expectProblem(await attend(event.id, user, body), 400);
    }
    await expectProblem(await attend(event.id, user, { tierId: ownTier, quantity: 3 }), 400); // above the tier's per-order maximum
    await expectProblem(await attend(event.id, user, { tierId: ownTier, amountMinor: 100 }), 400); // paying for a free ticket
    await expectProblem(await attend(event.id, user, { tierId: foreignTier }), 404);
    await expectProblem(await attend(crypto.randomUUID(), user), 404);
    await expectProblem(await call('/api/v1/events/not-a-uuid/attend', { method: 'POST', headers: { ...bearer(user.tokens.accessToken), 'content-type': 'application/json' }, body: '{}' }), 400);
    await expectProblem(await cancelAttendance(event.id, user), 404);
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 0, seats_held: 0 });
    expect(await waitlistOf(event.id)).toEqual([]);
  });

  it('is refused outside the sales window, for drafts, cancelled and past events', async () => {
    const organizer = await quickUser();
    const user = await quickUser();
    const event = await createEvent(organizer);
    const notYet = await tierOf(event.id, organizer, { kind: 'free', salesStartAt: new Date(Date.now() + HOUR).toISOString() });
    const closed = await tierOf(event.id, organizer, { kind: 'free', salesEndAt: new Date(Date.now() - 60_000).toISOString() });
    await expectProblem(await attend(event.id, user, { tierId: notYet }), 409);
    await expectProblem(await attend(event.id, user, { tierId: closed }), 409);
    await expectProblem(await attend(event.id, user), 400); // several tiers: one must be named

    const draft = await createEvent(organizer, { status: 'draft' });
    await expectProblem(await attend(draft.id, user), 404); // nobody else learns a draft exists

    const cancelled = await createEvent(organizer);
    await testStores().postgres.query("update events set status = 'cancelled', cancelled_at = now() where id = $1", [cancelled.id]);
    await expectProblem(await attend(cancelled.id, user), 409);

    const past = await createEvent(organizer);
    await testStores().postgres.query("update events set starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour' where id = $1", [past.id]);
    await expectProblem(await attend(past.id, user), 409);
    for (const id of [event.id, draft.id, cancelled.id, past.id]) expect(await seatsOf(id)).toMatchObject({ seats_sold: 0 });
  });

  it('a checked-in attendee cannot cancel', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const user = await quickUser();
    const response = await attend(event.id, user);
    const { registration } = (await response.json()) as { registration: { id: string } };
    await testStores().postgres.query("insert into check_ins (registration_id, event_id, method) values ($1, $2, 'manual')", [registration.id, event.id]);
    await expectProblem(await cancelAttendance(event.id, user), 409);
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 1, checkin_count: 1 });
  });
});

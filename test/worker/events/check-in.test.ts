import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadKeyRing } from '../../../shared/auth/keys.ts';
import { signToken } from '../../../shared/auth/tokens.ts';
import { createEvent } from '../../support/events.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { attend, cancelAttendance, quickUser, seatsOf } from '../../support/ticketing.ts';

interface Ticket { token: string; registrationId: string; eventId: string; expiresAt: string }

const ticketOf = (eventId: string, user: TestUser) => call(`/api/v1/events/${eventId}/ticket`, { headers: bearer(user.tokens.accessToken) });
const checkIn = (eventId: string, desk: TestUser, body: unknown) => callJson(`/api/v1/events/${eventId}/check-in`, 'POST', body, bearer(desk.tokens.accessToken));

const undoCheckIn = (eventId: string, desk: TestUser, registrationId: string) =>
  call(`/api/v1/events/${eventId}/check-in/${registrationId}`, { method: 'DELETE', headers: bearer(desk.tokens.accessToken) });

async function attendeeWithTicket(eventId: string): Promise<{ user: TestUser; ticket: Ticket }> {
  const user = await quickUser();
  expect((await attend(eventId, user)).status).toBe(201);
  const response = await ticketOf(eventId, user);
  expect(response.status).toBe(200);
  return { user, ticket: (await response.json()) as Ticket };
}

async function checkInRows(eventId: string): Promise<number> {
  const [row] = await testStores().postgres.query<{ n: number }>('select count(*)::int as n from check_ins where event_id = $1', [eventId]);
  return row!.n;
}

describe('tickets and check-in', () => {
  it('issues a signed ticket that expires after the event and checks in once', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const { user, ticket } = await attendeeWithTicket(event.id);
    expect(ticket.eventId).toBe(event.id);
    expect(Date.parse(ticket.expiresAt)).toBeGreaterThan(Date.parse(event.endsAt));
    const [header, payload] = ticket.token.split('.').slice(0, 2).map((part) => JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'EdDSA', kid: expect.any(String) });
    expect(payload).toMatchObject({ token_use: 'ticket', sub: ticket.registrationId, evt: event.id, jti: expect.any(String) });

    const first = await checkIn(event.id, organizer, { token: ticket.token });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ registrationId: ticket.registrationId, userId: user.id, username: user.username, status: 'checked_in', checkedInAt: expect.any(String) });
    expect(await seatsOf(event.id)).toMatchObject({ checkin_count: 1, seats_sold: 1 });

    const again = await expectProblem(await checkIn(event.id, organizer, { token: ticket.token }), 409);
    expect(again.detail).toMatch(/already checked in/i);
    // A fresh ticket for the same registration does not check it in twice either.
    const fresh = (await (await ticketOf(event.id, user)).json()) as Ticket;
    await expectProblem(await checkIn(event.id, organizer, { token: fresh.token }), 409);
    expect(await checkInRows(event.id)).toBe(1);
  });

  it('parallel redeems of one ticket: exactly one success', async () => {
    const organizer = await quickUser();
    const staff = await quickUser(['manage_attendees']);
    const event = await createEvent(organizer);
    const { ticket } = await attendeeWithTicket(event.id);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => checkIn(event.id, i % 2 ? organizer : staff, { token: ticket.token })));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(9);
    expect(await checkInRows(event.id)).toBe(1);
  });

  it('staff check in by registration id; attendee lists filter by status and page with a cursor', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const a = await attendeeWithTicket(event.id);
    const b = await attendeeWithTicket(event.id);
    const c = await attendeeWithTicket(event.id);
    expect((await checkIn(event.id, organizer, { registrationId: b.ticket.registrationId })).status).toBe(200);
    expect((await cancelAttendance(event.id, c.user)).status).toBe(204);

    const list = async (query: string) => {
      const response = await call(`/api/v1/events/${event.id}/attendees${query}`, { headers: bearer(organizer.tokens.accessToken) });
      expect(response.status).toBe(200);
      return (await response.json()) as { items: { userId: string; status: string }[]; nextCursor: string | null };
    };
    expect((await list('')).items.map((item) => [item.userId, item.status])).toEqual([[a.user.id, 'confirmed'], [b.user.id, 'checked_in']]);
    expect((await list('?status=checked_in')).items.map((item) => item.userId)).toEqual([b.user.id]);
    expect((await list('?status=cancelled')).items.map((item) => item.userId)).toEqual([c.user.id]);
    const page = await list('?status=all&limit=2');
    expect(page.items).toHaveLength(2);
    const rest = await list(`?status=all&limit=2&cursor=${page.nextCursor}`);
    expect(rest).toEqual({ items: [expect.objectContaining({ userId: c.user.id })], nextCursor: null });
  });
});

describe('undoing a check-in', () => {
  it('confirms the registration again, and its ticket works once more', async () => {
    const organizer = await quickUser();
    const staff = await quickUser(['manage_attendees']);
    const event = await createEvent(organizer);
    const { user, ticket } = await attendeeWithTicket(event.id);
    expect((await checkIn(event.id, organizer, { token: ticket.token })).status).toBe(200);

    const undone = await undoCheckIn(event.id, staff, ticket.registrationId);
    expect(undone.status).toBe(200);
    expect(await undone.json()).toMatchObject({ registrationId: ticket.registrationId, userId: user.id, status: 'confirmed', checkedInAt: null });
    expect(await checkInRows(event.id)).toBe(0);
    expect(await seatsOf(event.id)).toMatchObject({ checkin_count: 0, seats_sold: 1 });
    await expectProblem(await undoCheckIn(event.id, organizer, ticket.registrationId), 404);

    expect((await checkIn(event.id, organizer, { token: ticket.token })).status).toBe(200);
    expect(await seatsOf(event.id)).toMatchObject({ checkin_count: 1 });
  });

  it('is for the same staff as checking in, and refuses bad ids', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const { user, ticket } = await attendeeWithTicket(event.id);
    expect((await checkIn(event.id, organizer, { token: ticket.token })).status).toBe(200);
    await expectProblem(await call(`/api/v1/events/${event.id}/check-in/${ticket.registrationId}`, { method: 'DELETE' }), 401);
    await expectProblem(await undoCheckIn(event.id, user, ticket.registrationId), 403);
    await expectProblem(await undoCheckIn(event.id, await quickUser(['edit_event']), ticket.registrationId), 403);
    await expectProblem(await undoCheckIn(event.id, organizer, 'not-a-uuid'), 400);
    await expectProblem(await undoCheckIn(crypto.randomUUID(), organizer, ticket.registrationId), 404);
    expect(await checkInRows(event.id)).toBe(1);
  });
});

describe('check-in: refusals', () => {
  it('only the organizer or manage_attendees may check in or list attendees', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const { user, ticket } = await attendeeWithTicket(event.id);
    await expectProblem(await call(`/api/v1/events/${event.id}/check-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: ticket.token }) }), 401);
    await expectProblem(await call(`/api/v1/events/${event.id}/attendees`), 401);
    await expectProblem(await call(`/api/v1/events/${event.id}/ticket`), 401);
    await expectProblem(await checkIn(event.id, user, { token: ticket.token }), 403); // checking oneself in
    await expectProblem(await checkIn(event.id, await quickUser(['edit_event']), { token: ticket.token }), 403);
    await expectProblem(await call(`/api/v1/events/${event.id}/attendees`, { headers: bearer(user.tokens.accessToken) }), 403);
    expect(await checkInRows(event.id)).toBe(0);
  });

  it('rejects forged, expired, foreign and misused tokens with 4xx and checks nobody in', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const other = await createEvent(organizer);
    const { user, ticket } = await attendeeWithTicket(event.id);
    const foreign = await attendeeWithTicket(other.id);
    const ring = await loadKeyRing(env.JWT_PRIVATE_KEYS);
    const [header, payload, signature] = ticket.token.split('.');
    const tampered = JSON.parse(atob(payload!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const forgedPayload = btoa(JSON.stringify({ ...tampered, sub: foreign.ticket.registrationId })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const expired = await signToken(ring, 'ticket', { sub: ticket.registrationId, evt: event.id }, -3600);
    const noneAlg = `${btoa(JSON.stringify({ alg: 'none', typ: 'ticket+jwt' })).replace(/=+$/, '')}.${payload}.`;

    for (const token of [
      `${header}.${forgedPayload}.${signature}`,
      expired,
      noneAlg,
      user.tokens.accessToken, // an access token is not a ticket
      foreign.ticket.token, // a ticket of another event
      'x'.repeat(100),
    ]) {
      await expectProblem(await checkIn(event.id, organizer, { token }), 422);
    }
    for (const body of [{}, { token: 'short' }, { token: ticket.token, registrationId: ticket.registrationId }, { registrationId: 'nope' }, { token: ticket.token, $where: '1' }]) {
      await expectProblem(await checkIn(event.id, organizer, body), 400);
    }
    await expectProblem(await checkIn(event.id, organizer, { registrationId: foreign.ticket.registrationId }), 404);
    await expectProblem(await checkIn(event.id, organizer, { registrationId: crypto.randomUUID() }), 404);
    expect(await checkInRows(event.id)).toBe(0);
    expect(await checkInRows(other.id)).toBe(0);
  });

  it('a cancelled registration cannot check in, and has no ticket', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const { user, ticket } = await attendeeWithTicket(event.id);
    expect((await cancelAttendance(event.id, user)).status).toBe(204);
    await expectProblem(await checkIn(event.id, organizer, { token: ticket.token }), 409);
    await expectProblem(await ticketOf(event.id, user), 404);
    await expectProblem(await ticketOf(event.id, await quickUser()), 404);
    expect(await seatsOf(event.id)).toMatchObject({ checkin_count: 0, seats_sold: 0 });
  });
});

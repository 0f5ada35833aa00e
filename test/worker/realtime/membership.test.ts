import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { handlersFor } from '../../../shared/bus/handlers.ts';
import type { BusMessage } from '../../../shared/bus/messages.ts';
import { loadConfig } from '../../../shared/config.ts';
import { Logger } from '../../../shared/logger.ts';
import { call, expectProblem } from '../../support/http.ts';
import { bearer, type TestUser } from '../../support/identity.ts';
import { createEvent } from '../../support/events.ts';
import { testStores } from '../../support/stores.ts';
import { attend, cancelAttendance, quickUser, quickUsers } from '../../support/ticketing.ts';
import { awaitMembership, joinRoom, memberRole, roomSocketPath, ticketFor, upgrade } from './gateway-client.ts';

const postgres = testStores().postgres;

/** Runs the bus handlers of a message directly, as a redelivery by the queue would. */
async function redeliver(message: Omit<BusMessage, 'id' | 'occurredAt' | 'correlationId'>): Promise<void> {
  const bus = { ...message, id: crypto.randomUUID(), occurredAt: new Date().toISOString(), correlationId: 'test-redelivery' } as BusMessage;
  const context = { env, config: loadConfig(env), stores: testStores(), log: new Logger('error', {}) };
  for (const handler of handlersFor(bus.type)) await handler(bus, context);
}

const roomRows = (eventId: string) => postgres.query<{ kind: string; subject_id: string }>('select kind, subject_id from chat_rooms where id = $1', [eventId]);
const memberCount = async (roomId: string) => (await postgres.query<{ n: number }>('select count(*)::int as n from chat_room_members where room_id = $1', [roomId]))[0]!.n;

/** An event, its organizer, and an attendee whose room membership has arrived through the bus. */
async function eventWithAttendee() {
  const [organizer, guest] = (await quickUsers(2)) as [TestUser, TestUser];
  const event = await createEvent(organizer);
  expect((await attend(event.id, guest)).status).toBe(201);
  await awaitMembership(event.id, guest.id);
  return { organizer, guest, event };
}

describe('event rooms follow the event bus', () => {
  it('opens the room with the event (id = event id), the organizer as owner', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    await awaitMembership(event.id, organizer.id, 'owner');
    expect(await roomRows(event.id)).toEqual([{ kind: 'event', subject_id: event.id }]);
  });

  it('admits an attendee once registered, and refuses people who do not attend', async () => {
    const [organizer, guest, stranger] = await quickUsers(3);
    const event = await createEvent(organizer!);
    await awaitMembership(event.id, organizer!.id, 'owner');
    await expectProblem(await upgrade(roomSocketPath(event.id), { ticket: await ticketFor(guest!) }), 403);
    expect((await attend(event.id, guest!)).status).toBe(201);
    await awaitMembership(event.id, guest!.id);
    const client = await joinRoom(event.id, guest!);
    client.ws.close(1000);
    await expectProblem(await upgrade(roomSocketPath(event.id), { ticket: await ticketFor(stranger!) }), 403);
  });

  it('kicks a cancelled attendee (4403 on the open socket) and refuses them afterwards', async () => {
    const { guest, event } = await eventWithAttendee();
    const socket = await joinRoom(event.id, guest);
    expect((await cancelAttendance(event.id, guest)).status).toBe(204);
    expect((await socket.waitClose()).code).toBe(4403);
    // The room closes the socket while the handler's transaction is still open: the row goes at its commit.
    await awaitMembership(event.id, guest.id, null);
    await expectProblem(await upgrade(roomSocketPath(event.id), { ticket: await ticketFor(guest) }), 403);
    await expectProblem(await call(`/api/v1/realtime/rooms/${event.id}/messages`, { headers: bearer(guest.tokens.accessToken) }), 403);
  });

  it('lets a cancelled attendee back in when they register again', async () => {
    const { guest, event } = await eventWithAttendee();
    expect((await cancelAttendance(event.id, guest)).status).toBe(204);
    await awaitMembership(event.id, guest.id, null);
    expect((await attend(event.id, guest)).status).toBe(201);
    await awaitMembership(event.id, guest.id);
    const client = await joinRoom(event.id, guest);
    client.ws.close(1000);
  });

  it('admits twelve attendees registering in parallel, and they all see one message', async () => {
    const organizer = await quickUser();
    const guests = await quickUsers(12);
    const event = await createEvent(organizer);
    const statuses = await Promise.all(guests.map(async (guest) => (await attend(event.id, guest)).status));
    expect(statuses.every((status) => status === 201)).toBe(true);
    await Promise.all(guests.map((guest) => awaitMembership(event.id, guest.id)));
    expect(await memberCount(event.id)).toBe(13);
    const clients = await Promise.all(guests.map((guest) => joinRoom(event.id, guest)));
    clients[0]!.send({ type: 'message:send', clientMessageId: 'crowd-1', text: 'hello everyone' });
    const received = await Promise.all(clients.slice(1).map(async (client) => (await client.waitFor('message:received', 1, (f) => f.clientMessageId === 'crowd-1'))[0]!.seq));
    expect(new Set(received).size).toBe(1);
    for (const client of clients) client.ws.close(1000);
  });

  it('keeps the room and its history when the event is cancelled', async () => {
    const { organizer, guest, event } = await eventWithAttendee();
    const client = await joinRoom(event.id, guest);
    client.send({ type: 'message:send', clientMessageId: 'before-cancel', text: 'see you there' });
    await client.waitFor('message:ack');
    client.ws.close(1000);
    const cancelled = await call(`/api/v1/events/${event.id}`, { method: 'DELETE', headers: bearer(organizer.tokens.accessToken) });
    expect(cancelled.status).toBeLessThan(300);
    await redeliver({ type: 'event.cancelled', payload: { eventId: event.id, organizerId: organizer.id } });
    expect(await roomRows(event.id)).toHaveLength(1);
    const history = await call(`/api/v1/realtime/rooms/${event.id}/messages`, { headers: bearer(organizer.tokens.accessToken) });
    expect(((await history.json()) as { messages: { clientMessageId: string }[] }).messages.map((m) => m.clientMessageId)).toEqual(['before-cancel']);
  });
});

describe('handlers are idempotent and trust the registrations, not the message', () => {
  it('a redelivered event.created or attendee.registered changes nothing', async () => {
    const { organizer, guest, event } = await eventWithAttendee();
    await Promise.all([
      redeliver({ type: 'event.created', payload: { eventId: event.id, organizerId: organizer.id, title: event.title, startsAt: event.startsAt } }),
      redeliver({ type: 'attendee.registered', payload: { eventId: event.id, userId: guest.id, registrationId: crypto.randomUUID(), quantity: 1 } }),
      redeliver({ type: 'attendee.registered', payload: { eventId: event.id, userId: guest.id, registrationId: crypto.randomUUID(), quantity: 1 } }),
    ]);
    expect(await roomRows(event.id)).toHaveLength(1);
    expect(await memberCount(event.id)).toBe(2);
    expect(await memberRole(event.id, organizer.id)).toBe('owner');
  });

  it('a stale attendee.cancelled leaves a registered attendee in; a forged attendee.registered admits no one', async () => {
    const [organizer, guest, intruder] = await quickUsers(3);
    const event = await createEvent(organizer!);
    expect((await attend(event.id, guest!)).status).toBe(201);
    await awaitMembership(event.id, guest!.id);
    await redeliver({ type: 'attendee.cancelled', payload: { eventId: event.id, userId: guest!.id, registrationId: crypto.randomUUID() } });
    expect(await memberRole(event.id, guest!.id)).toBe('member');
    await redeliver({ type: 'attendee.registered', payload: { eventId: event.id, userId: intruder!.id, registrationId: crypto.randomUUID(), quantity: 1 } });
    expect(await memberRole(event.id, intruder!.id)).toBeNull();
  });

  it('an attendee message overtaking event.created still opens the room with its owner', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    await awaitMembership(event.id, organizer.id, 'owner');
    // Simulate the other order: drop the room, then deliver the organizer's own registration first.
    await postgres.query('delete from chat_rooms where id = $1', [event.id]);
    await redeliver({ type: 'attendee.registered', payload: { eventId: event.id, userId: organizer.id, registrationId: crypto.randomUUID(), quantity: 1 } });
    expect(await memberRole(event.id, organizer.id)).toBe('owner');
  });

  it('a message about an unknown event opens nothing and does not fail', async () => {
    const eventId = crypto.randomUUID();
    await redeliver({ type: 'event.created', payload: { eventId, organizerId: crypto.randomUUID(), title: 'Ghost', startsAt: new Date().toISOString() } });
    await redeliver({ type: 'attendee.registered', payload: { eventId, userId: crypto.randomUUID(), registrationId: crypto.randomUUID(), quantity: 1 } });
    expect(await roomRows(eventId)).toEqual([]);
  });

  it('an event left without an organizer (account deleted) keeps its room; messages about it open no owner and keep attendees in', async () => {
    const { organizer, guest, event } = await eventWithAttendee();
    // What deleting the organizer's account leaves of an event others took part in.
    await postgres.query('update events set organizer_id = null where id = $1', [event.id]);
    await postgres.query('delete from chat_room_members where room_id = $1 and account_id = $2', [event.id, organizer.id]);
    await redeliver({ type: 'event.created', payload: { eventId: event.id, organizerId: null, title: event.title, startsAt: event.startsAt } });
    await redeliver({ type: 'attendee.registered', payload: { eventId: event.id, userId: guest.id, registrationId: crypto.randomUUID(), quantity: 1 } });
    expect(await postgres.query('select account_id, role from chat_room_members where room_id = $1', [event.id])).toEqual([{ account_id: guest.id, role: 'member' }]);
    const client = await joinRoom(event.id, guest);
    client.ws.close(1000);
  });

  it('an organizer is never removed from their own room', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    await awaitMembership(event.id, organizer.id, 'owner');
    await redeliver({ type: 'attendee.cancelled', payload: { eventId: event.id, userId: organizer.id, registrationId: crypto.randomUUID() } });
    expect(await memberRole(event.id, organizer.id)).toBe('owner');
  });
});

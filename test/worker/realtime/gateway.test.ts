import { beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../../shared/auth/random.ts';
import { call, expectProblem } from '../../support/http.ts';
import { bearer, registerAndLogin, type TestUser } from '../../support/identity.ts';
import { createEvent } from '../../support/events.ts';
import { testStores } from '../../support/stores.ts';
import { attend, quickUser } from '../../support/ticketing.ts';
import { eventually } from '../../support/wait.ts';
import { awaitMembership, GatewayClient, joinRoom, roomSocketPath, ticketFor, upgrade } from './gateway-client.ts';

const redis = testStores().redis;
const ticketKey = async (ticket: string) => `realtime:ticket:${await hashToken(ticket)}`;

// One event room shared by the tests: an organizer and an attendee who are members, and an outsider.
let organizer: TestUser;
let attendee: TestUser;
let outsider: TestUser;
let roomId: string;

beforeAll(async () => {
  [organizer, attendee, outsider] = await Promise.all([registerAndLogin(), quickUser(), quickUser()]);
  roomId = (await createEvent(organizer)).id;
  expect((await attend(roomId, attendee)).status).toBe(201);
  await awaitMembership(roomId, organizer.id, 'owner');
  await awaitMembership(roomId, attendee.id);
});

describe('POST /api/v1/realtime/tickets', () => {
  it('issues a 30 s ticket, storing only its SHA-256 with that expiry', async () => {
    const response = await call('/api/v1/realtime/tickets', { method: 'POST', headers: bearer(attendee.tokens.accessToken) });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { ticket: string; expiresIn: number };
    expect(body).toEqual({ ticket: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresIn: 30 });
    const ttl = await redis.run((client) => ticketKey(body.ticket).then((key) => client.ttl(key)));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
    expect(await redis.run((client) => client.exists(`realtime:ticket:${body.ticket}`))).toBe(0);
    const stored = await redis.run(async (client) => client.get<Record<string, unknown>>(await ticketKey(body.ticket)));
    expect(stored).toMatchObject({ userId: attendee.id, username: attendee.username });
    expect(JSON.stringify(stored)).not.toContain(body.ticket);
  });

  it('needs a valid access token', async () => {
    await expectProblem(await call('/api/v1/realtime/tickets', { method: 'POST' }), 401);
    await expectProblem(await call('/api/v1/realtime/tickets', { method: 'POST', headers: bearer('not.a.token') }), 401);
    // A refresh token is not an access token.
    await expectProblem(await call('/api/v1/realtime/tickets', { method: 'POST', headers: bearer(organizer.tokens.refreshToken) }), 401);
  });
});

describe('room socket: the happy path', () => {
  it('connects two members with tickets; a message sent by one reaches the other', async () => {
    const [sender, receiver] = await Promise.all([joinRoom(roomId, attendee), joinRoom(roomId, organizer)]);
    sender.send({ type: 'message:send', clientMessageId: 'hello-1', text: 'Hello from the gateway' });
    const [ack] = await sender.waitFor('message:ack', 1, (frame) => frame.clientMessageId === 'hello-1');
    const [received] = await receiver.waitFor('message:received', 1, (frame) => frame.clientMessageId === 'hello-1');
    expect(received).toMatchObject({ roomId, senderId: attendee.id, text: 'Hello from the gateway', seq: ack!.seq });
    sender.ws.close(1000);
    receiver.ws.close(1000);
  });

  it('accepts the bearer token in the subprotocol list and answers with flow.v1', async () => {
    const response = await upgrade(roomSocketPath(roomId), { protocols: `flow.v1, bearer.${attendee.tokens.accessToken}` });
    expect(response.status).toBe(101);
    expect(response.headers.get('sec-websocket-protocol')).toBe('flow.v1');
    const client = await GatewayClient.from(response);
    expect((await client.join()).roomId).toBe(roomId);
    client.ws.close(1000);
  });

  it('accepts an allowed Origin, and none at all (native apps)', async () => {
    const allowed = await upgrade(roomSocketPath(roomId), { ticket: await ticketFor(attendee), origin: 'https://app.flow.test' });
    expect(allowed.status).toBe(101);
    allowed.webSocket!.accept();
    allowed.webSocket!.close(1000);
  });
});

describe('room socket: refused before any upgrade', () => {
  it('answers a plain GET with 426 and how to upgrade', async () => {
    const response = await call(`${roomSocketPath(roomId)}?ticket=${await ticketFor(attendee)}`);
    await expectProblem(response, 426);
    expect(response.headers.get('upgrade')).toBe('websocket');
  });

  it('refuses a connection without credentials, with an unknown ticket or a bad bearer token', async () => {
    await expectProblem(await upgrade(roomSocketPath(roomId)), 401);
    await expectProblem(await upgrade(roomSocketPath(roomId), { ticket: 'A'.repeat(43) }), 401);
    await expectProblem(await upgrade(roomSocketPath(roomId), { ticket: 'short' }), 401);
    await expectProblem(await upgrade(roomSocketPath(roomId), { protocols: 'flow.v1, bearer.not-a-jwt' }), 401);
  });

  it('refuses subprotocol lists without flow.v1', async () => {
    await expectProblem(await upgrade(roomSocketPath(roomId), { protocols: `bearer.${attendee.tokens.accessToken}` }), 400);
  });

  it('refuses a reused ticket', async () => {
    const ticket = await ticketFor(attendee);
    const first = await upgrade(roomSocketPath(roomId), { ticket });
    expect(first.status).toBe(101);
    first.webSocket!.accept();
    first.webSocket!.close(1000);
    await expectProblem(await upgrade(roomSocketPath(roomId), { ticket }), 401);
  });

  it('lets exactly one of ten parallel connections redeem one ticket', async () => {
    const ticket = await ticketFor(attendee);
    const responses = await Promise.all(Array.from({ length: 10 }, () => upgrade(roomSocketPath(roomId), { ticket })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([101, ...Array(9).fill(401)]);
    const opened = responses.find((response) => response.status === 101)!;
    opened.webSocket!.accept();
    opened.webSocket!.close(1000);
  });

  it('refuses an expired ticket', async () => {
    const ticket = await ticketFor(attendee);
    const key = await ticketKey(ticket);
    // Let Redis expire it (as 30 s would), rather than deleting it.
    await redis.run((client) => client.pexpire(key, 1));
    await eventually(() => redis.run((client) => client.exists(key)), (exists) => exists === 0);
    await expectProblem(await upgrade(roomSocketPath(roomId), { ticket }), 401);
  });

  it('refuses a ticket or token whose session was logged out', async () => {
    const user = await registerAndLogin();
    const event = await createEvent(user);
    await awaitMembership(event.id, user.id, 'owner');
    const ticket = await ticketFor(user);
    expect((await call('/api/v1/auth/logout', { method: 'POST', headers: bearer(user.tokens.accessToken) })).status).toBe(204);
    await expectProblem(await upgrade(roomSocketPath(event.id), { ticket }), 401);
    await expectProblem(await upgrade(roomSocketPath(event.id), { protocols: `flow.v1, bearer.${user.tokens.accessToken}` }), 401);
  });

  it('refuses a foreign Origin with 403 without spending the ticket', async () => {
    const ticket = await ticketFor(attendee);
    await expectProblem(await upgrade(roomSocketPath(roomId), { ticket, origin: 'https://evil.example' }), 403);
    await expectProblem(await upgrade(roomSocketPath(roomId), { ticket, origin: 'null' }), 403);
    const response = await upgrade(roomSocketPath(roomId), { ticket });
    expect(response.status).toBe(101);
    response.webSocket!.accept();
    response.webSocket!.close(1000);
  });

  it('refuses a non-member (403), an unknown room (404) and a malformed room id (400)', async () => {
    await expectProblem(await upgrade(roomSocketPath(roomId), { ticket: await ticketFor(outsider) }), 403);
    await expectProblem(await upgrade(roomSocketPath(crypto.randomUUID()), { ticket: await ticketFor(attendee) }), 404);
    await expectProblem(await upgrade(roomSocketPath('not-a-uuid'), { ticket: await ticketFor(attendee) }), 400);
  });
});

describe('trusted headers cannot be forged by clients', () => {
  it('ignores x-flow-* headers: an outsider claiming to be a member is still refused', async () => {
    const response = await upgrade(roomSocketPath(roomId), {
      ticket: await ticketFor(outsider),
      headers: { 'x-flow-user-id': attendee.id, 'x-flow-username': attendee.username, 'x-flow-room-id': roomId },
    });
    await expectProblem(response, 403);
  });

  it('sends as the authenticated member, whatever x-flow-user-id the client sets', async () => {
    const spoofer = await GatewayClient.from(await upgrade(roomSocketPath(roomId), {
      ticket: await ticketFor(attendee),
      headers: { 'x-flow-user-id': organizer.id, 'x-flow-username': organizer.username },
    }));
    await spoofer.join();
    const watcher = await joinRoom(roomId, organizer);
    spoofer.send({ type: 'message:send', clientMessageId: 'spoof-1', text: 'who am I?' });
    const [received] = await watcher.waitFor('message:received', 1, (frame) => frame.clientMessageId === 'spoof-1');
    expect(received!.senderId).toBe(attendee.id);
    spoofer.ws.close(1000);
    watcher.ws.close(1000);
  });
});

describe('presence and notification sockets', () => {
  for (const path of ['/api/v1/realtime/presence/socket', '/api/v1/realtime/notifications/socket']) {
    it(`${path}: opens with a ticket or bearer subprotocol, refuses without credentials or from a foreign Origin`, async () => {
      const withTicket = await upgrade(path, { ticket: await ticketFor(attendee) });
      expect(withTicket.status).toBe(101);
      withTicket.webSocket!.accept();
      withTicket.webSocket!.close(1000);
      const withBearer = await upgrade(path, { protocols: `flow.v1, bearer.${attendee.tokens.accessToken}` });
      expect(withBearer.status).toBe(101);
      expect(withBearer.headers.get('sec-websocket-protocol')).toBe('flow.v1');
      withBearer.webSocket!.accept();
      withBearer.webSocket!.close(1000);
      await expectProblem(await upgrade(path), 401);
      await expectProblem(await upgrade(path, { ticket: await ticketFor(attendee), origin: 'https://evil.example' }), 403);
      await expectProblem(await call(path), 426);
    });
  }
});

import { expect } from 'vitest';
import { parseServerFrames, type ClientFrame, type ServerFrame } from '../../../shared/realtime/protocol.ts';
import { testStores } from '../../support/stores.ts';
import { call } from '../../support/http.ts';
import { bearer, type TestUser } from '../../support/identity.ts';
import { eventually } from '../../support/wait.ts';
import { Waiter } from '../../support/waiter.ts';

type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

/** A fresh single-use ticket for `user`. */
export async function ticketFor(user: TestUser): Promise<string> {
  const response = await call('/api/v1/realtime/tickets', { method: 'POST', headers: bearer(user.tokens.accessToken) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { ticket: string }).ticket;
}

export interface UpgradeOptions {
  ticket?: string;
  protocols?: string;
  origin?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/** Sends a WebSocket upgrade for `path` through the Worker's entry point. */
export function upgrade(path: string, options: UpgradeOptions = {}): Promise<Response> {
  const query = new URLSearchParams(options.query);
  if (options.ticket !== undefined) query.set('ticket', options.ticket);
  const headers: Record<string, string> = { Upgrade: 'websocket', ...options.headers };
  if (options.protocols) headers['Sec-WebSocket-Protocol'] = options.protocols;
  if (options.origin) headers.Origin = options.origin;
  const search = query.size > 0 ? `?${query}` : '';
  return call(`${path}${search}`, { headers });
}

export const roomSocketPath = (roomId: string) => `/api/v1/realtime/rooms/${roomId}/socket`;

/** A connected client that records every (schema-checked) server frame and its close. */
export class GatewayClient {
  readonly frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  readonly ws: WebSocket;
  readonly #waiter = new Waiter();

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener('message', (event) => {
      this.frames.push(...parseServerFrames(String(event.data)));
      this.#waiter.notify();
    });
    ws.addEventListener('close', (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.#waiter.notify();
    });
    ws.accept();
  }

  /** Accepts the 101 of `response`; fails the test on any other answer. */
  static async from(response: Response): Promise<GatewayClient> {
    if (response.status !== 101) throw new Error(`expected 101, got ${response.status}: ${await response.text()}`);
    return new GatewayClient(response.webSocket!);
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  of<T extends ServerFrame['type']>(type: T): FrameOf<T>[] {
    return this.frames.filter((frame): frame is FrameOf<T> => frame.type === type);
  }

  async waitFor<T extends ServerFrame['type']>(type: T, count = 1, where: (frame: FrameOf<T>) => boolean = () => true): Promise<FrameOf<T>[]> {
    await this.#until(() => this.of(type).filter(where).length >= count, `${count} x ${type}`);
    return this.of(type).filter(where);
  }

  async waitClose(): Promise<{ code: number; reason: string }> {
    await this.#until(() => this.closed !== null, 'close');
    return this.closed!;
  }

  /** Joins the room and waits for room:joined. */
  async join(): Promise<FrameOf<'room:joined'>> {
    this.send({ type: 'room:join' });
    return (await this.waitFor('room:joined'))[0]!;
  }

  #until(ready: () => boolean, what: string): Promise<void> {
    return this.#waiter.until(ready, () => `never got ${what}; frames: ${JSON.stringify(this.frames.map((f) => f.type))}`);
  }
}

/** Connects `user` to a room with a fresh ticket and joins it. */
export async function joinRoom(roomId: string, user: TestUser): Promise<GatewayClient> {
  const client = await GatewayClient.from(await upgrade(roomSocketPath(roomId), { ticket: await ticketFor(user) }));
  await client.join();
  return client;
}

/** The role of `accountId` in room `roomId` as Postgres has it (null: not a member). */
export async function memberRole(roomId: string, accountId: string): Promise<string | null> {
  const rows = await testStores().postgres.query<{ role: string }>('select role from chat_room_members where room_id = $1 and account_id = $2', [roomId, accountId]);
  return rows[0]?.role ?? null;
}

/** Waits for the bus to make `accountId` a member (or, with `expected` null, not a member). */
export async function awaitMembership(roomId: string, accountId: string, expected: string | null = 'member'): Promise<void> {
  const role = await eventually(() => memberRole(roomId, accountId), (found) => found === expected);
  expect(role).toBe(expected);
}

import { env } from 'cloudflare:test';
import { FRAME_SEPARATOR, parseServerFrame, type ClientFrame, type ServerFrame } from '../../../shared/realtime/protocol.ts';
import { Waiter } from '../../support/waiter.ts';

type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

/** The room's Durable Object stub, addressed by room id exactly as the Worker addresses it. */
export function roomStub(roomId: string) {
  return env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(roomId));
}

export interface OpenOptions {
  since?: number;
  username?: string;
  protocols?: string;
  /** Sends room:join right after connecting (when no `since` joined it already). */
  join?: boolean;
}

/** Opens an upgrade straight at the room, with the headers the Worker sets after its checks. */
export async function upgradeRoom(roomId: string, userId: string, options: OpenOptions = {}): Promise<Response> {
  const url = new URL('https://chat-room.internal/socket');
  if (options.since !== undefined) url.searchParams.set('since', String(options.since));
  const headers: Record<string, string> = {
    Upgrade: 'websocket',
    'x-flow-user-id': userId,
    'x-flow-username': options.username ?? `user-${userId.slice(0, 8)}`,
    'x-flow-room-id': roomId,
  };
  if (options.protocols) headers['Sec-WebSocket-Protocol'] = options.protocols;
  return roomStub(roomId).fetch(url, { headers });
}

/**
 * A test client: records every frame (each checked against the protocol's server schema) and
 * lets a test wait for frames or the close without assuming anything about timing.
 */
export class RoomClient {
  readonly frames: ServerFrame[] = [];
  readonly offProtocol: string[] = [];
  /** WebSocket messages received; a busy room puts several frames in one. */
  messages = 0;
  closed: { code: number; reason: string } | null = null;
  readonly #ws: WebSocket;
  readonly #waiter = new Waiter();
  #pingsSent = 0;

  readonly userId: string;
  readonly response: Response;

  private constructor(ws: WebSocket, userId: string, response: Response) {
    this.#ws = ws;
    this.userId = userId;
    this.response = response;
    ws.addEventListener('message', (event) => {
      this.messages += 1;
      for (const text of String(event.data).split(FRAME_SEPARATOR)) {
        try {
          this.frames.push(parseServerFrame(text));
        } catch {
          this.offProtocol.push(text);
        }
      }
      this.#waiter.notify();
    });
    ws.addEventListener('close', (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.#waiter.notify();
    });
  }

  static async open(roomId: string, userId: string, options: OpenOptions = {}): Promise<RoomClient> {
    const response = await upgradeRoom(roomId, userId, options);
    const ws = response.webSocket;
    if (!ws) throw new Error(`Upgrade refused with ${response.status}`);
    ws.accept();
    const client = new RoomClient(ws, userId, response);
    if (options.join && options.since === undefined) {
      client.send({ type: 'room:join' });
      await client.waitFor('room:joined');
    } else if (options.since !== undefined) {
      await client.waitFor('room:joined');
    }
    return client;
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(data: string | ArrayBuffer): void {
    if (typeof data === 'string' && isPing(data)) this.#pingsSent += 1;
    this.#ws.send(data);
  }

  /**
   * Waits until the room has handled every frame sent before. The exact `{"type":"ping"}` is
   * answered by the runtime's auto-response without waiting in line, so this spells it differently.
   */
  async roundTrip(): Promise<void> {
    this.sendRaw('{ "type": "ping" }');
    // Auto-answered pings may overtake it, so wait for the pongs of every ping sent so far.
    await this.until(() => this.of('pong').length >= this.#pingsSent || this.closed !== null, 'pong');
  }

  close(code = 1000): void {
    this.#ws.close(code, 'bye');
  }

  of<T extends ServerFrame['type']>(type: T): FrameOf<T>[] {
    return this.frames.filter((frame): frame is FrameOf<T> => frame.type === type);
  }

  /** Waits until `count` frames of the type (matching `where`) have arrived; returns them all. */
  async waitFor<T extends ServerFrame['type']>(type: T, count = 1, where: (frame: FrameOf<T>) => boolean = () => true): Promise<FrameOf<T>[]> {
    await this.until(() => this.of(type).filter(where).length >= count, `${count} x ${type}`);
    return this.of(type).filter(where);
  }

  async waitClose(): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closed !== null, 'close');
    return this.closed!;
  }

  /** Resolves when `ready` holds after some frame; fails (rather than hangs) after a long grace. */
  until(ready: () => boolean, what: string, graceMs?: number): Promise<void> {
    return this.#waiter.until(ready, () => `${this.userId} never received ${what}; got ${JSON.stringify(this.frames.map((f) => f.type))}`, graceMs);
  }
}

function isPing(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).join() === 'type' && (value as { type: unknown }).type === 'ping';
  } catch {
    return false;
  }
}

/** Rows of the room's message table, read inside the object. */
export async function storedMessages(roomId: string): Promise<{ seq: number; sender_id: string; client_message_id: string; text: string }[]> {
  const { runInDurableObject } = await import('cloudflare:test');
  return runInDurableObject(roomStub(roomId), (_instance, state) =>
    state.storage.sql.exec<{ seq: number; sender_id: string; client_message_id: string; text: string }>(
      'SELECT seq, sender_id, client_message_id, text FROM messages ORDER BY seq',
    ).toArray(),
  );
}

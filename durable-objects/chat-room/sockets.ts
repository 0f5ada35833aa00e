import { encodeServerFrame, type ServerFrame } from '../../shared/realtime/protocol.ts';
import { FrameOutbox } from './outbox.ts';
import { closeEvery } from '../user-sockets/frames.ts';
import { storedCopy, storedIsBehind, type SocketState } from './socket-state.ts';

/**
 * The room's open sockets and their states. States live in the socket attachments (so they
 * survive hibernation) and in a cache of this instance. After a wake-up the cache is filled from
 * the runtime's sockets the first time a broadcast needs all of them; from then on it holds every
 * open socket, so a broadcast walks the cache instead of asking the runtime for its sockets.
 * Every frame goes out through one outbox, which coalesces them under load (see FrameOutbox).
 */
export class RoomSockets {
  readonly #ctx: DurableObjectState;
  readonly #cache = new Map<WebSocket, SocketState>();
  // What each attachment holds now (the cached states are live objects, changed in place).
  readonly #stored = new Map<WebSocket, SocketState>();
  readonly #outbox: FrameOutbox;
  #complete = false;

  constructor(ctx: DurableObjectState, coalesceMs: () => number) {
    this.#ctx = ctx;
    this.#outbox = new FrameOutbox(coalesceMs);
  }

  accept(ws: WebSocket, state: SocketState): void {
    this.#ctx.acceptWebSocket(ws, [state.userId]);
    this.save(ws, state);
  }

  state(ws: WebSocket): SocketState | null {
    const cached = this.#cache.get(ws);
    if (cached) return cached;
    const stored = ws.deserializeAttachment() as SocketState | null;
    if (stored) {
      this.#cache.set(ws, stored);
      this.#stored.set(ws, { ...stored });
    }
    return stored;
  }

  save(ws: WebSocket, state: SocketState): void {
    ws.serializeAttachment(state);
    this.#cache.set(ws, state);
    this.#stored.set(ws, { ...state });
  }

  /**
   * After a frame spent a token: rewrites the attachment only when a restore from it would be
   * more permissive than the live bucket (see storedIsBehind), not on every frame.
   */
  saveSpent(ws: WebSocket, state: SocketState, budget: number, now: number): void {
    const stored = this.#stored.get(ws);
    if (stored && !storedIsBehind(stored, state, budget, now)) return;
    const copy = storedCopy(state, budget);
    ws.serializeAttachment(copy);
    this.#cache.set(ws, state);
    this.#stored.set(ws, copy);
  }

  forget(ws: WebSocket): void {
    this.#cache.delete(ws);
    this.#stored.delete(ws);
    this.#outbox.drop(ws);
  }

  send(ws: WebSocket, frame: ServerFrame): void {
    this.#outbox.push(ws, encodeServerFrame(frame));
  }

  ofUser(userId: string): WebSocket[] {
    return this.#ctx.getWebSockets(userId);
  }

  /** Sends to every joined socket the filter keeps; the text is encoded once. */
  broadcast(frame: ServerFrame, keep: (state: SocketState, ws: WebSocket) => boolean = () => true): void {
    const text = encodeServerFrame(frame);
    for (const [ws, state] of this.#all()) {
      if (state.joined && keep(state, ws)) this.#outbox.push(ws, text);
    }
  }

  /** The users with a joined socket here. */
  joinedUsers(): Set<string> {
    const users = new Set<string>();
    for (const state of this.#all().values()) if (state.joined) users.add(state.userId);
    return users;
  }

  #all(): Map<WebSocket, SocketState> {
    if (!this.#complete) {
      for (const ws of this.#ctx.getWebSockets()) this.state(ws);
      this.#complete = true;
    }
    return this.#cache;
  }

  /** Closes the socket after the frames queued for it (an error frame explaining why, say). */
  close(ws: WebSocket, code: number, reason: string): void {
    this.#outbox.flushSocket(ws);
    closeEvery([ws], code, reason);
  }

  /** Closes every socket of the user, e.g. when they leave the room for good. */
  closeUser(userId: string, code: number, reason: string): void {
    for (const ws of this.ofUser(userId)) {
      this.close(ws, code, reason);
      this.forget(ws);
    }
  }
}

import { DurableObject } from 'cloudflare:workers';
import { loadConfig, type Config } from '../shared/config.ts';
import { Logger } from '../shared/logger.ts';
import { closeCodes, PING_FRAME, PONG_FRAME, serverFrames } from '../shared/realtime/protocol.ts';
import type { PresenceState } from '../shared/realtime/presence-snapshot.ts';
import { createStores } from '../shared/stores/index.ts';
import { fanOutPresence, writeSnapshot, type PresenceChange, type PresenceTargets } from './presence/fan-out.ts';
import { attachmentOf, isOpen, lastActivity, newAttachment, sweep } from './presence/liveness.ts';
import { PresenceStateStore } from './presence/state-store.ts';
import { admitFrame } from './user-sockets/admit.ts';
import { broadcastFrame, closeEvery, sendError, sendFrame } from './user-sockets/frames.ts';
import { deviceLabel, trustedCaller, upgradeResponse } from './user-sockets/upgrade.ts';

/** What `status()` answers. */
export interface PresenceStatus extends PresenceChange {
  userId: string;
  /** Device labels with a live socket. */
  devices: string[];
}

/**
 * One per user (idFromName(userId)): the user's presence across all their devices.
 * A socket makes the user visible in the state they chose (online unless away or busy); the
 * alarm closes sockets silent for PRESENCE_TIMEOUT_SECONDS (4408) and the user goes offline when
 * none is left. Heartbeat pings are answered by the runtime, so an idle user costs no wake-ups.
 */
export class Presence extends DurableObject<Env> {
  readonly #store: PresenceStateStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new PresenceStateStore(ctx.storage.sql);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  /** Only WebSocket upgrades forwarded by the Worker with the trusted user header. */
  override async fetch(request: Request): Promise<Response> {
    const caller = trustedCaller(request, (userId) => this.env.PRESENCE.idFromName(userId).equals(this.ctx.id));
    if (!caller.ok) return caller.response;
    this.#store.claim(caller.userId);
    const { 0: client, 1: server } = new WebSocketPair();
    const device = deviceLabel(request);
    const now = Date.now();
    this.ctx.acceptWebSocket(server, [`device:${device}`]);
    server.serializeAttachment(newAttachment(device, this.#config().WS_MESSAGES_PER_10S, now));
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + this.#timeoutMs());
    // A change is told to every socket of the user, this one included; otherwise just to this one.
    if (!this.#refresh(now)) sendFrame(server, serverFrames.presence(this.#current()));
    return upgradeResponse(request, client);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const attachment = attachmentOf(ws);
    if (!attachment) return ws.close(closeCodes.serverError, 'Lost socket state');
    const config = this.#config();
    const now = Date.now();
    const { budget, frame } = admitFrame(ws, message, attachment.budget, config, now);
    ws.serializeAttachment({ ...attachment, lastFrameAt: now, budget });
    if (!frame) return;
    if (frame.type !== 'presence:set') return sendError(ws, 'unsupported', `${frame.type} is not used on the presence socket`);
    this.#store.choose(frame.state);
    if (!this.#refresh(now)) sendFrame(ws, serverFrames.presence(this.#current()));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.#gone(ws, code === 1006 ? 1000 : code);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#gone(ws, closeCodes.serverError);
  }

  /** Liveness sweep: idle sockets are closed; offline when none is left, else check again later. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const { live, idle, lastIdleActivity, nextDue } = sweep(this.ctx, now, this.#timeoutMs());
    closeEvery(idle, closeCodes.idle, 'No heartbeat');
    if (nextDue !== null) await this.ctx.storage.setAlarm(nextDue);
    const changed = this.#refresh(live.length > 0 ? now : lastIdleActivity || now, idle);
    // Unchanged but live: renew the Redis snapshot before its TTL (twice the timeout) runs out.
    if (!changed && live.length > 0) this.#background((stores) => writeSnapshot(stores, this.#current(), this.#config().PRESENCE_TIMEOUT_SECONDS));
  }

  /** The user's presence as others see it, and which devices are connected. */
  async status(): Promise<PresenceStatus> {
    const devices = [...new Set(this.ctx.getWebSockets().filter(isOpen).map((ws) => attachmentOf(ws)?.device).filter((device) => device !== undefined))];
    return { ...this.#current(), devices };
  }

  /**
   * The user's account is being deleted: their sockets close and their state goes. With the
   * owner forgotten, the sockets' close events publish nothing.
   */
  async forget(): Promise<void> {
    this.#store.forget();
    await this.ctx.storage.deleteAlarm();
    closeEvery(this.ctx.getWebSockets(), closeCodes.unauthorized, 'Account deleted');
  }

  /** A connected user's presence changed: tell this user's sockets. */
  async peerChanged(change: PresenceChange): Promise<void> {
    broadcastFrame(this.ctx.getWebSockets().filter(isOpen), serverFrames.presence(change));
  }

  #gone(ws: WebSocket, code: number): void {
    closeEvery([ws], code, 'Closed');
    this.#refresh(lastActivity(this.ctx, ws) || Date.now(), [ws]);
  }

  /**
   * Recomputes the visible state from the open sockets (minus `leaving`) and, when it changed,
   * stores it, tells the user's sockets and fans it out in the background. Returns whether it changed.
   */
  #refresh(seenAt: number, leaving: WebSocket[] = []): boolean {
    const live = this.ctx.getWebSockets().filter((ws) => isOpen(ws) && !leaving.includes(ws));
    const record = this.#store.read();
    const state: PresenceState = live.length > 0 ? record.chosen : 'offline';
    if (state === record.state || record.userId === null) return false;
    this.#store.publish(state, new Date(seenAt).toISOString());
    const change = this.#current();
    broadcastFrame(live, serverFrames.presence(change));
    this.#background((stores, log) => fanOutPresence(stores, this.#targets(), change, this.#config().PRESENCE_TIMEOUT_SECONDS, log));
    return true;
  }

  #current(): PresenceChange {
    const { userId, state, lastSeenAt } = this.#store.read();
    return { userId: userId ?? '', state, lastSeenAt };
  }

  #targets(): PresenceTargets {
    const { PRESENCE: presence, CHAT_ROOM: rooms } = this.env;
    return {
      peer: (userId) => presence.get(presence.idFromName(userId)),
      room: (roomId) => rooms.get(rooms.idFromName(roomId)),
    };
  }

  #background(work: (stores: ReturnType<typeof createStores>, log: Logger) => Promise<void>): void {
    const config = this.#config();
    const stores = createStores({ config, env: this.env, region: 'default', waitUntil: (promise) => this.ctx.waitUntil(promise) });
    const log = new Logger(config.LOG_LEVEL, { object: 'presence' });
    this.ctx.waitUntil(work(stores, log).catch((error: unknown) => log.warn('presence background work failed', { error: String(error) })));
  }

  #config(): Config {
    return loadConfig(this.env);
  }

  #timeoutMs(): number {
    return this.#config().PRESENCE_TIMEOUT_SECONDS * 1000;
  }
}

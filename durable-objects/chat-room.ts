import { DurableObject } from 'cloudflare:workers';
import { loadConfig, type Config } from '../shared/config.ts';
import { Logger, describeError, parseLogLevel } from '../shared/logger.ts';
import {
  FLOW_SUBPROTOCOL, PING_FRAME, PONG_FRAME, closeCodes, parseClientFrame, serverFrames,
  type ClientFrame, type ChatMessage,
} from '../shared/realtime/protocol.ts';
import { createStores, type MongoStore } from '../shared/stores/index.ts';
import { ArchiveScheduler } from './chat-room/archive-scheduler.ts';
import { RoomHistory, type HistoryPage } from './chat-room/history.ts';
import { readTrustedUpgrade } from './chat-room/upgrade.ts';
import { Members } from './chat-room/members.ts';
import { MessageLog } from './chat-room/message-log.ts';
import { RoomMeta, createChatRoomTables } from './chat-room/schema.ts';
import { newSocketState, spendToken, type SocketState } from './chat-room/socket-state.ts';
import { RoomSockets } from './chat-room/sockets.ts';
import { Typing } from './chat-room/typing.ts';

export type { HistoryPage } from './chat-room/history.ts';

export type RoomPresenceState = 'online' | 'away' | 'busy' | 'offline';

// Oversize frames tolerated (each answered with an error) before the socket is closed.
const OVERSIZE_TOLERANCE = 2;

/**
 * One chat room (event, crew, group or DM): a durable, gap-free message log in SQLite with
 * per-member cursors, typing, and write-behind to the MongoDB archive. Sockets use the
 * Hibernation API, so an idle room costs nothing; every state lives in SQLite or in attachments.
 * The Worker authenticates and checks membership before forwarding an upgrade here.
 */
export class ChatRoom extends DurableObject<Env> {
  readonly #meta: RoomMeta;
  readonly #log: MessageLog;
  readonly #members: Members;
  readonly #typing: Typing;
  readonly #sockets: RoomSockets;
  readonly #archive: ArchiveScheduler;
  readonly #history: RoomHistory;
  #knownRoomId: string | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    createChatRoomTables(sql);
    this.#meta = new RoomMeta(sql);
    this.#log = new MessageLog(sql, () => this.#roomId());
    this.#members = new Members(sql);
    this.#typing = new Typing(sql);
    this.#sockets = new RoomSockets(ctx, () => this.#config().WS_COALESCE_MS);
    this.#history = new RoomHistory(this.#log, () => this.#mongo(), () => this.#roomId());
    this.#archive = new ArchiveScheduler({
      storage: ctx.storage, meta: this.#meta, log: this.#log, typing: this.#typing,
      mongo: () => this.#mongo(), batchSize: () => this.#config().CHAT_ARCHIVE_BATCH,
    });
    // Heartbeats are answered by the runtime without waking a hibernating room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  /** WebSocket upgrades only, with the identity the Worker vouches for in trusted headers. */
  override async fetch(request: Request): Promise<Response> {
    const upgrade = readTrustedUpgrade(request);
    if (!upgrade.ok) return new Response(upgrade.message, { status: upgrade.status });
    const { userId, username, roomId, since, subprotocol } = upgrade;
    const knownRoom = this.#meta.get('room_id');
    if (knownRoom === null) this.#meta.set('room_id', roomId);
    else if (knownRoom !== roomId) return new Response('Room id does not match this room', { status: 400 });

    const { 0: client, 1: server } = new WebSocketPair();
    const state = newSocketState(userId, username, this.#config().WS_MESSAGES_PER_10S, Date.now());
    this.#sockets.accept(server, state);
    if (this.#members.wasRemoved(userId)) {
      // Removed here while the caller's check raced the removal: refuse with the documented code.
      this.#sockets.close(server, closeCodes.notMember, 'Not a member of this room');
    } else {
      this.#members.activate(userId);
      if (since !== undefined) await this.#join(server, state, since);
    }
    const headers = subprotocol ? { 'Sec-WebSocket-Protocol': FLOW_SUBPROTOCOL } : undefined;
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    try {
      await this.#onMessage(ws, raw);
    } catch (error) {
      // Never let one frame take the room down: answer with an error frame and keep going.
      this.#logger().error('chat frame failed', { roomId: this.#roomId(), ...describeError(error) });
      this.#sockets.send(ws, serverFrames.error({ code: 'internal', message: 'The frame could not be handled' }));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.#closed(ws);
    // 1005/1006 are not allowed as outgoing codes; answer those with a normal close.
    this.#sockets.close(ws, code >= 3000 || code === 1000 ? code : closeCodes.normal, 'closed');
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#closed(ws);
  }

  /** Typing expiry and archive write-behind share the one alarm. */
  override async alarm(): Promise<void> {
    for (const userId of this.#typing.expire(Date.now())) {
      this.#sockets.broadcast(serverFrames.typing({ userId, active: false }), (state) => state.userId !== userId);
    }
    await this.#archive.run((error) => this.#logger().warn('chat archive failed', { roomId: this.#roomId(), ...describeError(error) }));
  }

  // ---------------------------------------------------------------- RPC
  /** Admits the user (again); their cursors survive a removal. */
  addMember(userId: string): void {
    this.#members.activate(userId);
  }

  /** Shuts the user out: their sockets close with 4403; their messages stay in the log. */
  removeMember(userId: string): void {
    this.#members.deactivate(userId);
    this.#stopTyping(userId);
    this.#sockets.closeUser(userId, closeCodes.notMember, 'Removed from this room');
  }

  /**
   * The user's account is being deleted: their messages are erased (each keeps its seq, so the
   * log stays gap-free, and loses its text and sender), their cursors go, their typing stops and
   * their sockets close; the others are told, with their new unread counts. The erased messages
   * go to the archive again, replacing what it had. Safe to repeat. Returns how many were erased.
   */
  eraseMember(userId: string): number {
    const erased = this.ctx.storage.transactionSync(() => {
      const count = this.#log.eraseSender(userId);
      this.#members.forget(userId);
      return count;
    });
    this.#stopTyping(userId);
    this.#sockets.closeUser(userId, closeCodes.unauthorized, 'Account deleted');
    if (erased > 0) {
      this.#archive.messageStored(Date.now());
      this.#sockets.broadcast(serverFrames.messagesErased(userId));
      // Counted for those connected, not for every member: a big event room has thousands.
      for (const memberId of this.#sockets.joinedUsers()) {
        const unread = serverFrames.unread(this.unreadCount(memberId));
        for (const ws of this.#sockets.ofUser(memberId)) this.#sockets.send(ws, unread);
      }
    }
    return erased;
  }

  /**
   * A history page for the HTTP route (the Worker checked membership in Postgres). Someone removed
   * here gets an empty page, so a removal racing the Worker's check leaks nothing.
   */
  async history(userId: string, options: { before?: number; limit: number }): Promise<HistoryPage> {
    if (this.#members.wasRemoved(userId)) return { messages: [], hasMore: false };
    return this.#history.page(options.before, Math.min(Math.max(1, Math.trunc(options.limit)), 100));
  }

  /** For the user's data export: their messages here that the archive does not have yet. */
  unarchivedMessagesOf(userId: string, limit: number): ChatMessage[] {
    return this.#log.unarchivedOf(userId, Math.min(Math.max(1, Math.trunc(limit)), 10_000));
  }

  /** Tells the room's joined sockets that a member's presence changed. */
  presenceChanged(userId: string, state: RoomPresenceState, lastSeenAt: string | null = null): void {
    this.#sockets.broadcast(serverFrames.presence({ userId, state, lastSeenAt }));
  }

  /** Unread messages of a member, for room lists. */
  unreadCount(userId: string): number {
    return this.#log.unreadFor(userId, this.#members.cursor(userId).readSeq);
  }

  // ---------------------------------------------------------------- frames
  async #onMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const state = this.#sockets.state(ws);
    if (!state) return this.#sockets.close(ws, closeCodes.serverError, 'Unknown socket');
    if (state.closing) return;
    const config = this.#config();
    const now = Date.now();
    const budget = spendToken(state, config.WS_MESSAGES_PER_10S, now);
    if (!budget.allowed) {
      state.closing = budget.abusive;
      this.#sockets.save(ws, state);
      this.#sockets.send(ws, serverFrames.error({ code: 'rate_limited', message: 'Too many frames; slow down', retryAfterMs: budget.retryAfterMs }));
      if (budget.abusive) this.#sockets.close(ws, closeCodes.rateLimitAbuse, 'Rate limit exceeded');
      return;
    }
    const parsed = parseClientFrame(raw, config.WS_MAX_FRAME_BYTES);
    if (!parsed.ok) {
      if (parsed.code === 'frame_too_big') state.oversize += 1;
      state.closing = state.oversize >= OVERSIZE_TOLERANCE;
      this.#sockets.save(ws, state);
      this.#sockets.send(ws, serverFrames.error({ code: parsed.code, message: parsed.message }));
      if (state.closing) this.#sockets.close(ws, closeCodes.frameTooBig, 'Frames too big');
      return;
    }
    this.#sockets.saveSpent(ws, state, config.WS_MESSAGES_PER_10S, now);
    await this.#dispatch(ws, state, parsed.frame);
  }

  async #dispatch(ws: WebSocket, state: SocketState, frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'ping':
        return this.#sockets.send(ws, serverFrames.pong());
      case 'room:join':
        return this.#join(ws, state, frame.since);
      case 'presence:set':
        return this.#sockets.send(ws, serverFrames.error({ code: 'unsupported', message: 'Presence is set on the presence socket' }));
    }
    if (!state.joined) return this.#sockets.send(ws, serverFrames.error({ code: 'not_joined', message: 'Send room:join first' }));
    switch (frame.type) {
      case 'room:leave':
        state.joined = false;
        this.#sockets.save(ws, state);
        return this.#stopTyping(state.userId);
      case 'message:send':
        return this.#sendMessage(ws, state, frame.clientMessageId, frame.text);
      case 'message:delivered':
      case 'message:read':
        return this.#moveCursor(ws, state, frame.type === 'message:read' ? 'read' : 'delivered', frame.seq);
      case 'typing:start':
        return this.#startTyping(state.userId);
      case 'typing:stop':
        return this.#stopTyping(state.userId);
      case 'history:get':
        return this.#sockets.send(ws, serverFrames.history(await this.#history.page(frame.before, frame.limit)));
    }
  }

  /** Sends room:joined, then every message after `since` in order, then the socket is live. */
  async #join(ws: WebSocket, state: SocketState, since: number | undefined): Promise<void> {
    // The archived part of a long gap is fetched first; from the synchronous part below on,
    // nothing can interleave, so no live message falls between the backlog and joining.
    const archived = since === undefined ? [] : await this.#history.archivedAfter(since);
    const cursor = archived.at(-1)?.seq ?? since ?? this.#log.lastSeq();
    const lastSeq = this.#log.lastSeq();
    this.#sockets.send(ws, serverFrames.roomJoined({ roomId: this.#roomId(), lastSeq, members: this.#members.active() }));
    for (const message of [...archived, ...this.#log.after(cursor, Number.MAX_SAFE_INTEGER)]) {
      this.#sockets.send(ws, serverFrames.messageReceived(message));
    }
    state.joined = true;
    this.#sockets.save(ws, state);
    this.#sockets.send(ws, serverFrames.unread(this.unreadCount(state.userId)));
  }

  #sendMessage(ws: WebSocket, state: SocketState, clientMessageId: string, text: string): void {
    // Stored (and the sender's read cursor moved) before anyone hears of it; the runtime holds
    // outgoing frames until the write is durable.
    const outcome = this.ctx.storage.transactionSync(() => {
      const appended = this.#log.append(state.userId, clientMessageId, text, Date.now());
      if (!appended.duplicate) this.#members.advance(state.userId, 'read', appended.message.seq);
      return appended;
    });
    const { message, duplicate } = outcome;
    this.#sockets.send(ws, serverFrames.messageAck({ clientMessageId, seq: message.seq, duplicate }));
    if (duplicate) return;
    this.#sockets.broadcast(serverFrames.messageReceived(message));
    this.#stopTyping(state.userId);
    this.#archive.messageStored(Date.now());
  }

  #moveCursor(ws: WebSocket, state: SocketState, kind: 'read' | 'delivered', seq: number): void {
    if (seq > this.#log.lastSeq()) {
      return this.#sockets.send(ws, serverFrames.error({ code: 'seq_out_of_range', message: `No message ${seq} in this room yet` }));
    }
    if (!this.#members.advance(state.userId, kind, seq)) return;
    const receipt = kind === 'read' ? serverFrames.receiptRead({ userId: state.userId, seq }) : serverFrames.receiptDelivered({ userId: state.userId, seq });
    this.#sockets.broadcast(receipt, (_, other) => other !== ws);
    if (kind === 'read') {
      const unread = serverFrames.unread(this.unreadCount(state.userId));
      for (const own of this.#sockets.ofUser(state.userId)) this.#sockets.send(own, unread);
    }
  }

  #startTyping(userId: string): void {
    const expiresAt = Date.now() + this.#config().TYPING_TTL_SECONDS * 1000;
    this.#typing.start(userId, expiresAt);
    this.#sockets.broadcast(serverFrames.typing({ userId, active: true, expiresAt: new Date(expiresAt).toISOString() }), (state) => state.userId !== userId);
    this.#archive.reschedule();
  }

  #stopTyping(userId: string): void {
    if (!this.#typing.stop(userId)) return;
    this.#sockets.broadcast(serverFrames.typing({ userId, active: false }), (state) => state.userId !== userId);
  }

  #closed(ws: WebSocket): void {
    const state = this.#sockets.state(ws);
    this.#sockets.forget(ws);
    if (!state) return;
    const stillHere = this.#sockets.ofUser(state.userId).some((other) => other !== ws && other.readyState === WebSocket.OPEN);
    if (!stillHere) this.#stopTyping(state.userId);
  }

  // The id arrives with the first upgrade and never changes; RPC-only rooms fall back to the object's name.
  #roomId(): string {
    this.#knownRoomId ??= this.#meta.get('room_id');
    return this.#knownRoomId ?? this.ctx.id.name ?? this.ctx.id.toString();
  }

  #config(): Config {
    return loadConfig(this.env);
  }

  #mongo(): MongoStore {
    return createStores({ config: this.#config(), env: this.env, region: 'default', waitUntil: (promise) => this.ctx.waitUntil(promise) }).mongo;
  }

  #logger(): Logger {
    return new Logger(parseLogLevel(this.env.LOG_LEVEL), { component: 'chat-room' });
  }
}

import { DurableObject } from 'cloudflare:workers';
import type { z } from 'zod';
import { isoNow } from '../shared/clock.ts';
import { loadConfig } from '../shared/config.ts';
import { closeCodes, notificationSchema, PING_FRAME, PONG_FRAME, serverFrames, type Notification } from '../shared/realtime/protocol.ts';
import { NotificationStore, type InboxItem } from './inbox/notification-store.ts';
import { admitFrame } from './user-sockets/admit.ts';
import { freshBudget, type FrameBudget } from './user-sockets/frame-budget.ts';
import { broadcastFrame, closeEvery, sendError, sendFrame } from './user-sockets/frames.ts';
import { trustedCaller, upgradeResponse } from './user-sockets/upgrade.ts';

const MAX_IDS = 100;

// Bad input is answered in the result rather than thrown: a thrown RPC error is also reported
// as an uncaught exception inside the object, which would drown real failures in the logs.
export interface DeliverResult {
  /** False when a notification with this id was already delivered or was refused. */
  stored: boolean;
  unread: number;
  /** Why the notification was refused (nothing stored, nothing pushed). */
  error?: string;
}

export interface MarkReadResult {
  marked: number;
  unread: number;
  error?: string;
}

const describeIssues = (error: z.ZodError) => error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
const idList = notificationSchema.shape.id.array().max(MAX_IDS);

/**
 * One per user (idFromName(userId)): the user's in-app notification channel. The notification
 * service calls `deliver`; the object keeps recent notifications and the unread count in SQLite and
 * pushes both to the user's open sockets. Nothing else of the user is reachable from here.
 */
export class Inbox extends DurableObject<Env> {
  readonly #store: NotificationStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new NotificationStore(ctx.storage.sql);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  /** Only WebSocket upgrades forwarded by the Worker with the trusted user header. */
  override async fetch(request: Request): Promise<Response> {
    const caller = trustedCaller(request, (userId) => this.env.INBOX.idFromName(userId).equals(this.ctx.id));
    if (!caller.ok) return caller.response;
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(freshBudget(loadConfig(this.env).WS_MESSAGES_PER_10S, Date.now()) satisfies FrameBudget);
    sendFrame(server, serverFrames.inboxUnread(this.#store.unreadCount()));
    return upgradeResponse(request, client);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const config = loadConfig(this.env);
    const now = Date.now();
    const stored = (ws.deserializeAttachment() as FrameBudget | null) ?? freshBudget(config.WS_MESSAGES_PER_10S, now);
    const { budget, frame } = admitFrame(ws, message, stored, config, now);
    ws.serializeAttachment(budget);
    if (!frame) return;
    if (frame.type !== 'inbox:read') return sendError(ws, 'unsupported', `${frame.type} is not used on the notification socket`);
    const { marked, unread } = await this.markRead(frame.ids);
    // Nothing changed: answer the asking socket only, so it can still reconcile its count.
    if (marked === 0) sendFrame(ws, serverFrames.inboxUnread(unread));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    closeEvery([ws], code === 1006 ? 1000 : code, 'Closed');
  }

  /** Stores a notification once (by id) and pushes it with the new unread count to the user's sockets. */
  async deliver(notification: Notification): Promise<DeliverResult> {
    const result = notificationSchema.safeParse(notification);
    if (!result.success) return { stored: false, unread: this.#store.unreadCount(), error: describeIssues(result.error) };
    const parsed = result.data;
    const stored = this.#store.add(parsed);
    const unread = this.#store.unreadCount();
    if (stored) {
      const sockets = this.ctx.getWebSockets();
      broadcastFrame(sockets, serverFrames.notificationNew(parsed));
      broadcastFrame(sockets, serverFrames.inboxUnread(unread));
    }
    return { stored, unread };
  }

  async unreadCount(): Promise<number> {
    return this.#store.unreadCount();
  }

  /** Marks notifications read; a change pushes the new count to every socket of the user. */
  async markRead(ids: readonly string[] | 'all'): Promise<MarkReadResult> {
    const wanted = ids === 'all' ? { success: true as const, data: 'all' as const } : idList.safeParse(ids);
    if (!wanted.success) return { marked: 0, unread: this.#store.unreadCount(), error: describeIssues(wanted.error) };
    const marked = this.#store.markRead(wanted.data, isoNow());
    const unread = this.#store.unreadCount();
    if (marked > 0) broadcastFrame(this.ctx.getWebSockets(), serverFrames.inboxUnread(unread));
    return { marked, unread };
  }

  /** Recent notifications, newest first, with when each was read. */
  async recent(limit = 50): Promise<InboxItem[]> {
    return this.#store.recent(Math.min(Math.max(1, Math.trunc(limit)), 100));
  }

  /** The user's account is being deleted: their sockets close and their notifications go. */
  async forget(): Promise<void> {
    closeEvery(this.ctx.getWebSockets(), closeCodes.unauthorized, 'Account deleted');
    this.#store.clear();
  }
}

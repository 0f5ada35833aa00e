import { freshBudget, type FrameBudget } from '../user-sockets/frame-budget.ts';

/** Per-socket state kept in the socket's attachment, so it survives hibernation. */
export interface PresenceAttachment {
  device: string;
  connectedAt: number;
  /** Last frame the object itself handled (auto-answered pings are not seen here). */
  lastFrameAt: number;
  budget: FrameBudget;
}

export const newAttachment = (device: string, frameLimit: number, now: number): PresenceAttachment => ({
  device, connectedAt: now, lastFrameAt: now, budget: freshBudget(frameLimit, now),
});

export function attachmentOf(ws: WebSocket): PresenceAttachment | null {
  const value = ws.deserializeAttachment() as PresenceAttachment | null;
  return value && typeof value.lastFrameAt === 'number' ? value : null;
}

/**
 * When the socket last showed signs of life: a frame the object handled, or a ping the runtime
 * answered on its own (heartbeats are auto-answered so they never wake a hibernating object).
 */
export function lastActivity(state: DurableObjectState, ws: WebSocket): number {
  const handled = attachmentOf(ws)?.lastFrameAt ?? 0;
  const autoAnswered = state.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
  return Math.max(handled, autoAnswered);
}

export const isOpen = (ws: WebSocket) => ws.readyState === WebSocket.OPEN;

export interface Sweep {
  live: WebSocket[];
  idle: WebSocket[];
  /** Latest activity among the idle sockets: when the user was last seen if nothing stays live. */
  lastIdleActivity: number;
  /** When the next live socket could go idle, or null if none is live. */
  nextDue: number | null;
}

/** Splits the open sockets into live ones and ones silent for at least `timeoutMs`. */
export function sweep(state: DurableObjectState, now: number, timeoutMs: number): Sweep {
  const result: Sweep = { live: [], idle: [], lastIdleActivity: 0, nextDue: null };
  for (const ws of state.getWebSockets().filter(isOpen)) {
    const activity = lastActivity(state, ws);
    if (now - activity >= timeoutMs) {
      result.idle.push(ws);
      result.lastIdleActivity = Math.max(result.lastIdleActivity, activity);
    } else {
      result.live.push(ws);
      result.nextDue = Math.min(result.nextDue ?? Number.POSITIVE_INFINITY, activity + timeoutMs);
    }
  }
  return result;
}

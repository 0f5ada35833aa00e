import { freshBudget, spendFrame, tokensAt, type FrameBudget } from '../user-sockets/frame-budget.ts';

/**
 * What a socket remembers across hibernation (kept small: attachments are limited to 2 KiB).
 * The identity comes from the Worker's trusted headers at upgrade, never from frames.
 */
export interface SocketState extends FrameBudget {
  userId: string;
  username: string;
  joined: boolean;
  /** Frames refused in a row for the budget, and oversize frames seen: repeated abuse closes the socket. */
  refusedInRow: number;
  oversize: number;
  /** Set when the room closed this socket: frames the client had already sent are ignored. */
  closing: boolean;
}

export function newSocketState(userId: string, username: string, budget: number, now: number): SocketState {
  return { userId, username, joined: false, ...freshBudget(budget, now), refusedInRow: 0, oversize: 0, closing: false };
}

export type BudgetVerdict = { allowed: true } | { allowed: false; retryAfterMs: number; abusive: boolean };

/**
 * Spends one token of the socket's frame budget (the bucket every realtime socket uses).
 * Abusive = as many frames refused in a row as the whole budget.
 */
export function spendToken(state: SocketState, budget: number, now: number): BudgetVerdict {
  const spent = spendFrame(state, budget, now);
  state.tokens = spent.budget.tokens;
  state.refilledAt = spent.budget.refilledAt;
  if (spent.allowed) {
    state.refusedInRow = 0;
    return { allowed: true };
  }
  state.refusedInRow += 1;
  return { allowed: false, retryAfterMs: spent.retryAfterMs, abusive: state.refusedInRow >= budget };
}

// The stored copy of a bucket is kept this share of the budget (one second of refill) below the
// live one, so it needs rewriting about once a second of steady sending, not on every frame.
const STORED_RESERVE = 0.1;

/** The copy of a state its attachment holds: the bucket held `STORED_RESERVE` below the live one. */
export function storedCopy(state: SocketState, budget: number): SocketState {
  return { ...state, tokens: state.tokens - budget * STORED_RESERVE };
}

/**
 * True when the attachment must be rewritten: a state restored from `stored` after hibernation
 * would allow more frames than the live state does now, or would differ in anything else.
 * Checked after every spend, this keeps a restored bucket never more permissive than the live one.
 */
export function storedIsBehind(stored: SocketState, live: SocketState, budget: number, now: number): boolean {
  if (stored.joined !== live.joined || stored.refusedInRow !== live.refusedInRow || stored.oversize !== live.oversize || stored.closing !== live.closing) return true;
  return tokensAt(stored, budget, now) > live.tokens;
}

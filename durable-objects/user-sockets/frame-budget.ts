/**
 * A socket's send budget, shared by every realtime socket: a token bucket holding `limit` frames
 * that refills evenly over ten seconds, kept in the socket's attachment. Unlike a fixed window it
 * never lets a client spend two windows' worth across a window boundary.
 */
export interface FrameBudget {
  tokens: number;
  refilledAt: number;
}

const WINDOW_MS = 10_000;

export const freshBudget = (limit: number, now: number): FrameBudget => ({ tokens: limit, refilledAt: now });

/** The tokens the bucket holds at `now`. A budget stored in an older shape counts as full. */
export function tokensAt(budget: FrameBudget, limit: number, now: number): number {
  if (!Number.isFinite(budget.tokens) || !Number.isFinite(budget.refilledAt)) return limit;
  return Math.min(limit, budget.tokens + Math.max(0, now - budget.refilledAt) * (limit / WINDOW_MS));
}

/** Spends one frame; when none is left, says how long until one is. */
export function spendFrame(budget: FrameBudget, limit: number, now: number): { budget: FrameBudget; allowed: boolean; retryAfterMs: number } {
  const tokens = tokensAt(budget, limit, now);
  if (tokens >= 1) return { budget: { tokens: tokens - 1, refilledAt: now }, allowed: true, retryAfterMs: 0 };
  return { budget: { tokens, refilledAt: now }, allowed: false, retryAfterMs: Math.ceil((1 - tokens) / (limit / WINDOW_MS)) };
}

/** A socket's send budget: at most `limit` frames in each 10 s window, kept in its attachment. */
export interface FrameBudget {
  windowStartedAt: number;
  used: number;
}

const WINDOW_MS = 10_000;

export const freshBudget = (now: number): FrameBudget => ({ windowStartedAt: now, used: 0 });

/**
 * Spends one frame of the budget. A fixed window is enough here: the limit protects the object
 * from a flooding client, it is not a fairness guarantee between clients.
 */
export function spendFrame(budget: FrameBudget, limit: number, now: number): { budget: FrameBudget; allowed: boolean; retryAfterMs: number } {
  const current = now - budget.windowStartedAt >= WINDOW_MS ? freshBudget(now) : budget;
  if (current.used >= limit) {
    return { budget: current, allowed: false, retryAfterMs: Math.max(0, current.windowStartedAt + WINDOW_MS - now) };
  }
  return { budget: { ...current, used: current.used + 1 }, allowed: true, retryAfterMs: 0 };
}

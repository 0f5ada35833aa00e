import { describe, expect, it } from 'vitest';
import { freshBudget, spendFrame, type FrameBudget } from '../../../durable-objects/user-sockets/frame-budget.ts';

/** Spends `count` frames at `now`; returns how many were allowed and the budget after. */
function spend(budget: FrameBudget, limit: number, now: number, count: number) {
  let allowed = 0;
  for (let i = 0; i < count; i++) {
    const spent = spendFrame(budget, limit, now);
    budget = spent.budget;
    if (spent.allowed) allowed++;
  }
  return { allowed, budget };
}

describe('frame budget (token bucket shared by every realtime socket)', () => {
  it('allows the whole budget at once, then refuses with the wait for the next token', () => {
    const limit = 20;
    const { allowed, budget } = spend(freshBudget(limit, 0), limit, 0, 25);
    expect(allowed).toBe(20);
    expect(spendFrame(budget, limit, 0)).toMatchObject({ allowed: false, retryAfterMs: 500 });
    expect(spendFrame(budget, limit, 500).allowed).toBe(true);
  });

  it('never allows two budgets across what would be a fixed window boundary', () => {
    const limit = 20;
    const late = spend(freshBudget(limit, 0), limit, 9_999, 25);
    const after = spend(late.budget, limit, 10_001, 20);
    // The whole budget at the end of the first ten seconds; right after, only what refilled since (none whole).
    expect(late.allowed).toBe(20);
    expect(after.allowed).toBe(0);
    expect(spend(after.budget, limit, 20_001, 30).allowed).toBe(20);
  });

  it('treats a budget stored in an older shape as full rather than refusing forever', () => {
    const old = { windowStartedAt: 0, used: 20 } as unknown as FrameBudget;
    expect(spend(old, 20, 1_000, 25).allowed).toBe(20);
  });
});

/** Bounded so a frame that never comes fails the test instead of hanging it; never asserted on. */
const GRACE_MS = 10_000;

/**
 * Lets a test wait for a condition on frames that arrive asynchronously: whoever receives a frame
 * (or a close) calls notify(); until() re-checks its condition then, and at least every 250 ms.
 */
export class Waiter {
  #wake: (() => void)[] = [];

  notify(): void {
    const waiting = this.#wake;
    this.#wake = [];
    for (const wake of waiting) wake();
  }

  /** Resolves once `ready()` holds; throws `describeFailure()` after the grace period. */
  async until(ready: () => boolean, describeFailure: () => string, graceMs = GRACE_MS): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(describeFailure());
      await new Promise<void>((resolve) => {
        this.#wake.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }
}

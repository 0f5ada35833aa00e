/**
 * Circuit breaker: after `failureThreshold` consecutive failures the circuit opens and calls
 * fail fast for `cooldownMs`; then one trial call is let through (half-open) and its outcome
 * closes or re-opens the circuit.
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  #consecutiveFailures = 0;
  #openedAt: number | null = null;
  #trialInFlight = false;

  constructor(failureThreshold: number, cooldownMs: number) {
    this.failureThreshold = failureThreshold;
    this.cooldownMs = cooldownMs;
  }

  get state(): 'closed' | 'open' | 'half_open' {
    if (this.#openedAt === null) return 'closed';
    return Date.now() - this.#openedAt >= this.cooldownMs ? 'half_open' : 'open';
  }

  /** Whether a call may proceed now; in half-open state only one trial at a time may. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#trialInFlight) return false;
    this.#trialInFlight = true;
    return true;
  }

  /** Milliseconds until the next trial call is allowed (0 when closed). */
  retryAfterMs(): number {
    if (this.#openedAt === null) return 0;
    return Math.max(0, this.cooldownMs - (Date.now() - this.#openedAt));
  }

  /** Ends a call that told nothing about the store (e.g. the caller ran out of time). */
  release(): void {
    this.#trialInFlight = false;
  }

  recordSuccess(): void {
    this.#consecutiveFailures = 0;
    this.#openedAt = null;
    this.#trialInFlight = false;
  }

  recordFailure(): void {
    this.#consecutiveFailures += 1;
    if (this.#trialInFlight || this.#consecutiveFailures >= this.failureThreshold) {
      this.#openedAt = Date.now();
    }
    this.#trialInFlight = false;
  }
}

import { AppError, StoreUnavailableError } from '../errors.ts';
import { CircuitBreaker } from './breaker.ts';

export type StoreName = 'postgres' | 'mongo' | 'redis';

export interface GuardSettings {
  timeoutMs: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  /** The caller's deadline (epoch ms): a call gets at most the time left, and none once it passed. */
  deadline?: number;
}

export interface GuardedCall {
  /** Extra attempts after an outage-type failure; only for idempotent operations. */
  retries?: number;
  /** Readiness probes skip the open-circuit fast path so they can notice recovery. */
  probe?: boolean;
}

class TimeoutError extends Error {
  constructor(store: StoreName, ms: number) {
    super(`${store} did not answer within ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

// Breakers are per isolate: they describe what this isolate has seen of each store.
const breakers = new Map<string, CircuitBreaker>();

function breakerFor(store: StoreName, settings: GuardSettings): CircuitBreaker {
  const key = `${store}:${settings.breakerFailures}:${settings.breakerCooldownMs}`;
  let breaker = breakers.get(key);
  if (!breaker) {
    breaker = new CircuitBreaker(settings.breakerFailures, settings.breakerCooldownMs);
    breakers.set(key, breaker);
  }
  return breaker;
}

async function withTimeout<T>(store: StoreName, ms: number, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(store, ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([operation(controller.signal), expired]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * Runs one store operation with a timeout, the store's circuit breaker and optional retries.
 * Outage-type failures (as told by `isOutage`) and timeouts become StoreUnavailableError (503);
 * any other error (a constraint violation, a bad command) is the store answering, and is rethrown.
 */
export async function guardStoreCall<T>(
  store: StoreName,
  settings: GuardSettings,
  isOutage: (error: unknown) => boolean,
  operation: (signal: AbortSignal) => Promise<T>,
  call: GuardedCall = {},
): Promise<T> {
  const breaker = breakerFor(store, settings);
  const attempts = 1 + (call.retries ?? 0);
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const remainingMs = settings.deadline === undefined ? Infinity : settings.deadline - Date.now();
    if (remainingMs <= 0) throw requestOutOfTime();
    if (!call.probe && !breaker.tryAcquire()) {
      throw new StoreUnavailableError(store, breaker.retryAfterMs() / 1000, lastError);
    }
    const boundByDeadline = remainingMs < settings.timeoutMs;
    try {
      const result = await withTimeout(store, Math.min(settings.timeoutMs, remainingMs), operation);
      breaker.recordSuccess();
      return result;
    } catch (error) {
      if (!(error instanceof TimeoutError) && !isOutage(error)) {
        breaker.recordSuccess();
        throw error;
      }
      // The request ran out of time, which says nothing about the store's health.
      if (error instanceof TimeoutError && boundByDeadline) {
        breaker.release();
        throw requestOutOfTime();
      }
      breaker.recordFailure();
      lastError = error;
      if (attempt + 1 < attempts) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
  throw new StoreUnavailableError(store, Math.max(1, breaker.retryAfterMs() / 1000), lastError);
}

function requestOutOfTime(): AppError {
  return new AppError('timeout', 'The request ran out of time waiting for a store.');
}

/** Network-level failures that mean "the store could not be reached". */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const text = `${error.name} ${error.message}`;
  return /AbortError|TimeoutError|network|fetch failed|internal error; reference|ECONNREFUSED|ECONNRESET|connection (lost|refused|closed|terminated)|socket|Error connecting/i.test(text);
}

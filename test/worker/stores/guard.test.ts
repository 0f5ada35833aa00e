import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../shared/errors.ts';
import { CircuitBreaker } from '../../../shared/stores/breaker.ts';
import { guardStoreCall } from '../../../shared/stores/guard.ts';

const outage = () => Promise.reject(new Error('fetch failed: connection refused'));
const isOutage = (error: unknown) => error instanceof Error && /refused/.test(error.message);

describe('circuit breaker', () => {
  it('opens after the threshold, lets one trial through after the cooldown, and closes on success', async () => {
    const breaker = new CircuitBreaker(3, 200);
    for (let failure = 0; failure < 3; failure += 1) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.recordFailure();
    }
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryAfterMs()).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 220));
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false); // only one trial at a time
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
  });

  it('re-opens when the half-open trial fails', async () => {
    const breaker = new CircuitBreaker(1, 100);
    breaker.recordFailure();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
  });
});

describe('store guard', () => {
  const settings = (name: string) => ({ timeoutMs: 100, breakerFailures: 2, breakerCooldownMs: 60_000 + name.length });

  it('turns outages and timeouts into 503 StoreUnavailableError with Retry-After', async () => {
    const error = await guardStoreCall('redis', settings('a'), isOutage, outage).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).status).toBe(503);
    expect((error as StoreUnavailableError).headers['Retry-After']).toMatch(/^\d+$/);
    const slow = () => new Promise<never>(() => {});
    await expect(guardStoreCall('redis', settings('bb'), isOutage, slow)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('fails fast once the circuit is open, without calling the store', async () => {
    let calls = 0;
    const counted = () => {
      calls += 1;
      return outage();
    };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await guardStoreCall('mongo', settings('ccc'), isOutage, counted).catch(() => {});
    }
    expect(calls).toBe(2);
  });

  it('rethrows errors that are the store answering, and does not count them', async () => {
    let calls = 0;
    const refusal = () => {
      calls += 1;
      return Promise.reject(new Error('duplicate key'));
    };
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await expect(guardStoreCall('postgres', settings('dddd'), isOutage, refusal)).rejects.toThrow('duplicate key');
    }
    expect(calls).toBe(4);
  });

  it('retries idempotent calls and succeeds when the store comes back', async () => {
    let calls = 0;
    const flaky = () => (++calls < 3 ? outage() : Promise.resolve('ok'));
    await expect(guardStoreCall('postgres', { timeoutMs: 100, breakerFailures: 5, breakerCooldownMs: 60_001 }, isOutage, flaky, { retries: 2 })).resolves.toBe('ok');
    expect(calls).toBe(3);
  });
});

describe('request deadline', () => {
  const settings = (deadline: number) => ({ timeoutMs: 1_000, breakerFailures: 1, breakerCooldownMs: 60_002, deadline });

  it('answers 504 without calling the store once the deadline has passed', async () => {
    let calls = 0;
    const counted = () => {
      calls += 1;
      return Promise.resolve('ok');
    };
    const error = await guardStoreCall('redis', settings(Date.now() - 1), isOutage, counted).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'timeout', status: 504 });
    expect(calls).toBe(0);
  });

  it('gives a call only the time left, and a deadline timeout does not count against the store', async () => {
    const slow = () => new Promise<never>(() => {});
    const error = await guardStoreCall('redis', settings(Date.now() + 50), isOutage, slow).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'timeout', status: 504 });
    // breakerFailures is 1: had the timeout been counted, this call would fail fast with 503.
    await expect(guardStoreCall('redis', settings(Date.now() + 1_000), isOutage, () => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});

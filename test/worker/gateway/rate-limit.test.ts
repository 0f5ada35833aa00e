import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { createMiddleware } from 'hono/factory';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError } from '../../../shared/errors.ts';
import type { AppEnv } from '../../../shared/http/app-env.ts';
import { requestContext } from '../../../shared/http/context.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { edge } from '../../../shared/http/edge.ts';
import { handleError } from '../../../shared/http/errors-handler.ts';
import {
  byClientIp, clientIp, consumeRateLimit, GLOBAL_RULE, ipRateLimitKey, LOGIN_RULES, rateLimit, rateLimitHeaders,
  type RateLimitOptions, type RateLimitRule,
} from '../../../shared/http/rate-limit.ts';
import { createRedis, type RedisStore } from '../../../shared/stores/redis.ts';
import { ORIGIN, expectProblem } from '../../support/http.ts';
import { testStores } from '../../support/stores.ts';

const { redis } = testStores();
const unique = () => crypto.randomUUID();
const HOUR = 3_600;

/** A rule of its own per test, so tests never share counters. */
const rule = (overrides: Partial<RateLimitRule> = {}): RateLimitRule =>
  ({ name: `test-${unique()}`, limit: 5, windowSeconds: HOUR, failure: 'closed', ...overrides });

// Counts are kept per fixed window (the previous one weighs in, decaying): a test that counts
// must not straddle a boundary, so it starts in a window with enough time left (with hour-long
// windows this practically never waits).
async function freshWindow(windowSeconds: number, neededMs = 2_000): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < neededMs) await new Promise((resolve) => setTimeout(resolve, left + 20));
}

const consumeInOrder = async (limit: RateLimitRule, key: string, times: number) => {
  const decisions = [];
  for (let i = 0; i < times; i += 1) decisions.push(await consumeRateLimit(redis, limit, key));
  return decisions;
};

// Distinct breaker settings: breakers are per isolate and keyed by their settings, so this
// store's failures never open the breaker of the shared Redis that other tests use.
const unreachableRedis = (): RedisStore =>
  createRedis({ url: 'http://127.0.0.1:9', token: 'unused', timeoutMs: 500, breakerFailures: 1_000, breakerCooldownMs: 1_111 });

const useRedis = (store: RedisStore) => createMiddleware<AppEnv>(async (c, next) => {
  const stores = c.var.stores;
  c.set('stores', { get postgres() { return stores.postgres; }, get mongo() { return stores.mongo; }, redis: store });
  await next();
});

/** A gateway-shaped app with one limited route (text, so headers come from the edge's decoration). */
function limitedApp(limits: RateLimitOptions[], store?: RedisStore) {
  const app = createServiceApp();
  app.use(edge);
  app.use(requestContext);
  if (store) app.use(useRedis(store));
  for (const limit of limits) app.use('/limited', rateLimit(limit));
  app.get('/limited', (c) => c.text('ok'));
  app.onError(handleError);
  return app;
}

async function send(app: ReturnType<typeof limitedApp>, headers: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`${ORIGIN}/limited`, { headers }), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

beforeEach(() => freshWindow(HOUR));

const fromIp = (ip: string) => ({ 'cf-connecting-ip': ip });
const byHeader = () => 'one-client';

describe('counting', () => {
  it('allows up to the limit, then refuses, with the remaining count going down', async () => {
    const decisions = await consumeInOrder(rule({ limit: 3 }), unique(), 5);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
    expect(decisions.every((d) => d.limit === 3 && d.resetSeconds >= 1)).toBe(true);
    // Allowed: until the window ends. Refused: until a retry fits, reaching into the next window.
    expect(decisions.filter((d) => d.allowed).every((d) => d.resetSeconds <= HOUR)).toBe(true);
    expect(decisions.filter((d) => !d.allowed).every((d) => d.resetSeconds > HOUR / 2 && d.resetSeconds <= 2 * HOUR)).toBe(true);
  });

  it('counts a cost of several units', async () => {
    const limit = rule({ limit: 5 });
    const key = unique();
    expect(await consumeRateLimit(redis, limit, key, 2)).toMatchObject({ allowed: true, remaining: 3 });
    expect(await consumeRateLimit(redis, limit, key, 3)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await consumeRateLimit(redis, limit, key, 1)).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('gives exactly `limit` of 40 concurrent requests a pass, each with its own count', async () => {
    const limit = rule({ limit: 10 });
    const key = unique();
    const decisions = await Promise.all(Array.from({ length: 40 }, () => consumeRateLimit(redis, limit, key)));
    const allowed = decisions.filter((d) => d.allowed);
    expect(allowed).toHaveLength(10);
    expect(allowed.map((d) => d.remaining).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps rules and keys apart', async () => {
    const first = rule({ limit: 1 });
    const second = rule({ limit: 1 });
    const key = unique();
    expect((await consumeRateLimit(redis, first, key)).allowed).toBe(true);
    expect((await consumeRateLimit(redis, first, key)).allowed).toBe(false);
    expect((await consumeRateLimit(redis, second, key)).allowed).toBe(true);
    expect((await consumeRateLimit(redis, first, unique())).allowed).toBe(true);
  });

  it('stores the counter under rl:<rule>:<key>:<window>, expiring after the next window (where it still weighs)', async () => {
    const limit = rule();
    const key = unique();
    await consumeRateLimit(redis, limit, key, 2);
    const name = `rl:${limit.name}:${key}:${Math.floor(Date.now() / (HOUR * 1000))}`;
    expect(await redis.run((client) => client.get<number>(name))).toBe(2);
    const ttl = await redis.run((client) => client.pttl(name));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeGreaterThan(HOUR * 1000);
    expect(ttl).toBeLessThanOrEqual(2 * HOUR * 1000 + 1_000);
  });

  it('starts over once the window has passed', async () => {
    const limit = rule({ limit: 2, windowSeconds: 1 });
    const key = unique();
    await freshWindow(1, 500);
    const decisions = await consumeInOrder(limit, key, 3);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    await new Promise((resolve) => setTimeout(resolve, decisions[2]!.resetSeconds * 1000 + 50));
    expect(await consumeRateLimit(redis, limit, key)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('gives a burst across a window boundary the limit, not twice it', async () => {
    const limit = rule({ limit: 4, windowSeconds: 2 });
    const key = unique();
    const windowMs = 2_000;
    const untilLate = windowMs - 250 - (Date.now() % windowMs);
    if (untilLate > 0) await new Promise((resolve) => setTimeout(resolve, untilLate)); // the last 250 ms of a window
    const before = await consumeInOrder(limit, key, 4);
    expect(before.every((decision) => decision.allowed)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, windowMs - (Date.now() % windowMs) + 20)); // just past the boundary
    const after = await consumeInOrder(limit, key, 4);
    // Fixed windows would let all four through; the previous window still weighs almost fully.
    expect(after.filter((decision) => decision.allowed).length).toBeLessThan(4);
    const refusal = after.find((decision) => !decision.allowed)!;
    await new Promise((resolve) => setTimeout(resolve, refusal.resetSeconds * 1_000 + 50));
    expect((await consumeRateLimit(redis, limit, key)).allowed).toBe(true); // Retry-After was long enough
  });

  it('refuses a rule that cannot count', async () => {
    await expect(consumeRateLimit(redis, rule({ windowSeconds: 0 }), unique())).rejects.toMatchObject({ code: 'misconfigured' });
    await expect(consumeRateLimit(redis, rule(), unique(), 0)).rejects.toMatchObject({ code: 'misconfigured' });
  });
});

describe('headers', () => {
  it('describes an allowed request: limit, remaining, reset and policy, no Retry-After', () => {
    const limit = rule({ limit: 100, windowSeconds: 900 });
    const headers = rateLimitHeaders(limit, { allowed: true, limit: 100, remaining: 37, resetSeconds: 412, delayMs: 0 });
    expect(headers).toEqual({ 'RateLimit-Limit': '100', 'RateLimit-Remaining': '37', 'RateLimit-Reset': '412', 'RateLimit-Policy': '100;w=900' });
  });

  it('adds Retry-After (the seconds to the reset) to a refusal', () => {
    const limit = rule({ limit: 5, windowSeconds: 2 });
    const headers = rateLimitHeaders(limit, { allowed: false, limit: 5, remaining: 0, resetSeconds: 2, delayMs: 0 });
    expect(headers).toMatchObject({ 'RateLimit-Remaining': '0', 'RateLimit-Reset': '2', 'RateLimit-Policy': '5;w=2', 'Retry-After': '2' });
  });
});

describe('slow-down', () => {
  it('adds a step of delay per request past delayAfter, up to the maximum, and none on refusal', async () => {
    const limit = rule({ limit: 8, delayAfter: 3, delayStepMs: 100, maxDelayMs: 250 });
    const decisions = await consumeInOrder(limit, unique(), 9);
    expect(decisions.map((d) => d.delayMs)).toEqual([0, 0, 0, 100, 200, 250, 250, 250, 0]);
    expect(decisions.at(-1)?.allowed).toBe(false);
  });

  it('follows the seed for the global rule: free to 50, +500 ms each after, at most 20 s, refused past 100', async () => {
    const key = unique();
    const consume = (cost = 1) => consumeRateLimit(redis, GLOBAL_RULE, key, cost);
    expect((await consume(50)).delayMs).toBe(0); // requests 1 to 50
    expect((await consume()).delayMs).toBe(500); // 51
    expect((await consume()).delayMs).toBe(1_000); // 52
    expect((await consume(37)).delayMs).toBe(19_500); // 89
    expect((await consume()).delayMs).toBe(20_000); // 90
    expect((await consume()).delayMs).toBe(20_000); // 91, capped
    expect(await consume(9)).toMatchObject({ allowed: true, remaining: 0, delayMs: 20_000 }); // 100
    expect(await consume()).toMatchObject({ allowed: false, delayMs: 0 }); // 101
  });
});

describe('client IP', () => {
  const request = (headers: Record<string, string>) => new Request(ORIGIN, { headers });

  it('reads IPv4 and IPv6 from CF-Connecting-IP, IPv6 in canonical form', () => {
    expect(clientIp(request(fromIp('203.0.113.7')))).toBe('203.0.113.7');
    expect(clientIp(request(fromIp('2001:DB8::1')))).toBe('2001:db8::1');
    expect(clientIp(request(fromIp('0:0:0:0:0:0:0:1')))).toBe('::1');
  });

  it('ignores X-Forwarded-For and X-Real-IP, which the client controls', () => {
    expect(clientIp(request({ 'x-forwarded-for': '198.51.100.1', 'x-real-ip': '198.51.100.2' }))).toBeNull();
    expect(clientIp(request({ ...fromIp('203.0.113.7'), 'x-forwarded-for': '198.51.100.1' }))).toBe('203.0.113.7');
  });

  it('rejects anything that is not one address', () => {
    for (const value of ['garbage', '999.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4, 5.6.7.8', '::1]/x', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', ':::']) {
      expect(clientIp(request(fromIp(value))), value).toBeNull();
    }
  });

  it('counts IPv6 by /64 and IPv4 (mapped or not) by address', () => {
    expect(ipRateLimitKey('203.0.113.7')).toBe('203.0.113.7');
    expect(ipRateLimitKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(ipRateLimitKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipRateLimitKey('::1')).toBe('0:0:0:0::/64');
    expect(ipRateLimitKey('::ffff:cb00:7107')).toBe('::ffff:cb00:7107');
  });
});

describe('middleware', () => {
  it('puts RateLimit-* on allowed responses and answers 429 problem+json with Retry-After past the limit', async () => {
    const app = limitedApp([{ rule: rule({ limit: 2 }), key: byHeader }]);
    const first = await send(app);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('ok');
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect(first.headers.get('ratelimit-policy')).toBe(`2;w=${HOUR}`);
    expect(first.headers.get('retry-after')).toBeNull();
    expect((await send(app)).headers.get('ratelimit-remaining')).toBe('0');
    const refused = await send(app);
    const problem = await expectProblem(refused, 429);
    expect(problem.code).toBe('rate_limited');
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.headers.get('retry-after')).toBe(refused.headers.get('ratelimit-reset'));
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff'); // still a gateway response
  });

  it('answers 40 concurrent requests with exactly 10 passes and 30 refusals, no 5xx', async () => {
    const app = limitedApp([{ rule: rule({ limit: 10 }), key: byHeader }]);
    const statuses = (await Promise.all(Array.from({ length: 40 }, () => send(app)))).map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30);
  });

  it('holds slowed-down requests for the computed delay, never more than half the time left', async () => {
    const wait = vi.spyOn(scheduler, 'wait').mockResolvedValue(undefined); // the values are the point, not the waiting
    try {
      const app = limitedApp([{ rule: rule({ limit: 10, delayAfter: 1, delayStepMs: 40, maxDelayMs: 60 }), key: byHeader }]);
      for (let i = 0; i < 4; i += 1) expect((await send(app)).status).toBe(200);
      expect(wait.mock.calls.map(([ms]) => ms)).toEqual([40, 60, 60]);
      wait.mockClear();
      const patient = limitedApp([{ rule: rule({ limit: 10, delayAfter: 0, delayStepMs: 60_000, maxDelayMs: 60_000 }), key: byHeader }]);
      expect((await send(patient)).status).toBe(200);
      const [[ms]] = wait.mock.calls as [[number]];
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(15_000 / 2); // REQUEST_TIMEOUT_MS defaults to 15 s
    } finally {
      wait.mockRestore();
    }
  });

  it('takes the rule from a factory, e.g. limits read from configuration', async () => {
    const base = rule();
    const app = limitedApp([{ rule: (c) => ({ ...base, limit: c.var.config.BREAKER_FAILURES }), key: byHeader }]);
    expect((await send(app)).headers.get('ratelimit-limit')).toBe('3'); // BREAKER_FAILURES in the test project
  });

  it('skips requests whose key is null', async () => {
    const app = limitedApp([{ rule: rule({ limit: 1 }), key: () => null }]);
    for (let i = 0; i < 3; i += 1) {
      const response = await send(app);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBeNull();
    }
  });

  it('limits per client IP, one bucket per IPv6 /64, and skips requests without CF-Connecting-IP', async () => {
    const app = limitedApp([{ rule: rule({ limit: 1 }), key: byClientIp }]);
    expect((await send(app, fromIp('2001:db8:aaaa:1::1'))).status).toBe(200);
    expect((await send(app, fromIp('2001:db8:aaaa:1:ffff::2'))).status).toBe(429);
    expect((await send(app, fromIp('198.51.100.10'))).status).toBe(200);
    expect((await send(app, fromIp('198.51.100.11'))).status).toBe(200);
    expect((await send(app, { 'x-forwarded-for': '198.51.100.12' })).status).toBe(200);
  });

  it('shows the limit closest to refusing when several apply', async () => {
    const wide = { rule: rule({ limit: 100 }), key: byHeader };
    const narrow = { rule: rule({ limit: 3 }), key: byHeader };
    for (const order of [[wide, narrow], [narrow, wide]]) {
      const response = await send(limitedApp(order));
      expect(response.headers.get('ratelimit-limit')).toBe('3');
    }
  });
});

describe('Redis outage', () => {
  it('makes consumeRateLimit throw StoreUnavailableError rather than decide', async () => {
    const store = unreachableRedis();
    await expect(consumeRateLimit(store, LOGIN_RULES.perIp, unique())).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(consumeRateLimit(store, GLOBAL_RULE, unique())).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('lets requests through an open rule, without headers, and logs a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const app = limitedApp([{ rule: { ...GLOBAL_RULE, name: `test-${unique()}` }, key: byHeader }], unreachableRedis());
      const response = await send(app);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBeNull();
      expect(warn.mock.calls.some(([line]) => String(line).includes('rate limit not enforced'))).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });

  it('answers 503 with Retry-After through a closed rule (login)', async () => {
    for (const loginRule of [LOGIN_RULES.perIp, LOGIN_RULES.perAccount]) {
      const app = limitedApp([{ rule: loginRule, key: byHeader }], unreachableRedis());
      const response = await send(app);
      const problem = await expectProblem(response, 503);
      expect(problem.code).toBe('store_unavailable');
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    }
  });
});

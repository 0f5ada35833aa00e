import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError, StoreUnavailableError } from '../errors.ts';
import type { RedisStore } from '../stores/redis.ts';
import type { AppEnv } from './app-env.ts';

export { byClientIp, clientIp, ipRateLimitKey } from './rate-limit-ip.ts';

/** A limit on one kind of request, counted per key (an IP, an account) over a sliding window. */
export interface RateLimitRule {
  /** Part of the Redis key: unique per rule. */
  name: string;
  /** Requests (cost units) allowed per window. */
  limit: number;
  windowSeconds: number;
  /** Slow-down: requests past this many in the window wait `delayStepMs` more each... */
  delayAfter?: number;
  delayStepMs?: number;
  /** ...up to this long. */
  maxDelayMs?: number;
  /** What a Redis outage means: 'open' lets requests through, 'closed' answers 503. */
  failure: 'open' | 'closed';
}

/** The outcome of one counted request. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends; for a refusal, until a retry can pass. */
  resetSeconds: number;
  /** How long an allowed request should be held (slow-down); 0 when refused, refusals answer at once. */
  delayMs: number;
}

/**
 * The seed's general limit: 100 requests / 15 min per IP, slowed down from the 51st (+500 ms
 * each, at most 20 s). It fails open: it protects capacity, not secrets, and a Redis outage must
 * not take the whole API down with it (routes that need Redis still answer 503 on their own).
 */
export const GLOBAL_RULE: RateLimitRule = {
  name: 'global',
  limit: 100,
  windowSeconds: 900,
  delayAfter: 50,
  delayStepMs: 500,
  maxDelayMs: 20_000,
  failure: 'open',
};

/**
 * Login attempts, per IP and per account. They fail closed: with Redis down or stalled nothing
 * counts guesses, so refusing (503) is the only safe answer; the limit also runs before hashing.
 */
export const LOGIN_RULES: { perIp: RateLimitRule; perAccount: RateLimitRule } = {
  perIp: { name: 'login-ip', limit: 20, windowSeconds: 900, failure: 'closed' },
  perAccount: { name: 'login-account', limit: 10, windowSeconds: 900, failure: 'closed' },
};

// Keys outlive their window by this much, so an isolate whose clock is slightly behind still
// counts into the same key instead of starting a fresh one.
const CLOCK_SKEW_GRACE_MS = 1_000;
const COMMANDS_PER_LIMIT = 3;

function assertRule(rule: RateLimitRule, cost: number): void {
  const valid = Number.isInteger(rule.limit) && rule.limit >= 0
    && Number.isInteger(rule.windowSeconds) && rule.windowSeconds >= 1
    && Number.isInteger(cost) && cost >= 1;
  if (!valid) throw new AppError('misconfigured', `Rate limit rule ${rule.name} is invalid.`);
}

function slowDown(rule: RateLimitRule, count: number): number {
  const { delayAfter, delayStepMs = 0, maxDelayMs = Infinity } = rule;
  if (delayAfter === undefined || count <= delayAfter) return 0;
  return Math.min(maxDelayMs, (count - delayAfter) * delayStepMs);
}

/**
 * Counts `cost` against `key` under `rule` and decides, over a sliding window: the count of the
 * current fixed window (key `rl:<rule>:<key>:<window number>`, windows aligned to the epoch) plus
 * the previous window's count weighted by how much of it the sliding window still covers. A burst
 * across a window boundary therefore gets the limit, not twice it, in one round trip and no
 * scripts. Refused requests count too, so hammering keeps a key refused. Throws
 * StoreUnavailableError when Redis is down or slow, whatever the rule's `failure`: the caller
 * applies that policy.
 */
export async function consumeRateLimit(redis: RedisStore, rule: RateLimitRule, key: string, cost = 1): Promise<RateLimitDecision> {
  const [decision] = await consumeRateLimits(redis, [{ rule, key, cost }]);
  return decision!;
}

/**
 * Several limits counted in the same single round trip (e.g. a login's per-IP and per-account
 * limits): one MULTI/EXEC whatever their number, decisions in the order given.
 */
export async function consumeRateLimits(redis: RedisStore, entries: ReadonlyArray<{ rule: RateLimitRule; key: string; cost?: number }>): Promise<RateLimitDecision[]> {
  return (await consumeRateLimitsAndCheck(redis, entries, [])).decisions;
}

/**
 * Like consumeRateLimits, and in the same round trip tells which of `existsKeys` exist (e.g. a
 * session on the deny-list): one request to Redis instead of two on every authenticated call.
 */
export async function consumeRateLimitsAndCheck(redis: RedisStore, entries: ReadonlyArray<{ rule: RateLimitRule; key: string; cost?: number }>, existsKeys: readonly string[]): Promise<{ decisions: RateLimitDecision[]; exists: boolean[] }> {
  const now = Date.now();
  const counted = entries.map(({ rule, key, cost = 1 }) => {
    assertRule(rule, cost);
    const windowMs = rule.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    return { rule, cost, windowMs, msLeft: (window + 1) * windowMs - now, redisKey: windowKey(rule, key, window), previousKey: windowKey(rule, key, window - 1) };
  });
  // One MULTI/EXEC: each increment and its key's expiry are applied together or not at all, so
  // no key is left without a TTL. INCRBY is atomic in Redis, so concurrent requests each get a
  // distinct count. PEXPIRE NX sets the expiry once, on the window's first request; a key lives
  // through the next window too, where it is the previous one. No retries: INCRBY is not idempotent.
  const commands: Array<Array<string | number>> = [];
  // COMMANDS_PER_LIMIT per limit: its increment, its expiry, the previous window's count.
  for (const { redisKey, previousKey, cost, msLeft, windowMs } of counted) {
    commands.push(['incrby', redisKey, cost], ['pexpire', redisKey, msLeft + windowMs + CLOCK_SKEW_GRACE_MS, 'NX'], ['get', previousKey]);
  }
  for (const key of existsKeys) commands.push(['exists', key]);
  const replies = (await redis.multiExec(commands)) as Array<number | string | null>;
  const exists = existsKeys.map((_, index) => replies[counted.length * COMMANDS_PER_LIMIT + index] === 1);
  const decisions = counted.map(({ rule, msLeft, windowMs }, index) => {
    const current = Number(replies[index * COMMANDS_PER_LIMIT]);
    const previous = Number(replies[index * COMMANDS_PER_LIMIT + 2] ?? 0);
    const count = current + Math.floor((previous * msLeft) / windowMs);
    const allowed = count <= rule.limit;
    return {
      allowed,
      limit: rule.limit,
      remaining: Math.max(0, rule.limit - count),
      resetSeconds: Math.max(1, Math.ceil((allowed ? msLeft : msUntilRoom(rule.limit, current, previous, msLeft, windowMs)) / 1000)),
      delayMs: allowed ? slowDown(rule, count) : 0,
    };
  });
  return { decisions, exists };
}

const windowKey = (rule: RateLimitRule, key: string, window: number) => `rl:${rule.name}:${key}:${window}`;

/**
 * How long until one more request fits after a refusal. While this window's own count leaves room,
 * until the previous window's share has decayed enough; past that, into the next window, until
 * this window's count (then the previous one) has decayed enough.
 */
function msUntilRoom(limit: number, current: number, previous: number, msLeft: number, windowMs: number): number {
  const room = limit - current - 1; // for the next request, leaving the previous window's share aside
  if (room < 0) return msLeft + windowMs * (1 - Math.max(0, limit - 1) / current);
  return previous === 0 ? 0 : Math.max(0, msLeft - (windowMs * room) / previous);
}

/** Forgets what `key` has used of `rule` in the sliding window (e.g. after the owner proved who they are). */
export async function resetRateLimit(redis: RedisStore, rule: RateLimitRule, key: string): Promise<void> {
  const window = Math.floor(Date.now() / (rule.windowSeconds * 1000));
  await redis.run((client) => client.del(windowKey(rule, key, window), windowKey(rule, key, window - 1)));
}

/** The RateLimit-* headers of a decision (draft-ietf-httpapi-ratelimit-headers), and Retry-After on refusal. */
export function rateLimitHeaders(rule: RateLimitRule, decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': String(decision.resetSeconds),
    'RateLimit-Policy': `${rule.limit};w=${rule.windowSeconds}`,
  };
  if (!decision.allowed) headers['Retry-After'] = String(decision.resetSeconds);
  return headers;
}

// Retry-After is left to the 429 itself: on an allowed response it would tell clients to back off.
const SHOWN_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'] as const;

// The wait never takes more than half of the time the request has left, so a slowed-down
// request still has time to be served instead of running into its deadline (504).
async function holdBack(c: Context<AppEnv>, delayMs: number): Promise<void> {
  const deadline = c.get('deadline');
  const ms = deadline === undefined ? delayMs : Math.min(delayMs, Math.max(0, (deadline - Date.now()) / 2));
  if (ms <= 0) return;
  if (typeof scheduler !== 'undefined') await scheduler.wait(ms);
  else await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Applies a rule to the current request: counts, puts the RateLimit-* headers on every response
 * of the request, holds the request back for slow-down, and throws 429 (with Retry-After) over
 * the limit. On a Redis outage an 'open' rule logs a warning and allows (returning null, no
 * headers); a 'closed' rule throws the 503. For limits keyed by what only a handler knows (the
 * account of a login), call this from the handler; otherwise use `rateLimit`.
 */
export async function enforceRateLimit(c: Context<AppEnv>, rule: RateLimitRule, key: string, cost = 1): Promise<RateLimitDecision | null> {
  let decision: RateLimitDecision;
  try {
    decision = await consumeRateLimit(c.var.stores.redis, rule, key, cost);
  } catch (error) {
    if (rule.failure === 'closed' || !(error instanceof StoreUnavailableError)) throw error;
    c.var.log.warn('rate limit not enforced: Redis unavailable', { rule: rule.name, store: error.store });
    return null;
  }
  await applyRateLimitDecision(c, rule, decision);
  return decision;
}

/** Acts on a decision: RateLimit-* headers on the request's responses, 429 over the limit, slow-down wait. */
export async function applyRateLimitDecision(c: Context<AppEnv>, rule: RateLimitRule, decision: RateLimitDecision): Promise<void> {
  const headers = rateLimitHeaders(rule, decision);
  const shown = c.var.responseHeaders;
  // With several limits on one request, the headers describe the one closest to refusing.
  const shownRemaining = shown.values['RateLimit-Remaining'];
  if (shownRemaining === undefined || decision.remaining <= Number(shownRemaining)) {
    for (const name of SHOWN_HEADERS) shown.add(name, headers[name]!);
  }
  if (!decision.allowed) {
    throw new AppError('rate_limited', `Too many requests; try again in ${decision.resetSeconds} s.`, { headers });
  }
  await holdBack(c, decision.delayMs);
}

export interface RateLimitOptions {
  /** The rule, or a factory called per request (e.g. to read limits from `c.var.config`). */
  rule: RateLimitRule | ((c: Context<AppEnv>) => RateLimitRule);
  /** Whom to count; null skips the limit for this request. */
  key: (c: Context<AppEnv>) => string | null;
}

/** Middleware applying a rate limit rule to every request it sees (see `enforceRateLimit`). */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = options.key(c);
    if (key !== null) {
      const rule = typeof options.rule === 'function' ? options.rule(c) : options.rule;
      await enforceRateLimit(c, rule, key);
    }
    await next();
  });
}

import type { Config } from '../config.ts';
import { byClientIp, GLOBAL_RULE, LOGIN_RULES, rateLimit, type RateLimitRule } from './rate-limit.ts';

/** The general per-IP limit with its slow-down, from configuration (fails open). */
export function globalRule(config: Config): RateLimitRule {
  return {
    ...GLOBAL_RULE,
    limit: config.RATE_LIMIT_MAX,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    delayAfter: config.RATE_LIMIT_DELAY_AFTER,
    delayStepMs: config.RATE_LIMIT_DELAY_STEP_MS,
    maxDelayMs: config.RATE_LIMIT_MAX_DELAY_MS,
  };
}

/** Per authenticated user, on top of the per-IP limit (fails open like it). */
export function userRule(config: Config): RateLimitRule {
  return { name: 'user', limit: config.USER_RATE_LIMIT_MAX, windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS, failure: 'open' };
}

/** Login throttles per IP and per account (fail closed). */
export function loginRules(config: Config): typeof LOGIN_RULES {
  return {
    perIp: { ...LOGIN_RULES.perIp, limit: config.LOGIN_RATE_LIMIT_PER_IP },
    perAccount: { ...LOGIN_RULES.perAccount, limit: config.LOGIN_RATE_LIMIT_PER_ACCOUNT },
  };
}

/**
 * The gateway's per-IP limit for API routes. Calls with a bearer token are counted per user
 * instead (requireAuth); requests without CF-Connecting-IP are not counted.
 */
export const apiRateLimit = rateLimit({
  rule: (c) => globalRule(c.get('config')),
  key: (c) => (c.req.header('authorization')?.startsWith('Bearer ') ? null : byClientIp(c)),
});

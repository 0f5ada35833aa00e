import { Redis } from '@upstash/redis/cloudflare';
import { guardStoreCall, isNetworkFailure, type GuardedCall, type GuardSettings } from './guard.ts';

/** Redis port: every command goes through the store guard (timeout, breaker, 503 on outage). */
export interface RedisStore {
  run<T>(command: (redis: Redis) => Promise<T>, call?: GuardedCall): Promise<T>;
  ping(call?: GuardedCall): Promise<void>;
}

export interface RedisSettings extends GuardSettings {
  url: string;
  token: string;
}

// Replies that are Redis itself refusing a command; anything else means Upstash could not serve it.
const COMMAND_ERROR = /^(ERR|WRONGTYPE|NOSCRIPT|EXECABORT|NOPERM|BUSYKEY|NOTBUSY|NOAUTH|WRONGPASS)\b/;

function isRedisOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'UpstashError') return !COMMAND_ERROR.test(error.message);
  return error.name === 'UpstashJSONParseError' || isNetworkFailure(error);
}

/** Builds the Redis port for one request; the client is per request so no I/O crosses requests. */
export function createRedis(settings: RedisSettings): RedisStore {
  const client = new Redis({
    url: settings.url,
    token: settings.token,
    retry: false, // the guard decides what may be retried; INCR and friends must not be
    enableTelemetry: false,
    enableAutoPipelining: false,
    signal: () => AbortSignal.timeout(settings.timeoutMs),
  });
  const run = <T>(command: (redis: Redis) => Promise<T>, call?: GuardedCall) =>
    guardStoreCall('redis', settings, isRedisOutage, () => command(client), call);
  return {
    run,
    ping: async (call?: GuardedCall) => {
      await run((redis) => redis.ping(), call);
    },
  };
}

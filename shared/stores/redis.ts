import { Redis } from '@upstash/redis/cloudflare';
import { guardStoreCall, isNetworkFailure, type GuardedCall, type GuardSettings } from './guard.ts';

/** Redis port: every command goes through the store guard (timeout, breaker, 503 on outage). */
export interface RedisStore {
  run<T>(command: (redis: Redis) => Promise<T>, call?: GuardedCall): Promise<T>;
  ping(call?: GuardedCall): Promise<void>;
  /**
   * Runs `commands` as one MULTI/EXEC straight over the REST API and returns the raw replies in
   * order: for hot paths whose commands answer numbers, without the client's per-call setup.
   * Any command refused fails the whole call, as the client's `multi().exec()` does.
   */
  multiExec(commands: ReadonlyArray<ReadonlyArray<string | number>>, call?: GuardedCall): Promise<unknown[]>;
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

/** The error the client raises, so both paths look the same to `isRedisOutage` and callers. */
class UpstashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstashError';
  }
}

async function postMultiExec(settings: RedisSettings, commands: ReadonlyArray<ReadonlyArray<string | number>>, signal: AbortSignal): Promise<unknown[]> {
  const response = await fetch(`${settings.url.replace(/\/$/, '')}/multi-exec`, {
    method: 'POST',
    headers: { authorization: `Bearer ${settings.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(commands),
    signal,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw Object.assign(new Error(`Unable to parse response body: ${text.slice(0, 200)}`, { cause: error }), { name: 'UpstashJSONParseError' });
  }
  if (!response.ok) throw new UpstashError(`${(body as { error?: unknown }).error}, command was: ${JSON.stringify(commands)}`);
  if (!Array.isArray(body) || body.length !== commands.length) throw new UpstashError(`unexpected multi-exec reply: ${text.slice(0, 200)}`);
  return body.map((reply: { result?: unknown; error?: unknown }, index) => {
    if (reply.error) throw new UpstashError(`Command ${index + 1} [ ${commands[index]![0]} ] failed: ${reply.error}`);
    return reply.result;
  });
}

/** Builds the Redis port for one request; the client is per request so no I/O crosses requests. */
export function createRedis(settings: RedisSettings): RedisStore {
  // Built on first use: the hot paths only call multiExec.
  let client: Redis | undefined;
  const redis = () =>
    (client ??= new Redis({
      url: settings.url,
      token: settings.token,
      retry: false, // the guard decides what may be retried; INCR and friends must not be
      enableTelemetry: false,
      enableAutoPipelining: false,
      signal: () => AbortSignal.timeout(settings.timeoutMs),
    }));
  const run = <T>(command: (redis: Redis) => Promise<T>, call?: GuardedCall) =>
    guardStoreCall('redis', settings, isRedisOutage, () => command(redis()), call);
  return {
    run,
    ping: async (call?: GuardedCall) => {
      await run((client) => client.ping(), call);
    },
    multiExec: (commands, call) => guardStoreCall('redis', settings, isRedisOutage, (signal) => postMultiExec(settings, commands, signal), call),
  };
}

import { z } from 'zod';
import { AppError } from './errors.ts';

const integer = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const originList = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
  .pipe(z.array(z.url({ protocol: /^https?$/ })));

const configSchema = z.object({
  APP_ENV: z.enum(['development', 'test', 'staging', 'production']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  CORS_ORIGINS: originList,
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  NEON_LOCAL_PROXY: z.url({ protocol: /^https?$/ }).optional(),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL'),
  MONGODB_DB: z.string().min(1).default('flow'),
  UPSTASH_REDIS_REST_URL: z.url({ protocol: /^https?$/ }),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  REQUEST_TIMEOUT_MS: integer(15_000, 100),
  STORE_TIMEOUT_MS: integer(3_000, 50),
  BREAKER_FAILURES: integer(5, 1),
  BREAKER_COOLDOWN_MS: integer(60_000, 100),
  JSON_BODY_LIMIT_BYTES: integer(1_048_576, 1_024),
  BODY_LIMIT_BYTES: integer(10_485_760, 1_024),
  // Identity
  JWT_PRIVATE_KEYS: z.string().min(2),
  // 32 random bytes, base64: encrypts secrets at rest (TOTP) and keys HMACs of short codes.
  DATA_ENCRYPTION_KEY: z.base64().refine((value) => atob(value).length === 32, 'must be 32 bytes, base64'),
  ACCESS_TOKEN_TTL_SECONDS: integer(900, 30),
  REFRESH_TOKEN_TTL_SECONDS: integer(604_800, 60),
  REFRESH_REUSE_GRACE_SECONDS: integer(10, 0),
  LOGIN_MAX_FAILURES: integer(5, 1),
  LOCKOUT_SECONDS: integer(7_200, 1),
  // Rate limits (the seed's: 100 / 15 min per IP, slow-down from 50, +500 ms each, at most 20 s)
  RATE_LIMIT_MAX: integer(100, 1),
  RATE_LIMIT_WINDOW_SECONDS: integer(900, 1),
  RATE_LIMIT_DELAY_AFTER: integer(50, 0),
  RATE_LIMIT_DELAY_STEP_MS: integer(500, 0),
  RATE_LIMIT_MAX_DELAY_MS: integer(20_000, 0),
  USER_RATE_LIMIT_MAX: integer(1_000, 1),
  LOGIN_RATE_LIMIT_PER_IP: integer(20, 1),
  LOGIN_RATE_LIMIT_PER_ACCOUNT: integer(10, 1),
  // Email
  EMAIL_PROVIDER: z.enum(['sendgrid', 'capture']).default('capture'),
  SENDGRID_API_KEY: z.string().min(1).optional(),
  SENDGRID_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.sendgrid.com'),
  EMAIL_FROM: z.string().min(3).default('Flow <no-reply@flow.app>'),
  APP_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8787'),
  // Weather forecasts (Open-Meteo's public API; a local fake server in tests)
  WEATHER_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.open-meteo.com'),
  WEATHER_TIMEOUT_MS: integer(3_000, 100),
  // Ticketing: how long a waitlist offer holds its seats before it goes to the next in line.
  WAITLIST_OFFER_SECONDS: integer(86_400, 1),
  // Chat rooms: largest accepted frame, per-socket send budget, frame coalescing, typing expiry, archive batch size.
  WS_MAX_FRAME_BYTES: integer(16_384, 256),
  WS_MESSAGES_PER_10S: integer(20, 1),
  // Under load a room coalesces a socket's frames into one WebSocket message per this many ms (0: per event only).
  WS_COALESCE_MS: integer(5, 0),
  TYPING_TTL_SECONDS: integer(6, 1),
  CHAT_ARCHIVE_BATCH: integer(200, 1),
  // Realtime gateway: how long a WebSocket ticket (single use) may wait to be redeemed.
  WS_TICKET_TTL_SECONDS: integer(30, 5),
  // Presence: a socket silent this long (no frame, no auto-answered ping) is closed and may take the user offline.
  PRESENCE_TIMEOUT_SECONDS: integer(60, 5),
}).refine((config) => config.EMAIL_PROVIDER !== 'sendgrid' || config.SENDGRID_API_KEY, {
  path: ['SENDGRID_API_KEY'],
  message: 'required when EMAIL_PROVIDER is sendgrid',
});

const bindingsSchema = z.object({
  MONGO_POOL: z.custom<DurableObjectNamespace>((value) => typeof value === 'object' && value !== null),
  EVENT_BUS: z.custom<Queue>((value) => typeof value === 'object' && value !== null),
});

/** Typed, validated configuration derived once per isolate from the Worker's bindings. */
export type Config = z.infer<typeof configSchema>;

const parsed = new WeakMap<object, Config>();

/**
 * Validates the environment on first use and caches the result for the isolate's lifetime.
 * Fails with the names (never the values) of every missing or invalid setting.
 */
export function loadConfig(env: Env): Config {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = configSchema.safeParse(env);
  const bindings = bindingsSchema.safeParse(env);
  const issues = [...(result.error?.issues ?? []), ...(bindings.error?.issues ?? [])];
  if (!result.success || issues.length > 0) {
    const names = [...new Set(issues.map((issue) => String(issue.path[0])))].sort();
    throw new AppError('misconfigured', `Missing or invalid configuration: ${names.join(', ')}`, {
      extensions: { settings: names },
    });
  }
  parsed.set(env, result.data);
  return result.data;
}

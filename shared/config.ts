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

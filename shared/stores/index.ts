import type { Config } from '../config.ts';
import type { MongoPool } from '../../durable-objects/mongo-pool.ts';
import type { GuardSettings } from './guard.ts';
import { createMongo, type MongoStore } from './mongo.ts';
import { createPostgres, type Postgres } from './postgres.ts';
import { createRedis, type RedisStore } from './redis.ts';

export type { Postgres, PostgresTransaction } from './postgres.ts';
export type { MongoCollection, MongoStore } from './mongo.ts';
export type { RedisStore } from './redis.ts';
export type { StoreName } from './guard.ts';

/** The three stores, built lazily: a request that never touches Mongo never wakes its pool. */
export interface Stores {
  readonly postgres: Postgres;
  readonly mongo: MongoStore;
  readonly redis: RedisStore;
}

export interface StoreContext {
  config: Config;
  env: Env;
  /** Continent code of the caller (request.cf.continent) or 'local'. */
  region: string;
  waitUntil: (promise: Promise<unknown>) => void;
}

/** Builds the store adapters for one unit of work (a request, a queue batch, an alarm). */
export function createStores({ config, env, region, waitUntil }: StoreContext): Stores {
  const guard: GuardSettings = {
    timeoutMs: config.STORE_TIMEOUT_MS,
    breakerFailures: config.BREAKER_FAILURES,
    breakerCooldownMs: config.BREAKER_COOLDOWN_MS,
  };
  let postgres: Postgres | undefined;
  let mongo: MongoStore | undefined;
  let redis: RedisStore | undefined;
  return {
    get postgres() {
      postgres ??= createPostgres({ ...guard, databaseUrl: config.DATABASE_URL, localProxy: config.NEON_LOCAL_PROXY, waitUntil });
      return postgres;
    },
    get mongo() {
      mongo ??= createMongo({ ...guard, pool: env.MONGO_POOL as unknown as DurableObjectNamespace<MongoPool>, region });
      return mongo;
    },
    get redis() {
      redis ??= createRedis({ ...guard, url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN });
      return redis;
    },
  };
}

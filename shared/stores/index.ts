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
  /** Continent code of the caller (request.cf.continent), or 'default'; asked on first Mongo use. */
  region: string | (() => string);
  /** When the unit of work's time is up (epoch ms); no store call may outlast it. */
  deadline?: number;
  waitUntil: (promise: Promise<unknown>) => void;
}

/** Builds the store adapters for one unit of work (a request, a queue batch, an alarm). */
export function createStores(context: StoreContext): Stores {
  return new LazyStores(context);
}

// A class rather than closures: one small object per request, adapters built on first use.
class LazyStores implements Stores {
  readonly #context: StoreContext;
  readonly #guard: GuardSettings;
  #postgres: Postgres | undefined;
  #mongo: MongoStore | undefined;
  #redis: RedisStore | undefined;

  constructor(context: StoreContext) {
    this.#context = context;
    const { config, deadline } = context;
    this.#guard = { timeoutMs: config.STORE_TIMEOUT_MS, breakerFailures: config.BREAKER_FAILURES, breakerCooldownMs: config.BREAKER_COOLDOWN_MS, deadline };
  }

  get postgres(): Postgres {
    const { config, waitUntil } = this.#context;
    this.#postgres ??= createPostgres({ ...this.#guard, databaseUrl: config.DATABASE_URL, localProxy: config.NEON_LOCAL_PROXY, waitUntil });
    return this.#postgres;
  }

  get mongo(): MongoStore {
    const { env, region } = this.#context;
    this.#mongo ??= createMongo({
      ...this.#guard,
      pool: env.MONGO_POOL as unknown as DurableObjectNamespace<MongoPool>,
      region: typeof region === 'function' ? region() : region,
    });
    return this.#mongo;
  }

  get redis(): RedisStore {
    const { config } = this.#context;
    this.#redis ??= createRedis({ ...this.#guard, url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN });
    return this.#redis;
  }
}

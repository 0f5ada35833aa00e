/** A store of the local stack. */
export type StoreName = 'postgres' | 'redis' | 'mongo';

/** The bindings the Worker needs to reach the stores (what `.dev.vars` holds). */
export interface StackEnv {
  DATABASE_URL: string;
  NEON_LOCAL_PROXY?: string;
  MONGODB_URI: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
}

/** How to start the stack. */
export interface StackOptions {
  dataDir: string;
  persist: boolean;
  log?: (line: string) => void;
  /** Use DATABASE_URL, MONGODB_URI, UPSTASH_REDIS_REST_URL/TOKEN from process.env when set. Default false. */
  useRemoteFromEnv?: boolean;
}

/** A started stack. */
export interface RunningStack {
  env: StackEnv;
  stores: Array<{ name: StoreName; kind: string; where: string }>;
  stopStore(name: StoreName): Promise<void>;
  startStore(name: StoreName): Promise<void>;
  stop(): Promise<void>;
}

/** One store as the stack drives it: `stop`/`start` simulate an outage, `close` tears it down for good. */
export interface ManagedStore {
  name: StoreName;
  kind: string;
  where: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** What starting one store yields: the env entries it provides and the handle to drive it. */
export interface StartedStore {
  store: ManagedStore;
  env: Partial<StackEnv>;
}

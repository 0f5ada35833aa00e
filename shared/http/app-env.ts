import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Stores } from '../stores/index.ts';

/** Per-request values every handler can read with `c.var`. */
export interface AppVariables {
  correlationId: string;
  log: Logger;
  config: Config;
  stores: Stores;
  /** The request's Origin when it is on the CORS allow-list, else null. */
  corsOrigin: string | null;
}

/** The Hono environment of every app and sub-app in the Worker. */
export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}

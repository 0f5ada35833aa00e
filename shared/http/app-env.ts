import type { AuthContext } from '../auth/middleware.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Stores } from '../stores/index.ts';
import type { GatewayHeaders } from './response-headers.ts';

/** Per-request values every handler can read with `c.var`. */
export interface AppVariables {
  correlationId: string;
  log: Logger;
  config: Config;
  stores: Stores;
  /** Headers every response of this request carries (security, correlation id, CORS grant, rate limits). */
  responseHeaders: GatewayHeaders;
  /** When the request's time is up (epoch ms): every store or provider call gets at most what is left. */
  deadline: number;
  /** The authenticated caller, set by requireAuth. */
  auth?: AuthContext;
}

/** The Hono environment of every app and sub-app in the Worker. */
export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}

import { createMiddleware } from 'hono/factory';
import { loadConfig } from '../config.ts';
import { createStores } from '../stores/index.ts';
import type { AppEnv } from './app-env.ts';
import { guardInput } from './input-guard.ts';
import { allowedOrigin, grantCors, isPreflight, preflightResponse } from './response-headers.ts';

/**
 * Validates configuration (once per isolate), decides the CORS grant (answering preflights),
 * sets the request's deadline, gives it store adapters bound by that deadline, and applies the
 * input rules. The deadline replaces a per-request timer: every awaited store or provider call
 * gets at most the time left and a request out of time answers 504.
 */
// Not async: it hands back next()'s promise, sparing a promise and an await on every request.
export const requestContext = createMiddleware<AppEnv>((c, next) => {
  const config = loadConfig(c.env);
  const request = c.req.raw;
  const method = request.method; // a call into the runtime each time it is read: read once
  const origin = allowedOrigin(request, config);
  const headers = c.get('responseHeaders');
  grantCors(headers, origin);
  c.set('config', config);
  if (isPreflight(method, request)) return Promise.resolve(preflightResponse(headers, origin));
  const deadline = Date.now() + config.REQUEST_TIMEOUT_MS;
  c.set('deadline', deadline);
  c.set('stores', createStores({
    config,
    env: c.env,
    deadline,
    // request.cf is materialized on access: read it only when a Mongo call needs the region.
    region: () => (request.cf as { continent?: string } | undefined)?.continent ?? 'default',
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  }));
  return guardInput(c, method, next);
});

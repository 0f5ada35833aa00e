import { createMiddleware } from 'hono/factory';
import { loadConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { createStores } from '../stores/index.ts';
import type { AppEnv } from './app-env.ts';
import { guardInput } from './input-guard.ts';
import { allowedOrigin, isPreflight, preflightResponse } from './response-headers.ts';

/**
 * Validates configuration (once per isolate), gives the request its store adapters, decides
 * its CORS grant (answering preflights), applies the input rules, and bounds the run time by
 * REQUEST_TIMEOUT_MS. One layer, not five: every Hono layer costs on every request.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const config = loadConfig(c.env);
  const origin = allowedOrigin(c.req.raw, config);
  c.set('config', config);
  c.set('corsOrigin', origin);
  if (isPreflight(c.req.raw)) return preflightResponse(origin);
  c.set('stores', createStores({
    config,
    env: c.env,
    region: (c.req.raw.cf as { continent?: string } | undefined)?.continent ?? 'default',
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  }));

  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('timeout', `The request took longer than ${config.REQUEST_TIMEOUT_MS} ms.`)), config.REQUEST_TIMEOUT_MS);
  });
  try {
    await Promise.race([guardInput(c, next), expired]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
});

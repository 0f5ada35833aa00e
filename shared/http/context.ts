import { createMiddleware } from 'hono/factory';
import { loadConfig } from '../config.ts';
import { createStores } from '../stores/index.ts';
import type { AppEnv } from './app-env.ts';

/** Validates configuration (once per isolate) and gives the request its store adapters. */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const config = loadConfig(c.env);
  c.set('config', config);
  c.set('stores', createStores({
    config,
    env: c.env,
    region: (c.req.raw.cf as { continent?: string } | undefined)?.continent ?? 'local',
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  }));
  await next();
});

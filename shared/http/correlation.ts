import { createMiddleware } from 'hono/factory';
import { createLogger, parseLogLevel } from '../logger.ts';
import type { AppEnv } from './app-env.ts';

export const CORRELATION_HEADER = 'x-correlation-id';
const acceptable = /^[A-Za-z0-9._:-]{8,128}$/;

/** Accepts a well-formed caller correlation id or makes one; echoes it and logs the request. */
export const correlation = createMiddleware<AppEnv>(async (c, next) => {
  const offered = c.req.header(CORRELATION_HEADER);
  const correlationId = offered && acceptable.test(offered) ? offered : crypto.randomUUID();
  const log = createLogger(parseLogLevel(c.env.LOG_LEVEL), { correlationId });
  c.set('correlationId', correlationId);
  c.set('log', log);
  const started = Date.now();
  await next();
  c.res.headers.set(CORRELATION_HEADER, correlationId);
  log.info('request', {
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    durationMs: Date.now() - started,
    colo: (c.req.raw.cf as { colo?: string } | undefined)?.colo,
  });
});

import { createMiddleware } from 'hono/factory';
import { Logger, parseLogLevel } from '../logger.ts';
import type { AppEnv } from './app-env.ts';
import { CORRELATION_HEADER, decorateResponse } from './response-headers.ts';

const ACCEPTABLE_CORRELATION_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The outermost layer: gives the request its correlation id and logger, and on the way out
 * decorates whatever response was produced (errors included) with the gateway's headers and
 * logs one line. Done in one layer because each Hono layer that touches `c.res` copies the response.
 */
export const edge = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const offered = c.req.header(CORRELATION_HEADER);
  const correlationId = offered !== undefined && ACCEPTABLE_CORRELATION_ID.test(offered) ? offered : crypto.randomUUID();
  const log = new Logger(parseLogLevel(c.env.LOG_LEVEL), { correlationId });
  c.set('correlationId', correlationId);
  c.set('log', log);
  c.set('corsOrigin', null);
  await next();
  const decorated = decorateResponse(c.res, correlationId, c.get('corsOrigin'));
  if (decorated !== c.res) {
    c.res = undefined; // Hono copies the old response's headers into a new one on assignment: skip that
    c.res = decorated;
  }
  log.info('request', { method: c.req.method, path: c.req.path, status: c.res.status, durationMs: Date.now() - started });
});

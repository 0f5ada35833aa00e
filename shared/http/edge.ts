import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import { Logger, parseLogLevel } from '../logger.ts';
import type { AppEnv } from './app-env.ts';
import { buildJsonResponse, buildResponse, CORRELATION_HEADER, GatewayHeaders, withGatewayHeaders } from './response-headers.ts';

const ACCEPTABLE_CORRELATION_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const SLOW_REQUEST_MS = 1_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN_LIKE = /^[A-Za-z0-9_-]{32,}(\.[a-z]{1,8})?$/;

/**
 * The request path as logs may show it: a segment that looks like a bearer secret (a private
 * calendar feed token, say) is replaced; ids (UUIDs) stay, they are what logs are searched by.
 */
export function loggablePath(path: string): string {
  if (path.length < 32) return path;
  return path.split('/').map((segment) => (TOKEN_LIKE.test(segment) && !UUID.test(segment) ? '[secret]' : segment)).join('/');
}

type JsonInit = number | { status?: number; headers?: Record<string, string> } | undefined;

// c.json building the response with every gateway header at once. Hono's own c.json sets them
// one by one on a Headers object, which showed as the largest cost of the chain in profiles.
// Hono calls it as a method, so `this` is the request's context.
function jsonWithGatewayHeaders(this: Context<AppEnv>, data: unknown, init?: JsonInit, headers?: Record<string, string>): Response {
  const status = typeof init === 'number' ? init : (init?.status ?? 200);
  const extra = typeof init === 'object' ? init.headers : headers;
  if (extra === undefined) return buildJsonResponse(JSON.stringify(data), status, this.get('responseHeaders'));
  return buildResponse(JSON.stringify(data), status, this.get('responseHeaders'), { 'content-type': 'application/json', ...extra });
}

/**
 * The outermost layer: gives the request its correlation id, logger and gateway headers; makes
 * sure the response carries those headers (errors included); logs slow requests (and, at debug
 * level, every request).
 */
export const edge = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const offered = c.req.header(CORRELATION_HEADER);
  const correlationId = offered !== undefined && ACCEPTABLE_CORRELATION_ID.test(offered) ? offered : crypto.randomUUID();
  const log = new Logger(parseLogLevel(c.env.LOG_LEVEL), { correlationId });
  const headers = new GatewayHeaders(correlationId);
  c.set('correlationId', correlationId);
  c.set('log', log);
  c.set('responseHeaders', headers);
  c.json = jsonWithGatewayHeaders as unknown as Context<AppEnv>['json'];
  await next();
  const response = withGatewayHeaders(c.res, headers);
  if (response !== c.res) {
    c.res = undefined; // Hono copies the old response's headers into a new one on assignment: skip that
    c.res = response;
  }
  const durationMs = Date.now() - started;
  // Workers Logs already records every invocation (URL, status, duration); a console line per
  // request would cost about as much CPU as the rest of the chain. Log the unusual ones.
  if (durationMs >= SLOW_REQUEST_MS) log.warn('slow request', { method: c.req.method, path: loggablePath(c.req.path), status: response.status, durationMs });
  else if (log.enabled('debug')) log.debug('request', { method: c.req.method, path: loggablePath(c.req.path), status: response.status, durationMs });
});

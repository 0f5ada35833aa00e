import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { TrieRouter } from 'hono/router/trie-router';
import { AppError, type ErrorCode } from '../errors.ts';
import { describeError, Logger } from '../logger.ts';
import type { AppEnv } from './app-env.ts';
import { problemResponse } from './problem.ts';

const statusToCode: Record<number, ErrorCode> = {
  400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed',
  409: 'conflict', 413: 'payload_too_large', 415: 'unsupported_media_type', 429: 'rate_limited', 504: 'timeout',
};

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) return new AppError(statusToCode[error.status] ?? 'internal', error.message || undefined, { cause: error });
  return new AppError('internal', undefined, { cause: error });
}

function correlationOf(c: Context<AppEnv>): string {
  return c.get('correlationId') ?? crypto.randomUUID();
}

/** Renders every error as problem+json; 5xx are logged with their cause, never returned. */
export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  const appError = toAppError(error);
  const log = c.get('log') ?? new Logger('info', { correlationId: correlationOf(c) });
  if (appError.status >= 500) {
    log.error('request failed', { code: appError.code, detail: appError.message, ...describeError(appError.cause ?? error) });
  }
  return problemResponse(appError, correlationOf(c), c.get('responseHeaders'));
};

/**
 * Unmatched requests: 405 with Allow when the path exists under other methods, else 404.
 * Handled here rather than in a middleware so matched requests pay nothing for it.
 */
export function notFoundHandler(routes: ReadonlyArray<{ method: string; path: string }>): NotFoundHandler<AppEnv> {
  let methodsByPath: TrieRouter<string> | undefined;
  return (c) => {
    if (!methodsByPath) {
      methodsByPath = new TrieRouter<string>();
      for (const route of routes) {
        if (route.method === 'ALL') continue;
        methodsByPath.add('ALL', route.path, route.method);
        if (route.method === 'GET') methodsByPath.add('ALL', route.path, 'HEAD');
      }
    }
    const allowed = [...new Set(methodsByPath.match('ALL', c.req.path)[0].map(([method]) => method))];
    const error = allowed.length > 0 && !allowed.includes(c.req.method)
      ? new AppError('method_not_allowed', `Use one of: ${allowed.join(', ')}.`, { headers: { Allow: allowed.join(', ') } })
      : new AppError('not_found', `Nothing is served at ${c.req.path}.`);
    return problemResponse(error, correlationOf(c), c.get('responseHeaders'));
  };
}

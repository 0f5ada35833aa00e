import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, type ErrorCode } from '../errors.ts';
import { createLogger, describeError } from '../logger.ts';
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
  const log = c.get('log') ?? createLogger('info', { correlationId: correlationOf(c) });
  if (appError.status >= 500) {
    log.error('request failed', { code: appError.code, detail: appError.message, ...describeError(appError.cause ?? error) });
  }
  return problemResponse(appError, correlationOf(c));
};

export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(new AppError('not_found', `Nothing is served at ${c.req.path}.`), correlationOf(c));

/** 405 with the Allow header, for a path that exists under other methods. */
export const methodNotAllowedError = (methods: string[]) =>
  new AppError('method_not_allowed', `Use one of: ${methods.join(', ')}.`, { headers: { Allow: methods.join(', ') } });

import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import { getPath as defaultGetPath } from 'hono/utils/url';
import { AppError } from '../errors.ts';
import type { AppEnv } from './app-env.ts';
import { RememberingRouter } from './remembering-router.ts';

/** Turns a failed zod validation into a 400 problem listing each issue by location. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, _c) => {
  if (result.success) return;
  const errors = result.error.issues.map((issue) => ({
    in: result.target,
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  throw new AppError('validation_failed', 'The request has invalid or unknown fields.', { extensions: { errors } });
};

/** A service sub-app: OpenAPI-aware, validation failures rendered as problems. */
export function createServiceApp(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

// The seed's unversioned routes (/api/events) are served by the v1 routes (/api/v1/events).
const routingPath = (request: Request): string => {
  const path = defaultGetPath(request);
  return path.startsWith('/api/') && !path.startsWith('/api/v1/') ? `/api/v1${path.slice(4)}` : path;
};

/** The root app: like a service app, and routes `/api/...` aliases to `/api/v1/...`. */
export function createRootApp(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook, getPath: routingPath, router: new RememberingRouter() });
}

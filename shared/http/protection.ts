import { createMiddleware } from 'hono/factory';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { AppError } from '../errors.ts';
import type { AppEnv } from './app-env.ts';
import { CORRELATION_HEADER } from './correlation.ts';

/** CSP `default-src 'self'`, HSTS with preload, nosniff, frame deny, no referrer leaks. */
export const securityHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"] },
  strictTransportSecurity: 'max-age=31536000; includeSubDomains; preload',
  xContentTypeOptions: 'nosniff',
  xFrameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  crossOriginResourcePolicy: 'same-site',
});

/** CORS for the configured origins only; everything else gets no CORS headers at all. */
export const corsFromConfig = cors({
  origin: (origin, c) => ((c.var as AppEnv['Variables']).config.CORS_ORIGINS.includes(origin) ? origin : null),
  allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', CORRELATION_HEADER],
  exposeHeaders: [CORRELATION_HEADER, 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy', 'Retry-After', 'Location'],
  credentials: true,
  maxAge: 600,
});

/** Ends a request that runs longer than REQUEST_TIMEOUT_MS with a 504 problem. */
export const requestTimeout = createMiddleware<AppEnv>(async (c, next) => {
  const ms = c.var.config.REQUEST_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('timeout', `The request took longer than ${ms} ms.`)), ms);
  });
  try {
    await Promise.race([next(), expired]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
});

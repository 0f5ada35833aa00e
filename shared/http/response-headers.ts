import type { Config } from '../config.ts';

/**
 * Security headers on every response (the seed's Helmet set): CSP `default-src 'self'`, HSTS with
 * preload, nosniff, frame deny, no referrer. A constant list, set in one pass per response.
 */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['content-security-policy', "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'"],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains; preload'],
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['cross-origin-resource-policy', 'same-site'],
  ['cross-origin-opener-policy', 'same-origin'],
  ['x-permitted-cross-domain-policies', 'none'],
];

export const CORRELATION_HEADER = 'x-correlation-id';

const CORS_ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const CORS_ALLOW_HEADERS = `Authorization, Content-Type, Idempotency-Key, ${CORRELATION_HEADER}`;
const CORS_EXPOSE_HEADERS = [CORRELATION_HEADER, 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy', 'Retry-After', 'Location'].join(', ');
const CORS_MAX_AGE_SECONDS = '600';

/** The origin to grant CORS to, or null: only exact matches of the configured allow-list. */
export function allowedOrigin(request: Request, config: Config): string | null {
  const origin = request.headers.get('origin');
  return origin !== null && config.CORS_ORIGINS.includes(origin) ? origin : null;
}

/** Whether this is a CORS preflight (answered before routing, like any CORS layer would). */
export function isPreflight(request: Request): boolean {
  return request.method === 'OPTIONS' && request.headers.has('access-control-request-method');
}

/** The answer to a preflight: 204, with grants only for an allowed origin. */
export function preflightResponse(origin: string | null): Response {
  const headers = new Headers({ vary: 'Origin' });
  if (origin !== null) {
    headers.set('access-control-allow-origin', origin);
    headers.set('access-control-allow-credentials', 'true');
    headers.set('access-control-allow-methods', CORS_ALLOW_METHODS);
    headers.set('access-control-allow-headers', CORS_ALLOW_HEADERS);
    headers.set('access-control-max-age', CORS_MAX_AGE_SECONDS);
  }
  return new Response(null, { status: 204, headers });
}

/**
 * Adds the gateway's headers to a finished response in one pass: security headers, the
 * correlation id and, for an allowed origin, the CORS grant.
 */
export function decorateResponse(response: Response, correlationId: string, corsOrigin: string | null): Response {
  let target = response;
  try {
    target.headers.set(CORRELATION_HEADER, correlationId);
  } catch {
    target = new Response(response.body, response); // immutable headers (e.g. a passed-through fetch)
    target.headers.set(CORRELATION_HEADER, correlationId);
  }
  const headers = target.headers;
  for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
  headers.append('vary', 'Origin'); // what CORS grants depends on the origin: caches must key on it
  if (corsOrigin !== null) {
    headers.set('access-control-allow-origin', corsOrigin);
    headers.set('access-control-allow-credentials', 'true');
    headers.set('access-control-expose-headers', CORS_EXPOSE_HEADERS);
  }
  return target;
}

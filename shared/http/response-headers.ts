import type { Config } from '../config.ts';

// Security headers on every response (the seed's Helmet set, minus what browsers dropped):
// CSP `default-src 'self'`, HSTS with preload, nosniff, frame deny. Each header costs on every
// response, so only those that matter for an API are sent; headers that only govern what a
// rendered page does (Referrer-Policy) go on the HTML pages (DOCUMENT_HEADERS).
const CSP = "default-src 'self'; frame-ancestors 'none'";
const HSTS = 'max-age=31536000; includeSubDomains; preload';

export const CORRELATION_HEADER = 'x-correlation-id';

// What CORS answers depend on: caches must key on it (`Vary`).
const VARY_ON = 'Origin';
const LISTS_VARY_ON = new RegExp(`(^|,)\\s*${VARY_ON}\\s*(,|$)`, 'i');

/** Extra headers of HTML pages: a page must not leak its URL to what it links to or loads. */
export const DOCUMENT_HEADERS: Readonly<Record<string, string>> = { 'referrer-policy': 'no-referrer' };

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
export function isPreflight(method: string, request: Request): boolean {
  return method === 'OPTIONS' && request.headers.has('access-control-request-method');
}

/**
 * The headers every response of one request carries: security headers, the correlation id,
 * `Vary: Origin` (CORS grants depend on the origin, so caches must key on it) and, once decided,
 * the CORS grant and rate-limit headers. Held as a plain record, so responses can be built with
 * it in one step (setting headers one by one on a built response costs far more), together with
 * the response last built from it: that one leaves as it is, anything else is given the headers
 * on the way out. The response itself is never marked: a property added to a runtime object
 * (Response) about doubled workerd's full garbage-collection pauses (throughput unchanged).
 */
export class GatewayHeaders {
  readonly values: Record<string, string>;
  /** The response last built with these headers. */
  built: Response | undefined = undefined;
  /** Whether anything was added to the standard set (a CORS grant, rate-limit headers). */
  #extended = false;

  constructor(correlationId: string) {
    // An object literal of fixed shape: several times cheaper than spreading a constant record.
    this.values = {
      'content-security-policy': CSP,
      'strict-transport-security': HSTS,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      [CORRELATION_HEADER]: correlationId,
      vary: VARY_ON,
    };
  }

  get correlationId(): string {
    return this.values[CORRELATION_HEADER]!;
  }

  get extended(): boolean {
    return this.#extended;
  }

  /** Adds (or replaces) a header beyond the standard set. */
  add(name: string, value: string): void {
    this.values[name] = value;
    this.#extended = true;
  }
}

/** Adds the CORS grant for an allowed origin to the request's gateway headers. */
export function grantCors(headers: GatewayHeaders, origin: string | null): void {
  if (origin === null) return;
  headers.add('access-control-allow-origin', origin);
  headers.add('access-control-allow-credentials', 'true');
  headers.add('access-control-expose-headers', CORS_EXPOSE_HEADERS);
}

/**
 * Builds a response carrying the request's gateway headers from the start (plus `extra`).
 * Without gateway headers (an error before the edge ran) it carries only `extra`.
 */
export function buildResponse(body: BodyInit | null, status: number, headers: GatewayHeaders | undefined, extra?: Record<string, string>): Response {
  if (headers === undefined) return new Response(body, { status, headers: extra });
  const response = new Response(body, { status, headers: extra ? { ...headers.values, ...extra } : headers.values });
  headers.built = response;
  return response;
}

// The standard gateway headers without the correlation id, plus the JSON content type, held by
// one template response per status; only the correlation id differs between requests and is
// appended. `new Response(body, template)` copies status and headers inside the runtime in one
// step: cheaper than converting the same headers from a record (about 3 µs per response,
// measured in workerd) and than an init dictionary. Appending the one header the template lacks
// is cheaper than replacing a placeholder (set looks for and removes it).
const STANDARD_JSON_HEADERS = new Headers({ ...new GatewayHeaders('').values, 'content-type': 'application/json' });
STANDARD_JSON_HEADERS.delete(CORRELATION_HEADER);
const JSON_CONTENT_TYPE = { 'content-type': 'application/json' };
const jsonTemplates = new Map<number, Response>();

function jsonTemplate(status: number): Response {
  let template = jsonTemplates.get(status);
  if (template === undefined) {
    template = new Response(null, { status, headers: STANDARD_JSON_HEADERS });
    jsonTemplates.set(status, template);
  }
  return template;
}

/** A JSON response with the request's gateway headers (`json` is already serialized). */
export function buildJsonResponse(json: string, status: number, headers: GatewayHeaders): Response {
  if (headers.extended) return buildResponse(json, status, headers, JSON_CONTENT_TYPE);
  const response = new Response(json, jsonTemplate(status));
  response.headers.append(CORRELATION_HEADER, headers.correlationId);
  headers.built = response;
  return response;
}

/** The answer to a preflight: 204, with grants only for an allowed origin. */
export function preflightResponse(headers: GatewayHeaders, origin: string | null): Response {
  if (origin === null) return buildResponse(null, 204, headers);
  return buildResponse(null, 204, headers, {
    'access-control-allow-methods': CORS_ALLOW_METHODS,
    'access-control-allow-headers': CORS_ALLOW_HEADERS,
    'access-control-max-age': CORS_MAX_AGE_SECONDS,
  });
}

/**
 * Gives a response not built with the request's gateway headers (HTML, text, a passed-through
 * fetch, one built and then set aside) those headers; a handler's own `Vary` is kept and joined.
 * WebSocket upgrades (101) are left as they are.
 */
export function withGatewayHeaders(response: Response, headers: GatewayHeaders): Response {
  if (response === headers.built || response.status === 101) return response;
  let target = response;
  try {
    target.headers.set(CORRELATION_HEADER, headers.correlationId);
  } catch {
    target = new Response(response.body, response); // immutable headers
  }
  for (const [name, value] of Object.entries(headers.values)) {
    if (name !== 'vary') target.headers.set(name, value);
  }
  const vary = target.headers.get('vary');
  if (vary === null) target.headers.set('vary', VARY_ON);
  else if (!LISTS_VARY_ON.test(vary)) target.headers.append('vary', VARY_ON);
  return target;
}

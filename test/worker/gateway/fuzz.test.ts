import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call } from '../../support/http.ts';
import { clientAddress } from '../../support/identity.ts';

const writeRoutes = ['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/verify-email', '/api/v1/auth/password/forgot', '/api/v1/auth/password/reset', '/api/v1/auth/password/change'];
const paths = fc.constantFrom(
  '/health', '/health/ready', '/openapi.json', '/docs', '/.well-known/jwks.json',
  '/api/v1/users/me', '/api/users/00000000-0000-0000-0000-000000000000', '/api/v1/auth/sessions', '/api/v1/auth/logout',
  ...writeRoutes,
  '/api/v1/events', '/%2e%2e/%2e%2e/etc/passwd', '/api/v1/' + 'a'.repeat(2000),
);
const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');
const hostileKey = fc.constantFrom('$where', '$ne', '__proto__', 'constructor', 'prototype', '$gt', 'a.b', 'ok', 'title', '\u0000');
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.oneof(hostileKey, fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 4 })),
})).value;
const bodies = fc.oneof(
  jsonValue.map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.constant('{"a":'),
  fc.constant(''),
);
const contentTypes = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json', '');
const queries = fc.array(fc.tuple(fc.constantFrom('limit', 'q', '$ne', 'email[$ne]', 'a', 'a', '__proto__'), fc.string({ maxLength: 12 })), { maxLength: 4 })
  .map((pairs) => (pairs.length ? `?${pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')}` : ''));

describe('hostile input property test', () => {
  it('never answers 5xx (stores are up) and always answers errors as problem+json', async () => {
    await fc.assert(
      fc.asyncProperty(paths, methods, queries, bodies, contentTypes, async (path, method, query, body, contentType) => {
        const withBody = !['GET', 'HEAD', 'OPTIONS'].includes(method);
        const response = await call(path + query, {
          method,
          headers: { ...(contentType ? { 'content-type': contentType } : {}), 'cf-connecting-ip': clientAddress() },
          ...(withBody ? { body } : {}),
        });
        expect(response.status).toBeLessThan(500);
        // Random bodies are never a valid request: nothing may be accepted, so nothing is written.
        if (writeRoutes.includes(path) && method === 'POST') expect(response.status).toBeGreaterThanOrEqual(400);
        if (response.status >= 400 && method !== 'HEAD') {
          expect(response.headers.get('content-type')).toBe('application/problem+json');
        }
        await response.body?.cancel();
      }),
      { numRuns: 200 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { call } from '../../support/http.ts';

describe('API documentation', () => {
  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const response = await call('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/health']?.get).toBeDefined();
    expect(Object.keys(document.paths['/health/ready']?.get?.responses ?? {})).toEqual(['200', '503']);
    expect(document.components.schemas.Problem).toBeDefined();
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists every identity route with its schemas, and marks the protected ones', async () => {
    const document = (await (await call('/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>> };
    const open = ['post /api/v1/auth/register', 'post /api/v1/auth/login', 'post /api/v1/auth/refresh', 'post /api/v1/auth/verify-email', 'post /api/v1/auth/password/forgot', 'post /api/v1/auth/password/reset'];
    const guarded = ['post /api/v1/auth/logout', 'get /api/v1/auth/sessions', 'delete /api/v1/auth/sessions', 'delete /api/v1/auth/sessions/{id}', 'post /api/v1/auth/password/change', 'get /api/v1/users/me', 'get /api/v1/users/{id}', 'put /api/v1/users/{id}'];
    for (const entry of [...open, ...guarded]) {
      const [method, path] = entry.split(' ') as [string, string];
      const operation = document.paths[path]?.[method];
      expect(operation, entry).toBeDefined();
      expect(Boolean(operation?.security?.length), entry).toBe(guarded.includes(entry));
      if (method === 'post' && open.includes(entry)) expect(operation?.requestBody, entry).toBeDefined();
    }
  });

  it('serves a docs page that works under the CSP (no third-party scripts)', async () => {
    const response = await call('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('vary')).toBe('Origin');
    const html = await response.text();
    expect(html).toContain('/health/ready');
    expect(html).not.toMatch(/<script|https?:\/\/(?!docs\.flow\.app)/);
    const css = await call('/docs/docs.css');
    expect(css.headers.get('content-type')).toContain('text/css');
  });
});

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

  it('serves a docs page that works under the CSP (no third-party scripts)', async () => {
    const response = await call('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('/health/ready');
    expect(html).not.toMatch(/<script|https?:\/\/(?!docs\.flow\.app)/);
    const css = await call('/docs/docs.css');
    expect(css.headers.get('content-type')).toContain('text/css');
  });
});

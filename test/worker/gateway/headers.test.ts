import { describe, expect, it } from 'vitest';
import { call } from '../../support/http.ts';

describe('security headers', () => {
  it('sets CSP, HSTS, nosniff and frame deny on every response, errors included', async () => {
    for (const path of ['/health', '/nowhere']) {
      const response = await call(path);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains; preload');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });
});

describe('correlation id', () => {
  it('echoes a well-formed caller id', async () => {
    const response = await call('/health', { headers: { 'x-correlation-id': 'client-1234-abcd' } });
    expect(response.headers.get('x-correlation-id')).toBe('client-1234-abcd');
  });

  it('gives each of many parallel JSON responses its own id and the full header set', async () => {
    const ids = Array.from({ length: 20 }, (_, index) => `parallel-client-${index}`);
    const responses = await Promise.all(ids.map((id) => call('/health', { headers: { 'x-correlation-id': id } })));
    responses.forEach((response, index) => {
      expect(response.headers.get('x-correlation-id')).toBe(ids[index]);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('vary')).toBe('Origin');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    });
  });

  it('replaces a malformed one with a generated id', async () => {
    const response = await call('/health', { headers: { 'x-correlation-id': 'bad id\twith spaces' } });
    expect(response.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('generates one when absent and puts it in problem documents', async () => {
    const response = await call('/nowhere');
    const id = response.headers.get('x-correlation-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await response.json()) as { instance: string }).instance).toBe(`urn:flow:request:${id}`);
  });
});

describe('CORS', () => {
  it('allows a configured origin with credentials and exposes the correlation id', async () => {
    const response = await call('/health', { headers: { origin: 'https://app.flow.test' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.flow.test');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-expose-headers')).toContain('x-correlation-id');
  });

  it('gives an unknown origin no CORS grant', async () => {
    const response = await call('/health', { headers: { origin: 'https://evil.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight from an allowed origin', async () => {
    const response = await call('/api/v1/events', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('refuses a preflight from an unknown origin', async () => {
    const response = await call('/api/v1/events', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

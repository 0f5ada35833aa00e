import { describe, expect, it } from 'vitest';
import { buildJsonResponse, buildResponse, GatewayHeaders, grantCors, withGatewayHeaders } from '../../../shared/http/response-headers.ts';

const SECURITY_HEADERS = ['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options'];

function expectGatewayHeaders(response: Response, correlationId: string): void {
  for (const name of SECURITY_HEADERS) expect(response.headers.get(name), name).not.toBeNull();
  expect(response.headers.get('x-correlation-id')).toBe(correlationId);
}

describe('gateway headers on the way out', () => {
  it('leaves the response built with the request headers as it is', () => {
    const headers = new GatewayHeaders('request-0001');
    const built = buildJsonResponse('{}', 200, headers);
    expect(withGatewayHeaders(built, headers)).toBe(built);
    expectGatewayHeaders(built, 'request-0001');
    expect(built.headers.get('vary')).toBe('Origin');
  });

  it('gives a response built elsewhere the full set, joining its own Vary once', () => {
    const headers = new GatewayHeaders('request-0002');
    const own = new Response('<p>hi</p>', { headers: { 'content-type': 'text/html', vary: 'Accept-Encoding' } });
    const once = withGatewayHeaders(own, headers);
    const twice = withGatewayHeaders(once, headers);
    expectGatewayHeaders(twice, 'request-0002');
    expect(twice.headers.get('vary')).toBe('Accept-Encoding, Origin');
    expect(twice.headers.get('content-type')).toBe('text/html');
  });

  it('decorates a built response that was set aside for another', () => {
    const headers = new GatewayHeaders('request-0003');
    const setAside = buildJsonResponse('{"first":true}', 200, headers);
    buildResponse('second', 200, headers);
    const decorated = withGatewayHeaders(setAside, headers);
    expectGatewayHeaders(decorated, 'request-0003');
    expect(decorated.headers.get('vary')).toBe('Origin');
  });

  it('copies a response whose headers cannot change', () => {
    const headers = new GatewayHeaders('request-0004');
    const redirect = Response.redirect('https://flow.test/next', 302);
    expect(() => redirect.headers.set('x-probe', '1')).toThrow();
    const decorated = withGatewayHeaders(redirect, headers);
    expectGatewayHeaders(decorated, 'request-0004');
    expect(decorated.status).toBe(302);
    expect(decorated.headers.get('location')).toBe('https://flow.test/next');
  });

  it('builds JSON with a CORS grant in full, not from the standard template', () => {
    const headers = new GatewayHeaders('request-0005');
    grantCors(headers, 'https://app.flow.test');
    const response = buildJsonResponse('{}', 201, headers);
    expect(response.status).toBe(201);
    expectGatewayHeaders(response, 'request-0005');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.flow.test');
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('keeps each request its own headers when many are built at once', () => {
    const requests = Array.from({ length: 50 }, (_, index) => new GatewayHeaders(`parallel-${String(index).padStart(4, '0')}`));
    const responses = requests.map((headers, index) => buildJsonResponse(`{"n":${index}}`, 200, headers));
    responses.forEach((response, index) => {
      expect(withGatewayHeaders(response, requests[index]!)).toBe(response);
      expect(response.headers.get('x-correlation-id')).toBe(`parallel-${String(index).padStart(4, '0')}`);
    });
  });
});

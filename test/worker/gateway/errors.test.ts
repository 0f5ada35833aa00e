import { describe, expect, it } from 'vitest';
import { call, callJson, expectProblem } from '../../support/http.ts';

describe('problem+json for routing errors', () => {
  it('404 for an unknown path, versioned or not', async () => {
    for (const path of ['/nowhere', '/api/v1/nothing-here', '/api/nothing-here']) {
      const body = await expectProblem(await call(path), 404);
      expect(body.code).toBe('not_found');
    }
  });

  it('405 with Allow for a known path under another method', async () => {
    const response = await call('/health', { method: 'DELETE' });
    const body = await expectProblem(response, 405);
    expect(body.code).toBe('method_not_allowed');
    expect(response.headers.get('allow')).toContain('GET');
  });
});

describe('hostile input is refused with 4xx and never reaches a handler', () => {
  it('415 for a body that is not JSON', async () => {
    const response = await call('/api/v1/events', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect((await expectProblem(response, 415)).code).toBe('unsupported_media_type');
  });

  it('400 for malformed JSON', async () => {
    const response = await call('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title": ' });
    expect((await expectProblem(response, 400)).detail).toMatch(/not valid JSON/);
  });

  it('413 for a JSON body above the JSON limit (1 MiB)', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(1_100_000) });
    const response = await call('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect((await expectProblem(response, 413)).code).toBe('payload_too_large');
  });

  it('413 for a streamed body without Content-Length above the limit', async () => {
    const chunk = new TextEncoder().encode(`{"text":"${'y'.repeat(600_000)}`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('y'.repeat(600_000)));
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const response = await call('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream });
    await expectProblem(response, 413);
  });

  it.each([
    ['a $ operator at the top', { $where: 'sleep(1000)' }],
    ['a $ operator nested', { filter: { email: { $ne: null } } }],
    ['__proto__', JSON.parse('{"__proto__": {"admin": true}}')],
    ['constructor.prototype', { constructor: { prototype: { admin: true } } }],
    ['an operator inside an array', { items: [{ ok: 1 }, { $gt: '' }] }],
  ])('400 for %s', async (_label, body) => {
    const response = await callJson('/api/v1/events', 'POST', body);
    expect((await expectProblem(response, 400)).detail).toMatch(/forbidden key/);
  });

  it('400 for JSON nested deeper than 32 levels', async () => {
    let body: unknown = 'leaf';
    for (let depth = 0; depth < 40; depth += 1) body = { nested: body };
    await expectProblem(await callJson('/api/v1/events', 'POST', body), 400);
  });

  it('400 for a repeated query parameter (parameter pollution)', async () => {
    const body = await expectProblem(await call('/health?role=user&role=admin'), 400);
    expect(body.detail).toMatch(/more than once/);
  });

  it('400 for an operator-shaped query parameter name', async () => {
    await expectProblem(await call('/health?email[$ne]=x'), 400);
  });

  it('an empty POST body is not mistaken for JSON', async () => {
    const response = await call('/api/v1/nothing', { method: 'POST' });
    await expectProblem(response, 404);
  });
});

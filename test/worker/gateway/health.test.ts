import { describe, expect, it } from 'vitest';
import { call } from '../../support/http.ts';

describe('health', () => {
  it('liveness answers without touching the stores', async () => {
    const response = await call('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('readiness reports every store up with a latency, against the real local stores', async () => {
    const response = await call('/health/ready');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; stores: Record<string, { status: string; latencyMs: number }> };
    expect(body.status).toBe('ready');
    expect(Object.keys(body.stores).sort()).toEqual(['mongo', 'postgres', 'redis']);
    for (const store of Object.values(body.stores)) {
      expect(store.status).toBe('up');
      expect(store.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });
});

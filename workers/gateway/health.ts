import { createRoute, z } from '@hono/zod-openapi';
import { isoNow } from '../../shared/clock.ts';
import { AppError } from '../../shared/errors.ts';
import { createServiceApp } from '../../shared/http/create-app.ts';
import { problemResponses } from '../../shared/validation.ts';
import type { StoreName, Stores } from '../../shared/stores/index.ts';

const storeStatus = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number(),
  error: z.string().optional(),
});

const liveness = createRoute({
  method: 'get',
  path: '/health',
  tags: ['health'],
  summary: 'Liveness: the Worker runs and is configured',
  responses: {
    200: { description: 'Alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok'), time: z.string() }) } } },
  },
});

const readiness = createRoute({
  method: 'get',
  path: '/health/ready',
  tags: ['health'],
  summary: 'Readiness: Postgres, MongoDB and Redis answer, with latencies',
  responses: {
    200: {
      description: 'Every store answers',
      content: { 'application/json': { schema: z.object({ status: z.literal('ready'), stores: z.record(z.string(), storeStatus) }) } },
    },
    ...problemResponses(503),
  },
});

const probes: Record<StoreName, (stores: Stores) => Promise<void>> = {
  postgres: (stores) => stores.postgres.ping({ probe: true }),
  mongo: (stores) => stores.mongo.ping({ probe: true }),
  redis: (stores) => stores.redis.ping({ probe: true }),
};

async function probe(name: StoreName, stores: Stores): Promise<[StoreName, z.infer<typeof storeStatus>]> {
  const started = performance.now();
  try {
    await probes[name](stores);
    return [name, { status: 'up', latencyMs: Math.round(performance.now() - started) }];
  } catch {
    return [name, { status: 'down', latencyMs: Math.round(performance.now() - started), error: `${name} did not answer` }];
  }
}

/** Liveness and readiness; readiness probes bypass open circuits so recovery is seen at once. */
export const healthApp = createServiceApp()
  .openapi(liveness, (c) => c.json({ status: 'ok' as const, time: isoNow() }, 200))
  .openapi(readiness, async (c) => {
    const results = Object.fromEntries(
      await Promise.all((Object.keys(probes) as StoreName[]).map((name) => probe(name, c.var.stores))),
    );
    const down = Object.entries(results).filter(([, result]) => result.status === 'down').map(([name]) => name);
    if (down.length > 0) {
      throw new AppError('store_unavailable', `Not ready: ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} down.`, {
        extensions: { down, stores: results },
        headers: { 'Retry-After': '5' },
      });
    }
    return c.json({ status: 'ready' as const, stores: results }, 200);
  });

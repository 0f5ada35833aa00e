import { createRoute, z } from '@hono/zod-openapi';
import { loadKeyRing } from '../../../shared/auth/keys.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';

const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['auth'],
  summary: 'Public keys that verify Flow tokens (EdDSA, by kid)',
  responses: { 200: { description: 'JSON Web Key Set', content: { 'application/json': { schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) } } } },
});

/** The JWKS, so other services can verify Flow's tokens; cacheable for an hour. */
export const jwksRoutes = createServiceApp().openapi(jwks, async (c) => {
  const ring = await loadKeyRing(c.get('config').JWT_PRIVATE_KEYS);
  return c.json({ keys: ring.publicJwks }, 200, { 'cache-control': 'public, max-age=3600' });
});

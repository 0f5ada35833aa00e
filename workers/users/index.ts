import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../shared/http/app-env.ts';
import { authRoutes } from './routes/auth.ts';
import { jwksRoutes } from './routes/jwks.ts';
import { userRoutes } from './routes/users.ts';

/** Mounts the user service: /api/v1/auth, /api/v1/users and the JWKS. */
export function mountUsers(app: OpenAPIHono<AppEnv>): void {
  app.route('/api/v1/auth', authRoutes);
  app.route('/api/v1/users', userRoutes);
  app.route('/', jwksRoutes);
}

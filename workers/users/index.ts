import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../shared/http/app-env.ts';
import { accountDataRoutes } from './routes/account-data.ts';
import { authRoutes } from './routes/auth.ts';
import { deviceRoutes } from './routes/devices.ts';
import { jwksRoutes } from './routes/jwks.ts';
import { preferenceRoutes } from './routes/preferences.ts';
import { profileRoutes } from './routes/profiles.ts';
import { userRoutes } from './routes/users.ts';

/** Mounts the user service: /api/v1/{auth,users,profiles,preferences} and the JWKS. */
export function mountUsers(app: OpenAPIHono<AppEnv>): void {
  app.route('/api/v1/auth', authRoutes);
  app.route('/api/v1/users', userRoutes);
  app.route('/api/v1/users', deviceRoutes);
  app.route('/api/v1/users', accountDataRoutes);
  app.route('/api/v1/profiles', profileRoutes);
  app.route('/api/v1/preferences', preferenceRoutes);
  app.route('/', jwksRoutes);
}

import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../shared/http/app-env.ts';
import { presenceRoutes } from './routes/presence.ts';
import { roomRoutes } from './routes/rooms.ts';
import { socketRoutes } from './routes/sockets.ts';
import { ticketRoutes } from './routes/tickets.ts';

/**
 * Mounts the realtime gateway under /api/v1/realtime: socket tickets, the WebSocket upgrades
 * (rooms, presence, notifications; checked here, then served by Durable Objects) and rooms
 * over HTTP (direct rooms, my rooms, message history).
 */
export function mountRealtime(app: OpenAPIHono<AppEnv>): void {
  app.route('/api/v1/realtime', ticketRoutes);
  // Before the room routes: /rooms/{roomId}/socket must not be read by a looser pattern.
  app.route('/api/v1/realtime', socketRoutes);
  app.route('/api/v1/realtime', roomRoutes);
  app.route('/api/v1/presence', presenceRoutes);
}

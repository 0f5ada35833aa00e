import { createRoute } from '@hono/zod-openapi';
import { currentUser, requireAuth } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { problemResponses } from '../../../shared/validation.ts';
import { ticketSchema } from '../schemas.ts';
import { issueTicket } from '../service/tickets.ts';

const issue = createRoute({
  method: 'post', path: '/tickets', tags: ['realtime'], security: [{ bearer: [] }], middleware: requireAuth,
  summary: 'A single-use ticket (30 s) for opening a realtime socket from a browser, which cannot send headers on one',
  responses: { 201: { description: 'The ticket', content: { 'application/json': { schema: ticketSchema } } }, ...problemResponses(401, 429) },
});

/** POST /api/v1/realtime/tickets */
export const ticketRoutes = createServiceApp().openapi(issue, async (c) => {
  const ticket = await issueTicket(c.get('stores'), currentUser(c), c.get('config').WS_TICKET_TTL_SECONDS);
  return c.json(ticket, 201, { 'cache-control': 'no-store' });
});

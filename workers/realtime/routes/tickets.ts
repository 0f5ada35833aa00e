import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonContent, problemResponses } from '../../../shared/validation.ts';
import { ticketSchema } from '../schemas.ts';
import { issueTicket } from '../service/tickets.ts';

const issue = createRoute({
  method: 'post', path: '/tickets', tags: ['realtime'], ...authed,
  summary: 'A single-use ticket (30 s) for opening a realtime socket from a browser, which cannot send headers on one',
  responses: { 201: { description: 'The ticket', ...jsonContent(ticketSchema) }, ...problemResponses(401, 429) },
});

/** POST /api/v1/realtime/tickets */
export const ticketRoutes = createServiceApp().openapi(issue, async (c) => {
  const ticket = await issueTicket(c.get('stores'), currentUser(c), c.get('config').WS_TICKET_TTL_SECONDS);
  return c.json(ticket, 201, { 'cache-control': 'no-store' });
});

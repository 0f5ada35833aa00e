import { createRootApp } from '../../shared/http/create-app.ts';
import { requestContext } from '../../shared/http/context.ts';
import { edge } from '../../shared/http/edge.ts';
import { handleError, notFoundHandler } from '../../shared/http/errors-handler.ts';
import { apiRateLimit } from '../../shared/http/limits.ts';
import { mountDocs } from './docs.ts';
import { mountEvents } from '../events/index.ts';
import { mountRealtime } from '../realtime/index.ts';
import { mountUsers } from '../users/index.ts';
import { healthApp } from './health.ts';

/**
 * The gateway: two layers every request passes, then the services.
 * edge: correlation id, log line, security and CORS headers on every response (errors included);
 * request context: configuration, stores, CORS decision and preflights, input rules, deadline;
 * API routes then count against the per-IP rate limit (with slow-down).
 * Unmatched paths get 405 (other methods exist) or 404, both as problem+json.
 */
export function createGateway() {
  const app = createRootApp();
  app.use(edge);
  app.use(requestContext);
  app.use('/api/*', apiRateLimit);

  app.route('/', healthApp);
  // Services under /api/v1 (unversioned /api/... is routed to the same handlers).
  mountUsers(app);
  mountEvents(app);
  mountRealtime(app);
  mountDocs(app);

  app.onError(handleError);
  app.notFound(notFoundHandler(app.routes));
  return app;
}

import { methodNotAllowed } from 'hono/method-not-allowed';
import { createRootApp } from '../../shared/http/create-app.ts';
import { correlation } from '../../shared/http/correlation.ts';
import { requestContext } from '../../shared/http/context.ts';
import { handleError, handleNotFound, methodNotAllowedError } from '../../shared/http/errors-handler.ts';
import { inputGuard } from '../../shared/http/input-guard.ts';
import { corsFromConfig, requestTimeout, securityHeaders } from '../../shared/http/protection.ts';
import { mountDocs } from './docs.ts';
import { healthApp } from './health.ts';

/**
 * The gateway: the middleware chain every request passes, then the services.
 * Order matters: correlation id and logging see everything (errors included); configuration
 * comes before CORS (the allow-list is configuration); input rules run before any handler.
 */
export function createGateway() {
  const app = createRootApp();
  app.use(correlation);
  app.use(securityHeaders);
  app.use(requestContext);
  app.use(corsFromConfig);
  app.use(methodNotAllowed({ app, onMethodNotAllowed: (_c, methods) => { throw methodNotAllowedError(methods); } }));
  app.use(requestTimeout);
  app.use(inputGuard);

  app.route('/', healthApp);
  // Services mount here under /api/v1 (unversioned /api/... is routed to the same handlers).
  mountDocs(app);

  app.onError(handleError);
  app.notFound(handleNotFound);
  return app;
}

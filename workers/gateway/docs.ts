import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../shared/http/app-env.ts';
import { DOCUMENT_HEADERS } from '../../shared/http/response-headers.ts';

type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;
type Operation = { summary?: string; description?: string; tags?: string[]; security?: unknown[]; parameters?: unknown[]; requestBody?: unknown; responses?: Record<string, unknown> };

const documentInfo = {
  openapi: '3.1.0',
  info: {
    title: 'Flow API',
    version: '1.0.0',
    description: 'Event discovery and social platform. Every route is also served without the version prefix (/api/...). Errors are RFC 9457 problem+json.',
  },
  servers: [{ url: '/' }],
};

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function renderOperation(path: string, method: string, operation: Operation): string {
  const json = (value: unknown) => escapeHtml(JSON.stringify(value, null, 2));
  const details = [
    operation.parameters?.length ? `<h4>Parameters</h4><pre>${json(operation.parameters)}</pre>` : '',
    operation.requestBody ? `<h4>Request body</h4><pre>${json(operation.requestBody)}</pre>` : '',
    operation.responses ? `<h4>Responses</h4><pre>${json(operation.responses)}</pre>` : '',
  ].join('');
  const lock = operation.security?.length ? ' <span class="auth">auth</span>' : '';
  return `<details><summary><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code> ${escapeHtml(operation.summary ?? '')}${lock}</summary>${operation.description ? `<p>${escapeHtml(operation.description)}</p>` : ''}${details}</details>`;
}

/** A self-contained HTML reference (no third-party scripts: the CSP is `default-src 'self'`). */
export function renderDocsPage(document: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), renderOperation(path, method, operation)]);
    }
  }
  const sections = [...byTag].map(([tag, operations]) => `<section><h2>${escapeHtml(tag)}</h2>${operations.join('')}</section>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(document.info.title)}</title><link rel="stylesheet" href="/docs/docs.css"></head><body><header><h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1><p>${escapeHtml(document.info.description ?? '')}</p><p><a href="/openapi.json">openapi.json</a></p></header><main>${sections}</main></body></html>`;
}

const stylesheet = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:1rem;color:#1d1d1f}
h1 small{color:#888;font-weight:normal}section{margin:1.5rem 0}details{border:1px solid #ddd;border-radius:6px;margin:.4rem 0;padding:.4rem .8rem}
summary{cursor:pointer}pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:12px}.method{display:inline-block;min-width:4.5em;font-weight:bold}
.get{color:#0a7}.post{color:#06c}.put,.patch{color:#a60}.delete{color:#c22}.auth{font-size:11px;background:#eee;border-radius:4px;padding:0 .3em}`;

/** Serves `/openapi.json` (generated from the validation schemas) and the `/docs` page. */
export function mountDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  let cached: OpenApiDocument | undefined;
  const document = () => (cached ??= app.getOpenAPI31Document(documentInfo));
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', (c) => c.html(renderDocsPage(document()), 200, DOCUMENT_HEADERS));
  app.get('/docs/docs.css', (c) => c.body(stylesheet, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }));
}

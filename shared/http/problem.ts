import { AppError, errorCatalog } from '../errors.ts';
import { buildResponse, type GatewayHeaders } from './response-headers.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem document as Flow renders it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://docs.flow.app/problems/';

/**
 * Renders an error as problem+json. 5xx responses never carry the error's own message or
 * stack: only the catalogued title, so driver messages cannot leak. `gatewayHeaders` are the
 * request's own (security, correlation id, CORS), when the request got that far.
 */
export function problemResponse(error: AppError, correlationId: string, gatewayHeaders?: GatewayHeaders): Response {
  const entry = errorCatalog[error.code];
  const body: Problem = {
    ...error.extensions,
    type: `${TYPE_BASE}${error.code.replaceAll('_', '-')}`,
    title: entry.title,
    status: entry.status,
    detail: entry.status >= 500 && error.code !== 'store_unavailable' && error.code !== 'misconfigured'
      ? 'An unexpected error occurred. Quote the instance id when reporting it.'
      : error.message,
    instance: `urn:flow:request:${correlationId}`,
    code: error.code,
  };
  return buildResponse(JSON.stringify(body), entry.status, gatewayHeaders, { 'content-type': PROBLEM_CONTENT_TYPE, ...error.headers });
}

import type { Context, Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../errors.ts';
import type { AppEnv } from './app-env.ts';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;
const ACCEPTED_TYPES = [JSON_TYPE, /^multipart\/form-data\s*;/i];
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const QUERY_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const MAX_DEPTH = 32;

/** Finds the first key that is a Mongo operator, a dotted path or a prototype-pollution vector. */
export function findHostileKey(value: unknown, depth = 0): string | null {
  if (depth > MAX_DEPTH) return '(nesting too deep)';
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findHostileKey(item, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  for (const key of Object.keys(value)) {
    if (key.startsWith('$') || FORBIDDEN_KEYS.has(key) || key.includes('\u0000')) return key;
    const found = findHostileKey((value as Record<string, unknown>)[key], depth + 1);
    if (found) return found;
  }
  return null;
}

function rejectPollutedQuery(url: string): void {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return;
  const params = new URLSearchParams(url.slice(queryStart + 1).split('#', 1)[0]);
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!QUERY_KEY.test(key)) throw new AppError('bad_request', `Query parameter name "${key.slice(0, 64)}" is not allowed.`);
    if (seen.has(key)) throw new AppError('bad_request', `Query parameter "${key}" is given more than once; use a comma-separated list.`);
    seen.add(key);
  }
}

async function rejectHostileJson(c: { req: { json: () => Promise<unknown> } }): Promise<void> {
  let body: unknown;
  try {
    body = await c.req.json(); // cached by Hono: validators read the same parsed body
  } catch {
    throw new AppError('bad_request', 'The request body is not valid JSON.');
  }
  const hostile = findHostileKey(body);
  if (hostile) throw new AppError('bad_request', `The request body contains a forbidden key: "${hostile.slice(0, 64)}".`);
}

const tooLarge = (limit: number) => () => {
  throw new AppError('payload_too_large', `The request body exceeds ${limit} bytes.`);
};

/**
 * Gateway input rules for every route (called by the request context, not a layer of its own):
 * one value per query parameter, bodies only as JSON or multipart, JSON bodies within
 * JSON_BODY_LIMIT_BYTES and free of `$`/`__proto__` keys, any body within BODY_LIMIT_BYTES.
 */
export function guardInput(c: Context<AppEnv>, method: string, next: Next): Promise<void> {
  rejectPollutedQuery(c.req.url);
  if (!METHODS_WITH_BODY.has(method) || !hasBody(c.req.raw)) return next();
  const config = c.get('config');
  const type = c.req.header('content-type') ?? '';
  if (!ACCEPTED_TYPES.some((accepted) => accepted.test(type))) {
    throw new AppError('unsupported_media_type', 'Send the body as application/json.', { headers: { Accept: 'application/json' } });
  }
  const isJson = JSON_TYPE.test(type);
  const limit = isJson ? config.JSON_BODY_LIMIT_BYTES : config.BODY_LIMIT_BYTES;
  return bodyLimit({ maxSize: limit, onError: tooLarge(limit) })(c, async () => {
    if (isJson) await rejectHostileJson(c);
    await next();
  }) as Promise<void>;
}

function hasBody(request: Request): boolean {
  const length = request.headers.get('content-length');
  if (length !== null) return Number(length) > 0;
  return request.body !== null;
}

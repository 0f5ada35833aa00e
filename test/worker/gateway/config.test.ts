import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.ts';
import { AppError } from '../../../shared/errors.ts';
import { createGateway } from '../../../workers/gateway/app.ts';
import { expectProblem } from '../../support/http.ts';

const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;

describe('configuration', () => {
  it('parses numbers and lists from the bindings', () => {
    const config = loadConfig(env);
    expect(config.STORE_TIMEOUT_MS).toBe(10_000);
    expect(config.CORS_ORIGINS).toEqual(['https://app.flow.test', 'http://localhost:3000']);
  });

  it('names every missing or invalid setting, and no values', () => {
    const broken = { ...env, DATABASE_URL: undefined, UPSTASH_REDIS_REST_TOKEN: '', STORE_TIMEOUT_MS: 'soon', MONGO_POOL: undefined } as unknown as Env;
    try {
      loadConfig(broken);
      expect.unreachable('loadConfig accepted a broken environment');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const appError = error as AppError;
      expect(appError.extensions.settings).toEqual(['DATABASE_URL', 'MONGO_POOL', 'STORE_TIMEOUT_MS', 'UPSTASH_REDIS_REST_TOKEN']);
      expect(appError.message).not.toContain(env.MONGODB_URI);
    }
  });

  it('a misconfigured Worker answers 500 problem+json naming what is missing', async () => {
    const broken = { ...env, MONGODB_URI: undefined, CORS_ORIGINS: 'not a url' } as unknown as Env;
    const response = await createGateway().fetch(new Request('https://api.flow.test/health'), broken, ctx);
    const body = await expectProblem(response, 500);
    expect(body.code).toBe('misconfigured');
    expect(body.settings).toEqual(['CORS_ORIGINS', 'MONGODB_URI']);
  });
});

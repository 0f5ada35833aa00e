import { env } from 'cloudflare:test';
import { loadConfig, type Config } from '../../shared/config.ts';
import { createStores, type Stores } from '../../shared/stores/index.ts';

/**
 * Store adapters built exactly as a request builds them, for tests that talk to stores directly.
 * `overrides` change the configuration they are built with (a longer store timeout for a bulk
 * load in a test's setup, say).
 */
export function testStores(overrides: Partial<Config> = {}): Stores {
  const pending: Promise<unknown>[] = [];
  return createStores({ config: { ...loadConfig(env), ...overrides }, env, region: 'local', waitUntil: (promise) => void pending.push(promise) });
}

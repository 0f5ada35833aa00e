import { env } from 'cloudflare:test';
import { loadConfig } from '../../shared/config.ts';
import { createStores, type Stores } from '../../shared/stores/index.ts';

/** Store adapters built exactly as a request builds them, for tests that talk to stores directly. */
export function testStores(): Stores {
  const pending: Promise<unknown>[] = [];
  return createStores({ config: loadConfig(env), env, region: 'local', waitUntil: (promise) => void pending.push(promise) });
}

import { env } from 'cloudflare:test';

export type StoreName = 'postgres' | 'redis' | 'mongo';

/** Stops or starts one store of this test project's local stack (fault tests only). */
export async function controlStore(store: StoreName, action: 'stop' | 'start'): Promise<void> {
  const response = await fetch(`${env.TEST_CONTROL_URL}/stores/${store}/${action}`, { method: 'POST' });
  if (response.status !== 204) throw new Error(`${action} ${store} failed: ${response.status} ${await response.text()}`);
}

// Runs one private local stack as its own Node process for a test project: starts the stores on
// free ports with temp data, migrates them, serves the control endpoint and the fake third-party
// APIs (fake-providers.ts, as FAKE_PROVIDERS_URL), prints one JSON line with the bindings, and
// stops everything when its stdin closes or it gets SIGTERM/SIGINT.
// A separate process keeps the stores out of the test runner's module system and event loop.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '../../scripts/lib/migrate.ts';
import { generateDataKey, generateSigningKeys } from '../../scripts/lib/signing-key.ts';
import { startControlServer, startStack } from '../../scripts/stack/index.ts';
import { FAKE_SENDGRID_API_KEY, startFakeProviders } from './fake-providers.ts';

const label = process.argv[2] ?? 'test';
const dataDir = await mkdtemp(join(tmpdir(), `flow-${label}-`));
const stack = await startStack({ dataDir, persist: false, useRemoteFromEnv: process.env.FLOW_TEST_USE_ENV_STORES === '1' });
const control = await startControlServer(stack);
const fakeProviders = await startFakeProviders();
await runMigrations({ databaseUrl: stack.env.DATABASE_URL, mongoUri: stack.env.MONGODB_URI, log: () => {} });
const env = {
  ...stack.env,
  JWT_PRIVATE_KEYS: generateSigningKeys(),
  DATA_ENCRYPTION_KEY: generateDataKey(),
  FAKE_PROVIDERS_URL: fakeProviders.url,
  FAKE_SENDGRID_API_KEY,
};
process.stdout.write(`${JSON.stringify({ env, controlUrl: control.url, stores: stack.stores })}\n`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await control.close().catch(() => {});
  await fakeProviders.close().catch(() => {});
  await stack.stop().catch(() => {});
  await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  process.exit(0);
}
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

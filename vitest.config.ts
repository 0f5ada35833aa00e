import { builtinModules } from 'node:module';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import type { StackEnv } from './scripts/stack/index.ts';

// The mongodb driver is CommonJS: pre-bundle it for workerd, leaving Node built-ins to nodejs_compat.
const nodeBuiltins = builtinModules.flatMap((name) => [name, `node:${name}`]);
const workerDeps = { optimizer: { ssr: { enabled: true, include: ['mongodb'], rolldownOptions: { external: nodeBuiltins } } } };

/**
 * A workerd test project bound to its own local stack (started by `setupFile`). Every store
 * binding is set here explicitly, because the plugin would otherwise read .dev.vars.
 */
function workerProject(name: string, include: string[], setupFile: string, storeTimeoutMs: number) {
  return {
    plugins: [
      cloudflareTest(async ({ inject }) => {
        const stack = inject('stack') as unknown as StackEnv & { TEST_CONTROL_URL: string; FAKE_PROVIDERS_URL: string };
        return {
          wrangler: { configPath: './wrangler.toml' },
          miniflare: {
            bindings: {
              ...stack,
              NEON_LOCAL_PROXY: stack.NEON_LOCAL_PROXY ?? '',
              APP_ENV: 'test',
              LOG_LEVEL: 'warn',
              CORS_ORIGINS: 'https://app.flow.test,http://localhost:3000',
              STORE_TIMEOUT_MS: String(storeTimeoutMs),
              BREAKER_FAILURES: '3',
              BREAKER_COOLDOWN_MS: '1000',
              REFRESH_REUSE_GRACE_SECONDS: '1',
              // Forecasts come from the fake Open-Meteo; a short timeout keeps the slow-provider test quick.
              WEATHER_API_URL: stack.FAKE_PROVIDERS_URL,
              WEATHER_TIMEOUT_MS: '1000',
            },
          },
        };
      }),
    ],
    test: {
      name,
      include,
      globalSetup: [setupFile],
      deps: workerDeps,
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/node/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // Generous store timeouts: some tests put a thousand concurrent requests on local stores.
      workerProject('worker', ['test/worker/**/*.test.ts'], './test/setup/worker-stack.ts', 10_000),
      // Fault tests stop and start stores, so they get a stack of their own.
      workerProject('faults', ['test/faults/**/*.test.ts'], './test/setup/fault-stack.ts', 2_000),
    ],
  },
});

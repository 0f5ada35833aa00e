import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../../scripts/lib/migrate.ts';
import { startControlServer, startStack } from '../../scripts/stack/index.ts';

/**
 * Starts a private local stack (free ports, temp data) for one test project, migrates it, and
 * provides its bindings as `stack`. Set FLOW_TEST_USE_ENV_STORES=1 to run against the stores
 * named by DATABASE_URL / MONGODB_URI / UPSTASH_* instead (e.g. a real MongoDB).
 */
export async function startTestStack(project: TestProject, label: string): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), `flow-${label}-`));
  try {
    const stack = await startStack({ dataDir, persist: false, useRemoteFromEnv: process.env.FLOW_TEST_USE_ENV_STORES === '1' });
    const control = await startControlServer(stack);
    await runMigrations({ databaseUrl: stack.env.DATABASE_URL, mongoUri: stack.env.MONGODB_URI });
    project.provide('stack', { ...stack.env, TEST_CONTROL_URL: control.url });
    return async () => {
      await control.close();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  } catch (error) {
    // vitest may only report "No test files found" when a global setup throws: say why.
    console.error(`[${label}] local stack failed to start:`, error);
    throw error;
  }
}

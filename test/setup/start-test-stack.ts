import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const STACK_SCRIPT = fileURLToPath(new URL('./stack-process.ts', import.meta.url));
const START_TIMEOUT_MS = 90_000;

/**
 * Starts a private local stack (free ports, temp data, migrated) in a child process for one test
 * project and provides its bindings as `stack`. FLOW_TEST_USE_ENV_STORES=1 runs against the stores
 * named by DATABASE_URL / MONGODB_URI / UPSTASH_* instead (e.g. a real MongoDB).
 */
export async function startTestStack(project: TestProject, label: string): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, [STACK_SCRIPT, label], { stdio: ['pipe', 'pipe', 'inherit'] });
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the ${label} stack exited with code ${code} before it was ready`)));
    setTimeout(() => reject(new Error(`the ${label} stack was not ready within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS).unref();
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.stdin!.end();
    const exited = once(child, 'exit');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killTimer);
  };
  try {
    const { env, controlUrl } = JSON.parse(await firstLine) as { env: Record<string, string>; controlUrl: string };
    project.provide('stack', { ...env, TEST_CONTROL_URL: controlUrl });
    return stop;
  } catch (error) {
    // vitest may only report "No test files found" when a global setup throws: say why.
    console.error(`[${label}] local stack failed to start:`, error);
    await stop();
    throw error;
  }
}

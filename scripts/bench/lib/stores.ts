// Real stores for scenarios that need them: the local stack (scripts/stack: Postgres behind the Neon
// bridge, Redis behind the Upstash REST endpoint, CongoDB for MongoDB) with temp data, migrated, in
// a Node process of its own, so neither its servers nor its in-process parts (PGlite, the bridges)
// share this process (the load generator) or workerd's CPU. Registered with the cleanup tracking:
// stopped when the scenario ends, on errors and on Ctrl-C.
//
// This file is also the child's entry point: `node scripts/bench/lib/stores.ts` starts the stack,
// prints one JSON line `{ env, stores }` on stdout and stops everything when its stdin closes or it
// gets SIGTERM/SIGINT.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RunningStack, StackEnv } from '../../stack/index.ts';
import { track } from './cleanup.ts';
import { pinnedCommand } from './cpu.ts';
import { REPO_ROOT } from './workerd.ts';
import { watchExit } from './child-exit.ts';

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

export interface BenchStores {
  /** The Worker's store bindings (DATABASE_URL, NEON_LOCAL_PROXY, MONGODB_URI, UPSTASH_*). */
  env: StackEnv;
  /** What runs where, for the report. */
  stores: RunningStack['stores'];
  /** PID of the stack's Node process (leader of its process group). */
  pid: number;
  /** Stops the stores (idempotent). */
  stop(): Promise<void>;
}

/** The store bindings as Worker secrets: NEON_LOCAL_PROXY only when the stack has one. */
export function storeSecrets(env: StackEnv): Record<string, string> {
  const secrets: Record<string, string> = {
    DATABASE_URL: env.DATABASE_URL,
    MONGODB_URI: env.MONGODB_URI,
    UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL,
    UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN,
  };
  if (env.NEON_LOCAL_PROXY) secrets.NEON_LOCAL_PROXY = env.NEON_LOCAL_PROXY;
  return secrets;
}

/**
 * Starts the stack in a child process (optionally pinned to `cpus`, taskset list syntax) and waits
 * until it is migrated and ready. The child leads its own process group, so a last-resort kill
 * also takes the servers it started (redis-server, postgres) with it.
 */
export async function startStores(options: { cpus?: string | undefined; log?: (line: string) => void } = {}): Promise<BenchStores> {
  const script = fileURLToPath(import.meta.url);
  const [command, args] = pinnedCommand(options.cpus, process.execPath, [script]);
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8_000);
  });
  const { exited, info: exitInfo } = watchExit(child);

  const killGroup = (signal: NodeJS.Signals) => {
    if (exitInfo() !== undefined || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (exitInfo() === undefined) {
        child.stdin?.end();
        const timer = setTimeout(() => killGroup('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
    })();
    return stopping;
  };
  const untrack = track('local stores', stop, () => killGroup('SIGKILL'));
  const stopAndUntrack = async () => {
    await stop();
    untrack();
  };

  try {
    const line = await new Promise<string>((resolveLine, reject) => {
      const lines = createInterface({ input: child.stdout! });
      const timer = setTimeout(() => reject(new Error(`not ready within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      lines.once('line', (first) => {
        clearTimeout(timer);
        resolveLine(first);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${exitInfo() ?? 'exited'} before it was ready`));
      });
    });
    const ready = JSON.parse(line) as { env: StackEnv; stores: RunningStack['stores'] };
    for (const store of ready.stores) options.log?.(`${store.name}: ${store.kind} on ${store.where}`);
    return { env: ready.env, stores: ready.stores, pid: child.pid as number, stop: stopAndUntrack };
  } catch (error) {
    await stopAndUntrack();
    const tail = stderr.trim().split('\n').slice(-20).map((l) => `    | ${l}`).join('\n');
    throw new Error(`the local stores did not start: ${(error as Error).message}${tail ? `\n  stack output:\n${tail}` : ''}`);
  }
}

/** The child: start, migrate, report, wait, stop. */
async function serve(): Promise<void> {
  const { startStack } = await import('../../stack/index.ts');
  const { runMigrations } = await import('../../lib/migrate.ts');
  const dataDir = await mkdtemp(join(tmpdir(), 'flow-bench-stores-'));
  let stack: RunningStack | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stack?.stop().catch((error: unknown) => process.stderr.write(`stopping the stores: ${String(error)}\n`));
    await rm(dataDir, { recursive: true, force: true }).catch(() => {});
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));
  process.stdin.on('end', () => void shutdown(0));
  process.stdin.on('close', () => void shutdown(0));
  process.stdin.resume();
  try {
    stack = await startStack({ dataDir, persist: false, log: (line) => process.stderr.write(`${line}\n`) });
    await runMigrations({
      databaseUrl: stack.env.DATABASE_URL,
      mongoUri: stack.env.MONGODB_URI,
      migrationsDir: join(REPO_ROOT, 'migrations'),
    });
    if (stopping) return;
    process.stdout.write(`${JSON.stringify({ env: stack.env, stores: stack.stores })}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await shutdown(1);
  }
}

// Keeps running (stdin is open) until the parent closes stdin or signals.
if (import.meta.main) await serve();

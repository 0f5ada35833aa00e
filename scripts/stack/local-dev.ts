import path from 'node:path';
import { runMigrations } from '../lib/migrate.ts';
import { generateDataKey, generateSigningKeys } from '../lib/signing-key.ts';
import { readDevVars, writeDevVars } from './dev-vars.ts';
import { startStack } from './index.ts';
import type { RunningStack } from './types.ts';

/**
 * What `npm run stack` and `npm run dev` share: the stack persisted in `.flow/`, stores named in
 * process.env used as remote, migrations applied, `.dev.vars` written, and a table of where things run.
 */
export async function bringUpLocalStack(root: string): Promise<RunningStack> {
  const began = performance.now();
  const stack = await startStack({
    dataDir: path.join(root, '.flow'),
    persist: true,
    useRemoteFromEnv: true,
    log: (line) => console.log(`[stack] ${line}`),
  });
  try {
    const applied = await runMigrations({
      databaseUrl: stack.env.DATABASE_URL,
      mongoUri: stack.env.MONGODB_URI,
      migrationsDir: path.join(root, 'migrations'),
      log: (line) => console.log(`[migrate] ${line}`),
    });
    const env = stack.env;
    const devVarsFile = path.join(root, '.dev.vars');
    // Keys made once and kept, so tokens and encrypted secrets survive restarts of the dev server.
    const existing = await readDevVars(devVarsFile);
    await writeDevVars(devVarsFile, {
      JWT_PRIVATE_KEYS: existing.JWT_PRIVATE_KEYS ?? generateSigningKeys(),
      DATA_ENCRYPTION_KEY: existing.DATA_ENCRYPTION_KEY ?? generateDataKey(),
      DATABASE_URL: env.DATABASE_URL,
      NEON_LOCAL_PROXY: env.NEON_LOCAL_PROXY,
      MONGODB_URI: env.MONGODB_URI,
      UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL,
      UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN,
    });
    const count = applied.postgres.length + applied.mongo.length;
    console.log(`\n${table(stack)}\n`);
    console.log(`Neon bridge (NEON_LOCAL_PROXY):    ${env.NEON_LOCAL_PROXY ?? '(none: Postgres is remote)'}`);
    console.log(`Upstash REST (UPSTASH_REDIS_REST_URL): ${env.UPSTASH_REDIS_REST_URL}`);
    console.log(`Migrations applied now: ${count || 'none pending'}; .dev.vars written; ready in ${Math.round(performance.now() - began)} ms\n`);
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** Resolves on the first SIGINT or SIGTERM (and keeps Node from dying of it). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function table(stack: RunningStack): string {
  const rows = [['store', 'runs', 'where'], ...stack.stores.map((s) => [s.name, s.kind, s.where])];
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`).join('\n');
}

// Bundles a small benchmark Worker of scripts/bench/workers/ (TypeScript that may import the
// project's shared code) with esbuild, the bundler wrangler itself uses. These Workers exist only
// for the benchmarks and are never deployed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BENCH_DIR, type WorkerSpec } from './workerd.ts';

/**
 * Bundles scripts/bench/workers/NAME.ts into one ES module and returns the spec serving it,
 * with `base`'s compatibility settings (the bare Worker's, which are the gateway's).
 */
export async function benchWorkerSpec(base: WorkerSpec, name: string, label = name): Promise<WorkerSpec> {
  return { ...base, label, modules: [{ name: 'worker.js', path: await bundle(name), type: 'esModule' }] };
}

async function bundle(name: string): Promise<string> {
  const outDir = join(BENCH_DIR, '.cache', name);
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'worker.js');
  await build({
    entryPoints: [join(BENCH_DIR, 'workers', `${name}.ts`)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['node:*'],
    logLevel: 'silent',
  });
  return outfile;
}

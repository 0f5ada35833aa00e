// The BenchContext handed to scenarios: builds (shared by all scenarios of a run), workerd
// processes (stopped when their scenario ends), measurements with the run-wide settings.
import { join } from 'node:path';
import type { BenchContext, BenchOptions, LoadSpec } from '../scenarios/types.ts';
import { buildWorker, DUMMY_SECRETS, helloSpec, specFromConfig, type Build } from './build.ts';
import { pinSelf, type CpuPlan } from './cpu.ts';
import { measure } from './load.ts';
import { REPO_ROOT, startWorkerd, type Workerd, type WorkerSpec } from './workerd.ts';

type Config = Awaited<ReturnType<typeof buildWorker>>['config'];

export interface RunState {
  /** Set once the gateway has been built: how, for the report. */
  build?: Build;
}

export function createContext(options: BenchOptions, cpus: CpuPlan, state: RunState): BenchContext & { stopAll(): Promise<void> } {
  let built: Promise<{ build: Build; config: Config }> | undefined;
  let compat: Promise<{ date: string; flags: string[] }> | undefined;
  const started: Workerd[] = [];
  const primed = new Set<Workerd>();

  const readCompat = () => {
    compat ??= import('wrangler').then(({ unstable_readConfig }) => {
      const config = unstable_readConfig({ config: join(REPO_ROOT, 'wrangler.toml') }, { hideWarnings: true });
      return { date: config.compatibility_date ?? new Date().toISOString().slice(0, 10), flags: config.compatibility_flags ?? [] };
    });
    return compat;
  };
  const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

  return {
    options,
    cpus,
    progress,
    async hello(): Promise<WorkerSpec> {
      const { date, flags } = await readCompat();
      return helloSpec(date, flags);
    },
    async gateway(secrets: Record<string, string> = { ...DUMMY_SECRETS }): Promise<WorkerSpec> {
      if (options.selfTest) {
        const { date, flags } = await readCompat();
        return { ...helloSpec(date, flags), label: 'hello-as-gateway' };
      }
      if (!built) {
        progress('building the Worker (wrangler deploy --dry-run; reused if the sources did not change)...');
        built = buildWorker({ rebuild: options.rebuild, cpus: cpus.allCpus });
      }
      const { build, config } = await built;
      if (!state.build) {
        state.build = build;
        progress(build.cached ? `using cached build ${build.hash}` : `built ${build.hash} in ${build.ms} ms`);
      }
      return specFromConfig('gateway', config, build.modules, secrets);
    },
    async start(spec, startOptions = {}) {
      const workerd = await startWorkerd(spec, { cpu: cpus.serverCpu, ...startOptions });
      started.push(workerd);
      progress(`workerd "${spec.label}" (pid ${workerd.pid}) listening on 127.0.0.1:${workerd.port}`);
      return workerd;
    },
    async measure(target, load: LoadSpec) {
      // The load generator runs in this process: keep it off workerd's CPU.
      pinSelf(cpus.loadCpu);
      // A fresh isolate needs longer than later runs to reach steady state (JIT tiers): the first
      // run against each workerd gets a longer discarded warm-up.
      const warmupS = primed.has(target) || options.warmupS === 0 ? options.warmupS : Math.max(2, 3 * options.warmupS);
      primed.add(target);
      return measure(target, { connections: options.connections, durationS: options.durationS, warmupS, ...load });
    },
    async stopAll() {
      for (const workerd of started.splice(0).reverse()) await workerd.stop();
    },
  };
}

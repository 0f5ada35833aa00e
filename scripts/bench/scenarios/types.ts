// The contract between the runner (scripts/bench/index.ts) and a scenario.
import type { CpuPlan } from '../lib/cpu.ts';
import type { LoadOptions, LoadResult } from '../lib/load.ts';
import type { Workerd, WorkerSpec } from '../lib/workerd.ts';

export interface BenchOptions {
  /** Concurrent connections of every load run. */
  connections: number;
  /** Measured seconds of every load run. */
  durationS: number;
  /** Discarded warm-up seconds before every load run. */
  warmupS: number;
  /** Rounds of scenarios that alternate contenders. */
  rounds: number;
  /** Pin workerd and the load generator to different CPUs. */
  pin: boolean;
  /** Ignore the build cache. */
  rebuild: boolean;
  /** Serve the bare hello Worker in place of the gateway (checks the harness itself). */
  selfTest: boolean;
}

export interface Target {
  op: '>=' | '<=';
  value: number;
}

export interface Ratio {
  /** e.g. "chain/bare req/s". */
  label: string;
  value: number;
  target: Target;
}

export interface ScenarioReport {
  /** The scenario's block of the report (already formatted lines). */
  lines: string[];
  /** Ratios checked against their targets; printed again at the end of the report. */
  ratios: Ratio[];
  /** Raw numbers for --json. */
  data?: unknown;
}

/** What a measurement needs beyond the run-wide defaults (connections, duration, warm-up). */
export type LoadSpec = Pick<LoadOptions, 'path'> & Partial<LoadOptions>;

export interface BenchContext {
  options: BenchOptions;
  cpus: CpuPlan;
  /** The gateway Worker, built from wrangler.toml (once per process), with dummy or given secrets. */
  gateway(secrets?: Record<string, string>): Promise<WorkerSpec>;
  /** The bare hello Worker, with the gateway's compatibility date and flags. */
  hello(): Promise<WorkerSpec>;
  /** Starts workerd for a spec, pinned to the server CPU; stopped automatically when the scenario ends. */
  start(spec: WorkerSpec, options?: { readyPath?: string }): Promise<Workerd>;
  /** One warm-up + measured load run with the run-wide defaults; throws on non-2xx, errors, crashes. */
  measure(target: Workerd, load: LoadSpec): Promise<LoadResult>;
  /** A progress line on stderr (the report itself goes to stdout at the end). */
  progress(message: string): void;
}

export interface Scenario {
  /** Selects it on the command line: `npm run bench -- NAME`. */
  name: string;
  /** One line saying what is compared. */
  title: string;
  /** Rounds when --rounds is not given, for a scenario that needs more than the run-wide default. */
  defaultRounds?: number;
  run(ctx: BenchContext): Promise<ScenarioReport>;
}

export function meets(ratio: Ratio): boolean {
  return ratio.target.op === '>=' ? ratio.value >= ratio.target.value : ratio.value <= ratio.target.value;
}

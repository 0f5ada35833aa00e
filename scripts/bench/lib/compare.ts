// Measures several contenders in alternation so that drift of the machine (thermal, noisy
// neighbours) hits all of them alike, then summarises each by its medians. The order turns by one
// each round (A B C, B C A, C A B, ...), so no contender always runs first or right after another.
// A contender may be served by several processes of the same Worker, taken in turn round by
// round: one process can run a few percent faster or slower than another for its whole life
// (where its code and heap landed in memory, what its JIT settled on), and a ratio between
// single processes would carry that luck into every round.
import type { BenchContext, LoadSpec } from '../scenarios/types.ts';
import type { LoadResult } from './load.ts';
import { fmt, median, table } from './stats.ts';
import type { Workerd } from './workerd.ts';

export interface Contender {
  label: string;
  /** Processes serving this contender, all of the same Worker; round r measures targets[r % length]. */
  targets: readonly Workerd[];
  load: LoadSpec;
}

export interface Summary {
  label: string;
  runs: LoadResult[];
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  cpuUtilisation: number;
  loadGenUtilisation: number;
  logBytesPerRequest: number;
  non2xx: number;
}

export async function alternate(ctx: BenchContext, contenders: Contender[], rounds = ctx.options.rounds): Promise<Summary[]> {
  const runs = new Map<string, LoadResult[]>(contenders.map((c) => [c.label, []]));
  for (let round = 1; round <= rounds; round++) {
    const shift = (round - 1) % contenders.length;
    for (const contender of [...contenders.slice(shift), ...contenders.slice(0, shift)]) {
      const target = contender.targets[(round - 1) % contender.targets.length];
      if (!target) throw new Error(`contender "${contender.label}" has no process`);
      const result = await ctx.measure(target, contender.load);
      runs.get(contender.label)?.push(result);
      ctx.progress(
        `round ${round}/${rounds} ${contender.label}: ${fmt(result.rps)} req/s, p99 ${fmt(result.p99Ms, 2)} ms, ` +
          `${fmt(result.cpuMsPerRequest, 3)} CPU ms/req`,
      );
    }
  }
  return contenders.map((c) => summarise(c.label, runs.get(c.label) ?? []));
}

export function summarise(label: string, runs: LoadResult[]): Summary {
  const of = (pick: (r: LoadResult) => number) => median(runs.map(pick));
  return {
    label,
    runs,
    rps: of((r) => r.rps),
    p50Ms: of((r) => r.p50Ms),
    p99Ms: of((r) => r.p99Ms),
    cpuMsPerRequest: of((r) => r.cpuMsPerRequest),
    cpuUtilisation: of((r) => r.cpuUtilisation),
    loadGenUtilisation: of((r) => r.loadGenUtilisation),
    logBytesPerRequest: of((r) => r.logBytesPerRequest),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
  };
}

const HEADER = ['run', 'worker', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'CPU ms/req', 'workerd CPU', 'loadgen CPU', 'log B/req'];

/** Below this share of its CPU, workerd was not what limited a run. */
const SATURATED = 0.85;

function row(run: string, label: string, r: Omit<Summary, 'label' | 'runs'>, flag: boolean): string[] {
  return [
    run,
    label,
    fmt(r.rps),
    fmt(r.p50Ms, 2),
    fmt(r.p99Ms, 2),
    String(r.non2xx),
    fmt(r.cpuMsPerRequest, 3),
    `${fmt(r.cpuUtilisation * 100)}%${flag && r.cpuUtilisation < SATURATED ? ' !' : ''}`,
    `${fmt(r.loadGenUtilisation * 100)}%`,
    fmt(r.logBytesPerRequest),
  ];
}

/** Every run, round by round (within a round the order turns, see alternate()), then the medians. */
export function summaryTable(summaries: Summary[]): string[] {
  const rows: string[][] = [HEADER];
  const rounds = Math.max(...summaries.map((s) => s.runs.length));
  for (let i = 0; i < rounds; i++) {
    for (const s of summaries) {
      const r = s.runs[i];
      if (r) rows.push(row(String(i + 1), s.label, r, true));
    }
  }
  for (const s of summaries) rows.push(row('median', s.label, s, false));
  return table(rows);
}

/**
 * Warnings for runs in which workerd was not saturated: their req/s measures something else than
 * the Worker (a load generator at its limit, or other processes on the machine). Medians resist a
 * single such run; a contender whose median is affected is called out.
 */
export function saturationWarnings(summaries: Summary[]): string[] {
  const warnings: string[] = [];
  const disturbed = summaries.flatMap((s) => s.runs.filter((r) => r.cpuUtilisation < SATURATED));
  if (disturbed.length === 0) return warnings;
  const generatorBound = disturbed.some((r) => r.loadGenUtilisation >= 0.9);
  warnings.push(
    `  ! ${disturbed.length} run(s) had workerd below ${SATURATED * 100}% of its CPU: ` +
      (generatorBound
        ? 'the load generator was at its limit, so req/s understates the Worker.'
        : 'the load generator was not at its limit either, so other processes probably competed for the CPU.'),
  );
  for (const s of summaries) {
    if (s.cpuUtilisation < SATURATED) {
      warnings.push(`  WARNING: even the median run of "${s.label}" was disturbed; rerun on a quiet machine before trusting its numbers.`);
    }
  }
  return warnings;
}

/** The per-round ratios numerator/denominator, runs paired by round (each pair ran back to back). */
export function roundRatios(numerator: Summary, denominator: Summary, pick: (run: LoadResult) => number = (run) => run.rps): number[] {
  const pairs = Math.min(numerator.runs.length, denominator.runs.length);
  return Array.from({ length: pairs }, (_, index) => pick(numerator.runs[index]!) / pick(denominator.runs[index]!));
}

/**
 * Median of the per-round ratios numerator/denominator (runs paired by round). Each pair ran
 * back to back, so drift between rounds cancels out: steadier than a ratio of medians.
 */
export function pairedRatio(numerator: Summary, denominator: Summary, pick: (run: LoadResult) => number = (run) => run.rps): number {
  return median(roundRatios(numerator, denominator, pick));
}

// `npm run bench [-- [SCENARIO...] [OPTIONS]]`: load benchmarks of the built Worker on standalone
// workerd (never `wrangler dev`). Runs the selected scenarios (default: all), prints one block per
// scenario and then every ratio against its target (PASS/MISS). Exits non-zero only when a run
// errors (non-2xx answers, connection errors, a workerd crash, a failed build), never for a MISS.
//
// Adding a scenario:
//   1. Create scripts/bench/scenarios/NAME.ts exporting a `Scenario` (scenarios/types.ts):
//      `name`, `title`, and `run(ctx)` returning `{ lines, ratios, data }`.
//   2. Inside run(): `ctx.gateway()` / `ctx.hello()` give Worker specs (pass real secrets to
//      gateway() if the scenario needs stores), `ctx.start(spec, { readyPath })` starts a pinned
//      workerd that is stopped for you when the scenario ends, `ctx.measure(workerd, { path, ... })`
//      runs one warm-up + measured load and returns req/s, p50/p99, non-2xx and workerd CPU ms per
//      request; `alternate()` + `summaryTable()` (lib/compare.ts) do A/B rounds and the table.
//   3. Add it to the list in scripts/bench/scenarios/index.ts.
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { cleanupAll, installSignalHandlers } from './lib/cleanup.ts';
import { createContext, type RunState } from './lib/context.ts';
import { planCpus } from './lib/cpu.ts';
import { fmt, table } from './lib/stats.ts';
import { workerdBinary } from './lib/workerd.ts';
import { scenarios } from './scenarios/index.ts';
import { meets, type BenchOptions, type Ratio, type ScenarioReport } from './scenarios/types.ts';

const USAGE = `usage: npm run bench -- [SCENARIO...] [options]

scenarios (default: all):
${scenarios.map((s) => `  ${s.name.padEnd(20)} ${s.title}`).join('\n')}

options:
  --connections N   concurrent connections per load run (default 10)
  --duration S      measured seconds per load run (default 3)
  --warmup S        discarded warm-up seconds before each load run (default 1)
  --rounds N        rounds of alternating contenders (default 5, or the scenario's own)
  --no-pin          do not pin workerd and the load generator to separate CPUs
  --rebuild         rebuild the Worker even if the cached build matches the sources
  --self-test       serve the bare Worker in place of the gateway (checks the harness alone)
  --json FILE       also write all numbers to FILE
  --list            list the scenarios and exit`;

function positiveNumber(name: string, value: string | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || (integer && !Number.isInteger(parsed)) || (name !== 'warmup' && parsed === 0)) {
    throw new Error(`--${name} must be a ${integer ? 'positive integer' : 'positive number'}, got "${value}"`);
  }
  return parsed;
}

interface Outcome {
  name: string;
  title: string;
  report?: ScenarioReport;
  error?: string;
  seconds: number;
  rounds: number;
}

function versionOf(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
      'self-test': { type: 'boolean', default: false },
      json: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || values.list) {
    process.stdout.write(`${values.help ? USAGE : scenarios.map((s) => `${s.name}  ${s.title}`).join('\n')}\n`);
    return 0;
  }
  const options: BenchOptions = {
    connections: positiveNumber('connections', values.connections, 10, true),
    durationS: positiveNumber('duration', values.duration, 3, false),
    warmupS: positiveNumber('warmup', values.warmup, 1, false),
    rounds: positiveNumber('rounds', values.rounds, 5, true),
    pin: !values['no-pin'],
    rebuild: values.rebuild,
    selfTest: values['self-test'],
  };
  const unknown = positionals.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenario: ${unknown.join(', ')}\n\n${USAGE}\n`);
    return 2;
  }
  const selected = positionals.length > 0 ? scenarios.filter((s) => positionals.includes(s.name)) : scenarios;

  installSignalHandlers();
  const cpus = planCpus(options.pin);
  const state: RunState = {};
  const outcomes: Outcome[] = [];
  for (const scenario of selected) {
    process.stderr.write(`bench: == ${scenario.name}\n`);
    const rounds = values.rounds === undefined ? (scenario.defaultRounds ?? options.rounds) : options.rounds;
    const ctx = createContext({ ...options, rounds }, cpus, state);
    const began = Date.now();
    const outcome: Outcome = { name: scenario.name, title: scenario.title, seconds: 0, rounds };
    try {
      outcome.report = await scenario.run(ctx);
    } catch (error) {
      outcome.error = error instanceof Error ? (error.name === 'Error' ? error.message : `${error.name}: ${error.message}`) : String(error);
      process.stderr.write(`bench: ${scenario.name} failed: ${outcome.error.split('\n')[0]}\n`);
    } finally {
      await ctx.stopAll();
      outcome.seconds = (Date.now() - began) / 1000;
    }
    outcomes.push(outcome);
  }
  await cleanupAll();

  // ---------------------------------------------------------------- report
  const out: string[] = [];
  const gateway = options.selfTest
    ? 'SELF-TEST: the bare hello Worker stands in for the gateway'
    : state.build
      ? `gateway build ${state.build.hash}${state.build.cached ? ' (cached)' : ''}`
      : 'gateway not built';
  out.push('', `Flow benchmark, ${new Date().toISOString()}`);
  out.push(`  node ${process.version}, ${versionOf(workerdBinary(), ['--version'])}, ${cpus.count} CPUs; ${cpus.note}`);
  out.push(
    `  each load run: ${options.connections} connections, ${options.warmupS} s warm-up (discarded; ` +
      `${options.warmupS === 0 ? 0 : Math.max(2, 3 * options.warmupS)} s before the first run on each workerd) + ${options.durationS} s measured;`,
    `  ${options.rounds} rounds where contenders alternate (unless a scenario says otherwise); ${gateway}`,
  );
  const ratios: { scenario: string; ratio: Ratio }[] = [];
  for (const outcome of outcomes) {
    out.push('', `== ${outcome.name}: ${outcome.title}  (${fmt(outcome.seconds, 1)} s, ${outcome.rounds} rounds)`);
    if (outcome.error) {
      out.push('  ERROR (run failed, numbers unusable):', ...outcome.error.split('\n').map((line) => `  ${line}`));
      continue;
    }
    out.push(...(outcome.report?.lines ?? []));
    for (const ratio of outcome.report?.ratios ?? []) ratios.push({ scenario: outcome.name, ratio });
  }
  out.push('', '== Ratios');
  if (ratios.length === 0) out.push('  (none)');
  else
    out.push(
      ...table([
      ['scenario', 'ratio', 'value', 'target', 'result'],
      ...ratios.map(({ scenario, ratio }) => [
        scenario,
        ratio.label,
        fmt(ratio.value, 2),
        `${ratio.target.op} ${ratio.target.value.toFixed(2)}`,
          meets(ratio) ? 'PASS' : 'MISS',
        ]),
      ]),
    );
  const failed = outcomes.filter((o) => o.error);
  const missed = ratios.filter(({ ratio }) => !meets(ratio));
  out.push(
    '',
    `${outcomes.length} scenario(s) run, ${failed.length} failed; ${ratios.length - missed.length} target(s) met, ${missed.length} missed.`,
    '',
  );
  process.stdout.write(out.join('\n'));

  if (values.json) {
    const json = {
      date: new Date().toISOString(),
      options,
      cpus: cpus.note,
      build: state.build ? { hash: state.build.hash, cached: state.build.cached } : undefined,
      scenarios: outcomes.map((o) => ({ name: o.name, error: o.error, seconds: o.seconds, ratios: o.report?.ratios, data: o.report?.data })),
    };
    writeFileSync(values.json, `${JSON.stringify(json, null, 2)}\n`);
  }
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    await cleanupAll();
    process.exit(1);
  },
);

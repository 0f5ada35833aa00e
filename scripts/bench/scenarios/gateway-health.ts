// GET /health through the gateway's full middleware chain (correlation id, logger, config, CORS,
// security headers, deadline, input rules, problem+json errors) against a bare hello Worker, same
// machine, same run, alternating: what does the chain cost in throughput and in CPU? A third
// Worker sends the very response /health sends and does nothing else, which splits that cost
// into the response the API must send and the chain itself. Each Worker runs in several workerd
// processes taken in turn (see lib/compare.ts): on these machines one process of the very same
// Worker can run several percent faster than another for its whole life.
import { benchWorkerSpec } from '../lib/bundle.ts';
import { alternate, pairedRatio, roundRatios, saturationWarnings, summaryTable, type Summary } from '../lib/compare.ts';
import { fmt, medianRange } from '../lib/stats.ts';
import type { Workerd, WorkerSpec } from '../lib/workerd.ts';
import type { Scenario } from './types.ts';

const cpuMore = (more: Summary, less: Summary) => fmt(more.cpuMsPerRequest - less.cpuMsPerRequest, 3);

/** workerd processes per Worker; rounds go through them in turn. */
const PROCESSES = 3;

export const gatewayHealth: Scenario = {
  name: 'gateway-health',
  title: 'GET /health through the full middleware chain vs a bare hello Worker',
  defaultRounds: 4 * PROCESSES,
  async run(ctx) {
    const bareSpec = await ctx.hello();
    const responseSpec = await benchWorkerSpec(bareSpec, 'required-response', 'response');
    const chainSpec = await ctx.gateway();
    const processes = async (spec: WorkerSpec, readyPath: string) => {
      const started: Workerd[] = [];
      for (let i = 0; i < PROCESSES; i++) started.push(await ctx.start(spec, { readyPath }));
      return started;
    };
    const bare = await processes(bareSpec, '/');
    const response = await processes(responseSpec, '/');
    const chain = await processes(chainSpec, '/health');

    const [bareRuns, responseRuns, chainRuns] = await alternate(ctx, [
      { label: 'bare', targets: bare, load: { path: '/' } },
      { label: 'response', targets: response, load: { path: '/' } },
      { label: 'chain', targets: chain, load: { path: '/health' } },
    ]);
    if (!bareRuns || !responseRuns || !chainRuns) throw new Error('no runs');

    const ratio = pairedRatio(chainRuns, bareRuns);
    const chainOverBare = roundRatios(chainRuns, bareRuns);
    const [likelyLow, likelyHigh] = medianRange(chainOverBare);
    const lines = [
      ...summaryTable([bareRuns, responseRuns, chainRuns]),
      '',
      `  chain/bare req/s: ${fmt(ratio, 2)} (median of the per-round ratios; ratio of the medians ${fmt(chainRuns.rps / bareRuns.rps, 2)})`,
      // A reading near the target is told from a real change by how far the median could move by chance.
      `  another run of as many rounds would likely read ${fmt(likelyLow, 2)} to ${fmt(likelyHigh, 2)} (90% bootstrap range of that median)`,
      // How far single rounds stray shows how much a noisy machine moved the median.
      `  per-round ratios: ${chainOverBare.map((value) => fmt(value, 2)).join(' ')} ` +
        `(${PROCESSES} workerd processes per Worker, taken in turn)`,
      `  where the difference goes: response/bare ${fmt(pairedRatio(responseRuns, bareRuns), 2)} (the response /health must send, ` +
        `built by the gateway's code, without the chain), chain/response ${fmt(pairedRatio(chainRuns, responseRuns), 2)} (the chain itself)`,
      `  workerd CPU per request: bare ${fmt(bareRuns.cpuMsPerRequest, 3)} ms, response ${fmt(responseRuns.cpuMsPerRequest, 3)} ms, ` +
        `chain ${fmt(chainRuns.cpuMsPerRequest, 3)} ms (the response costs ${cpuMore(responseRuns, bareRuns)} ms more than bare, ` +
        `the chain ${cpuMore(chainRuns, responseRuns)} ms more than the response; the whole process is counted, HTTP handling included, ` +
        'so this is above what Workers bills as CPU time)',
      ...saturationWarnings([bareRuns, responseRuns, chainRuns]),
    ];
    return {
      lines,
      ratios: [{ label: 'chain/bare req/s', value: ratio, target: { op: '>=', value: 0.7 } }],
      data: { bare: bareRuns, response: responseRuns, chain: chainRuns, ratio },
    };
  },
};

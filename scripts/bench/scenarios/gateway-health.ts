// GET /health through the gateway's full middleware chain (correlation id, logger, config, CORS,
// security headers, deadline, input rules, problem+json errors) against a bare hello Worker, same
// machine, same run, alternating: what does the chain cost in throughput and in CPU?
import { alternate, pairedRatio, roundRatios, saturationWarnings, summaryTable } from '../lib/compare.ts';
import { fmt } from '../lib/stats.ts';
import type { Scenario } from './types.ts';

export const gatewayHealth: Scenario = {
  name: 'gateway-health',
  title: 'GET /health through the full middleware chain vs a bare hello Worker',
  async run(ctx) {
    const bareSpec = await ctx.hello();
    const chainSpec = await ctx.gateway();
    const bare = await ctx.start(bareSpec, { readyPath: '/' });
    const chain = await ctx.start(chainSpec, { readyPath: '/health' });

    const [bareRuns, chainRuns] = await alternate(ctx, [
      { label: 'bare', target: bare, load: { path: '/' } },
      { label: 'chain', target: chain, load: { path: '/health' } },
    ]);
    if (!bareRuns || !chainRuns) throw new Error('no runs');

    const ratio = pairedRatio(chainRuns, bareRuns);
    const lines = [
      ...summaryTable([bareRuns, chainRuns]),
      '',
      `  chain/bare req/s: ${fmt(ratio, 2)} (median of the per-round ratios; ratio of the medians ${fmt(chainRuns.rps / bareRuns.rps, 2)})`,
      // How far single rounds stray shows how much a noisy machine moved the median.
      `  per-round ratios: ${roundRatios(chainRuns, bareRuns).map((value) => fmt(value, 2)).join(' ')}`,
      `  workerd CPU per request: bare ${fmt(bareRuns.cpuMsPerRequest, 3)} ms, chain ${fmt(chainRuns.cpuMsPerRequest, 3)} ms ` +
        `(chain costs ${fmt(chainRuns.cpuMsPerRequest - bareRuns.cpuMsPerRequest, 3)} ms more; the whole process is counted, ` +
        'HTTP handling included, so this is above what Workers bills as CPU time)',
      ...saturationWarnings([bareRuns, chainRuns]),
    ];
    return {
      lines,
      ratios: [{ label: 'chain/bare req/s', value: ratio, target: { op: '>=', value: 0.7 } }],
      data: { bare: bareRuns, chain: chainRuns, ratio },
    };
  },
};

// CPU per password hash in workerd: the default policy against the other algorithm at the cost OWASP
// rates as equivalent, on a small Worker of its own (scripts/bench/workers/password-hash.ts, bundled
// here with esbuild) so that nothing but the hash is measured. Light load: a hash costs ~100x a plain request.
import type { PasswordPolicy } from '../../../shared/auth/password.ts';
import { benchWorkerSpec } from '../lib/bundle.ts';
import { alternate, saturationWarnings, summaryTable } from '../lib/compare.ts';
import { fmt } from '../lib/stats.ts';
import type { Scenario } from './types.ts';

const CONNECTIONS = 2;
const MAX_ROUNDS = 3;

function describe(policy: PasswordPolicy): string {
  return policy.algorithm === 'argon2id'
    ? `argon2id m=${policy.memoryKiB} KiB, t=${policy.iterations}, p=${policy.parallelism}`
    : `scrypt N=2^${policy.logN}, r=${policy.r}, p=${policy.p}`;
}

export const passwordHash: Scenario = {
  name: 'password-hash',
  title: 'workerd CPU per password hash: default policy vs the other algorithm at equivalent cost',
  async run(ctx) {
    const worker = await ctx.start(await benchWorkerSpec(await ctx.hello(), 'password-hash'), { readyPath: '/policies' });
    const policies = (await (await fetch(worker.url('/policies'))).json()) as Record<'default' | 'alternative', PasswordPolicy>;

    const load = (path: string) => ({ path, connections: CONNECTIONS });
    const [chosen, other] = await alternate(
      ctx,
      [
        { label: policies.default.algorithm, targets: [worker], load: load('/hash/default') },
        { label: policies.alternative.algorithm, targets: [worker], load: load('/hash/alternative') },
      ],
      Math.min(ctx.options.rounds, MAX_ROUNDS),
    );
    if (!chosen || !other) throw new Error('no runs');

    const lines = [
      ...summaryTable([chosen, other]),
      '',
      `  default:     ${describe(policies.default)}: ${fmt(chosen.cpuMsPerRequest, 1)} CPU ms per hash`,
      `  alternative: ${describe(policies.alternative)}: ${fmt(other.cpuMsPerRequest, 1)} CPU ms per hash`,
      `  (${CONNECTIONS} connections; the whole workerd process is counted, HTTP included, but the hash is ~99% of it)`,
      ...saturationWarnings([chosen, other]),
    ];
    return {
      lines,
      ratios: [{ label: 'hash CPU ms', value: chosen.cpuMsPerRequest, target: { op: '<=', value: 250 } }],
      data: { policies, default: chosen, alternative: other },
    };
  },
};

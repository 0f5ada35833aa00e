// The benchmark harness (scripts/bench): parsing, config generation, statistics, and one real
// workerd start/stop with the bare Worker (no load run: that is `npm run bench`'s job).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { helloSpec, specFromConfig } from '../../scripts/bench/lib/build.ts';
import { benchWorkerSpec } from '../../scripts/bench/lib/bundle.ts';
import { alternate, pairedRatio, roundRatios, summarise } from '../../scripts/bench/lib/compare.ts';
import { parseCpuList, parseProcStat } from '../../scripts/bench/lib/cpu.ts';
import type { LoadResult } from '../../scripts/bench/lib/load.ts';
import { median, medianRange, percentile, table } from '../../scripts/bench/lib/stats.ts';
import { capnpString, renderConfig, startWorkerd, type Workerd } from '../../scripts/bench/lib/workerd.ts';
import { meets, type BenchContext } from '../../scripts/bench/scenarios/types.ts';

describe('bench harness', () => {
  it('reads utime and stime from /proc/PID/stat, even with odd command names', () => {
    const stat = '4242 (work (erd) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 3 0 100 0 0';
    expect(parseProcStat(stat)).toEqual({ utimeTicks: 1234, stimeTicks: 567 });
    expect(() => parseProcStat('garbage')).toThrow();
  });

  it('expands kernel CPU lists', () => {
    expect(parseCpuList('0-1')).toEqual([0, 1]);
    expect(parseCpuList('0,2-4,7\n')).toEqual([0, 2, 3, 4, 7]);
  });

  it('escapes capnp string literals', () => {
    expect(capnpString('plain')).toBe('"plain"');
    expect(capnpString('a"b\\c\nd\u0001é')).toBe('"a\\"b\\\\c\\nd\\x01é"');
  });

  it('turns wrangler config into bindings: vars, secrets, Durable Objects (SQLite from migrations), queue producers', () => {
    const config = {
      compatibility_date: '2026-11-01',
      compatibility_flags: ['nodejs_compat'],
      vars: { APP_ENV: 'development', LIMITS: { a: 1 } },
      durable_objects: { bindings: [{ name: 'MONGO_POOL', class_name: 'MongoPool' }] },
      migrations: [{ tag: 'v1', new_sqlite_classes: ['MongoPool'] }],
      queues: { producers: [{ binding: 'EVENT_BUS', queue: 'flow-events' }] },
    } as unknown as Parameters<typeof specFromConfig>[1];
    const spec = specFromConfig('gateway', config, [{ name: 'index.js', path: '/x/index.js', type: 'esModule' }], { DATABASE_URL: 'postgres://x' });
    expect(spec.bindings).toEqual([
      { name: 'APP_ENV', kind: 'text', value: 'development' },
      { name: 'LIMITS', kind: 'json', value: { a: 1 } },
      { name: 'DATABASE_URL', kind: 'text', value: 'postgres://x' },
      { name: 'MONGO_POOL', kind: 'durableObject', className: 'MongoPool' },
      { name: 'EVENT_BUS', kind: 'queue' },
    ]);
    expect(spec.durableObjects).toEqual([{ className: 'MongoPool', sql: true }]);

    const capnp = renderConfig(spec, '/x/run', '/x/run/do');
    expect(capnp).toContain('(name = "main", worker = (');
    expect(capnp).toContain('(name = "index.js", esModule = embed "../index.js")');
    expect(capnp).toContain('(name = "LIMITS", json = "{\\"a\\":1}")');
    expect(capnp).toContain('(name = "MONGO_POOL", durableObjectNamespace = (className = "MongoPool"))');
    expect(capnp).toContain('enableSql = true');
    expect(capnp).toContain('durableObjectStorage = (localDisk = "do-storage")');
    expect(capnp).toContain('(name = "EVENT_BUS", queue = "queue-sink")');
    expect(capnp).toContain('(name = "queue-sink", worker = (');
    expect(capnp).toContain('address = "127.0.0.1:0"');
  });

  it('refuses wrangler bindings it cannot serve', () => {
    const config = { kv_namespaces: [{ binding: 'KV', id: 'x' }] } as unknown as Parameters<typeof specFromConfig>[1];
    expect(() => specFromConfig('gateway', config, [], {})).toThrow(/kv_namespaces/);
  });

  it('computes percentiles, medians and targets', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([], 0.5)).toBeNaN();
    expect(median([3, 1, 2])).toBe(2);
    expect(meets({ label: 'r', value: 0.7, target: { op: '>=', value: 0.7 } })).toBe(true);
    expect(meets({ label: 'r', value: 0.69, target: { op: '>=', value: 0.7 } })).toBe(false);
    expect(meets({ label: 'r', value: 1.2, target: { op: '<=', value: 1.1 } })).toBe(false);
    expect(table([['a', 'bb'], ['ccc', 'd']], '')).toEqual(['a    bb', 'ccc  d']);
  });

  it('gives the range a median of noisy rounds would likely land in, the same each time for the same rounds', () => {
    const steady = [0.74, 0.74, 0.74, 0.74];
    expect(medianRange(steady)).toEqual([0.74, 0.74]);
    const noisy = [0.82, 0.66, 0.74, 0.65, 0.93, 0.76, 0.68, 0.79, 0.92, 0.7, 0.59, 0.75];
    const [low, high] = medianRange(noisy);
    expect(low).toBeLessThan(median(noisy));
    expect(high).toBeGreaterThan(median(noisy));
    expect(low).toBeGreaterThanOrEqual(Math.min(...noisy));
    expect(high).toBeLessThanOrEqual(Math.max(...noisy));
    expect(medianRange(noisy)).toEqual([low, high]);
    // Twice the spread around the same centre gives about twice the range.
    const wider = noisy.map((value) => 0.745 + 2 * (value - 0.745));
    const [wideLow, wideHigh] = medianRange(wider);
    expect(wideHigh - wideLow).toBeCloseTo(2 * (high - low), 6);
    expect(medianRange([])).toEqual([Number.NaN, Number.NaN]);
  });

  it('alternates contenders with the order turning each round, keeping each one\'s runs in round order', async () => {
    const measured: string[] = [];
    const ctx = {
      options: { rounds: 4 },
      progress: () => {},
      measure: async (_target: Workerd, load: { path: string }) => {
        measured.push(load.path);
        return { rps: measured.length } as LoadResult;
      },
    } as unknown as BenchContext;
    const contender = (label: string) => ({ label, targets: [{} as Workerd], load: { path: label } });
    const [a, b, c] = await alternate(ctx, [contender('a'), contender('b'), contender('c')]);
    expect(measured.join(' ')).toBe('a b c b c a c a b a b c');
    expect(a!.runs.map((run) => run.rps)).toEqual([1, 6, 8, 10]);
    expect(b!.runs.map((run) => run.rps)).toEqual([2, 4, 9, 11]);
    expect(c!.runs.map((run) => run.rps)).toEqual([3, 5, 7, 12]);
  });

  it('takes a contender\'s processes in turn, round by round, pairing the same turn of each contender', async () => {
    const measured: string[] = [];
    const ctx = {
      options: { rounds: 5 },
      progress: () => {},
      measure: async (target: Workerd) => {
        measured.push(target.label);
        return { rps: 1 } as LoadResult;
      },
    } as unknown as BenchContext;
    const processes = (label: string) => [1, 2, 3].map((n) => ({ label: `${label}${n}` }) as Workerd);
    await alternate(ctx, [
      { label: 'bare', targets: processes('bare'), load: { path: '/' } },
      { label: 'chain', targets: processes('chain'), load: { path: '/' } },
    ]);
    expect(measured.join(' ')).toBe('bare1 chain1 chain2 bare2 bare3 chain3 chain1 bare1 bare2 chain2');
  });

  it('pairs runs by round: per-round ratios and their median', () => {
    const runs = (rps: number[]) => rps.map((value) => ({ rps: value }) as LoadResult);
    const chain = summarise('chain', runs([70, 60, 90]));
    const bare = summarise('bare', runs([100, 100, 100]));
    expect(roundRatios(chain, bare)).toEqual([0.7, 0.6, 0.9]);
    expect(pairedRatio(chain, bare)).toBe(0.7);
  });

  it('starts the bare Worker on workerd on a free port, accounts its CPU and stops it', async () => {
    const workerd = await startWorkerd(helloSpec('2026-11-01', []), { readyPath: '/' });
    try {
      expect(workerd.port).toBeGreaterThan(0);
      const response = await fetch(workerd.url('/'));
      expect(await response.text()).toBe('ok');
      expect(workerd.cpuMs()).toBeGreaterThanOrEqual(0);
    } finally {
      await workerd.stop();
    }
    expect(existsSync(`/proc/${workerd.pid}`)).toBe(false);
  });

  it('serves the response-only Worker: what GET /health sends (gateway headers, fresh correlation ids, JSON), nothing else', async () => {
    const workerd = await startWorkerd(await benchWorkerSpec(helloSpec('2026-11-01', []), 'required-response', 'response'), { readyPath: '/' });
    try {
      const [first, second] = await Promise.all([fetch(workerd.url('/')), fetch(workerd.url('/anything'))]);
      for (const response of [first, second]) {
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/json');
        expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(response.headers.get('strict-transport-security')).toContain('max-age=31536000');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('x-frame-options')).toBe('DENY');
        expect(response.headers.get('vary')).toBe('Origin');
        expect(await response.json()).toEqual({ status: 'ok', time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
      }
      expect(first.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(first.headers.get('x-correlation-id')).not.toBe(second.headers.get('x-correlation-id'));
    } finally {
      await workerd.stop();
    }
  });
});

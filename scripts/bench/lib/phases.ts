// Load phases for scenarios whose requests differ one from the next (a token, a client IP, a body
// per request): a closed loop (every request awaited; for few, costly requests) or autocannon (for
// many cheap ones), bracketed by samples of workerd's CPU taken when it is idle.
import autocannon, { type Options as AutocannonOptions } from 'autocannon';
import type { BenchContext } from '../scenarios/types.ts';
import { pinSelf, type CpuPlan } from './cpu.ts';
import { RunError, type LoadResult } from './load.ts';
import { percentile } from './stats.ts';
import { formatTail, type Workerd } from './workerd.ts';

const REQUEST_TIMEOUT_MS = 10_000;

/** One load phase: what to send next (called per request) and what to do with each answer. */
export interface Phase {
  label: string;
  method: 'GET' | 'POST';
  path: string;
  connections: number;
  /** closed-loop: every request awaited (few, costly requests); autocannon: lighter on the load CPU (many, cheap ones). */
  driver: 'closed-loop' | 'autocannon';
  /** The next request; `path` overrides the phase's path (e.g. a different query each time). */
  next(): { headers: Record<string, string>; body?: string; path?: string };
  onAnswer?(status: number, body: string): void;
}

/** Client addresses 10.0.0.1, 10.0.0.2, ...: one per request, so no per-IP counter ever passes 1. */
export function ipSource(): () => string {
  let n = 0;
  return () => {
    n++;
    if (n >= 2 ** 24) throw new Error('ran out of client IPs');
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  };
}

/** Stores on CPUs of their own when there are spare ones, else beside the load generator (never on workerd's). */
export function storeCpus(cpus: CpuPlan): string | undefined {
  if (cpus.allCpus === undefined) return undefined;
  const all = cpus.allCpus.split(',').map(Number);
  const spare = all.filter((cpu) => cpu !== cpus.serverCpu && cpu !== cpus.loadCpu);
  return (spare.length > 0 ? spare : [cpus.loadCpu]).join(',');
}

interface Driven {
  requests: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  firstFailure?: string;
}

/**
 * Closed-loop load: `phase.connections` loops, each sending its next request as soon as the last
 * one is answered, until `durationS` is over; every request started is awaited. Unlike a load run
 * cut off at its deadline, no abandoned request keeps workerd busy after the run: with a login
 * every ~200 ms, two cut-off hashes would skew a few seconds' count by a third.
 */
async function driveClosedLoop(target: Workerd, phase: Phase, durationS: number, latencies: number[]): Promise<Driven> {
  const driven: Driven = { requests: 0, non2xx: 0, errors: 0, statusCodes: {} };
  const deadline = performance.now() + durationS * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const next = phase.next();
      const started = performance.now();
      try {
        const response = await fetch(target.url(next.path ?? phase.path), {
          method: phase.method,
          headers: next.headers,
          ...(next.body !== undefined ? { body: next.body } : {}),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = await response.text();
        latencies.push(performance.now() - started);
        driven.requests++;
        driven.statusCodes[response.status] = (driven.statusCodes[response.status] ?? 0) + 1;
        if (!response.ok) {
          driven.non2xx++;
          driven.firstFailure ??= `${response.status} ${body.slice(0, 500)}`;
        }
        phase.onAnswer?.(response.status, body);
      } catch (error) {
        driven.errors++;
        driven.firstFailure ??= error instanceof Error ? `${error.name}: ${error.cause instanceof Error ? error.cause.message : error.message}` : String(error);
        // A refused connection fails at once: do not spin.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: phase.connections }, loop));
  return driven;
}

/** autocannon's `requests` option (a request built per call), which scripts/bench/autocannon.d.ts does not declare. */
interface RequestSpec {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
type PerRequestOptions = AutocannonOptions & {
  requests: Array<Omit<RequestSpec, 'headers'> & { setupRequest(request: RequestSpec): RequestSpec; onResponse(status: number, body: string): void }>;
};

/**
 * autocannon with a request built per call. Its run is cut off at the deadline: up to
 * `connections` requests are abandoned, whose CPU lands in the run (settle() waits for it) without
 * being counted; for thousands of ~1 ms requests that is well under 1%.
 */
async function driveAutocannon(target: Workerd, phase: Phase, durationS: number, latencies: number[]): Promise<Driven> {
  let firstFailure: string | undefined;
  const options: PerRequestOptions = {
    url: target.url('/'),
    connections: phase.connections,
    duration: durationS,
    timeout: REQUEST_TIMEOUT_MS / 1000,
    requests: [
      {
        method: phase.method,
        path: phase.path,
        setupRequest: (request) => {
          const next = phase.next();
          return { ...request, path: next.path ?? request.path, headers: { ...request.headers, ...next.headers }, ...(next.body !== undefined ? { body: next.body } : {}) };
        },
        onResponse: (status, body) => {
          if ((status < 200 || status > 299) && firstFailure === undefined) firstFailure = `${status} ${body.slice(0, 500)}`;
          phase.onAnswer?.(status, body);
        },
      },
    ],
  };
  const instance = autocannon(options);
  instance.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.push(responseTimeMs));
  const result = await instance;
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;
  return {
    requests: latencies.length,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes,
    ...(firstFailure !== undefined ? { firstFailure } : {}),
  };
}

function drive(target: Workerd, phase: Phase, durationS: number, latencies: number[]): Promise<Driven> {
  return phase.driver === 'autocannon' ? driveAutocannon(target, phase, durationS, latencies) : driveClosedLoop(target, phase, durationS, latencies);
}

/** Waits (at most `maxMs`) until workerd is idle: at most one clock tick of CPU in a 200 ms window. */
export async function settle(target: Workerd, maxMs = 5_000): Promise<void> {
  const until = Date.now() + maxMs;
  let last = target.cpuMs();
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = target.cpuMs();
    if (now - last <= 10) return;
    last = now;
  }
}

/**
 * Warm-up (discarded), then a measured run with workerd's CPU sampled when it is idle before and
 * after (so work a request leaves for after its answer, waitUntil, is counted with it).
 */
export async function measurePhase(ctx: BenchContext, target: Workerd, phase: Phase, warmupS: number): Promise<LoadResult> {
  pinSelf(ctx.cpus.loadCpu);
  const fail = (problems: string[], driven: Driven) => {
    const tail = target.logTail(8_000).trimEnd();
    return new RunError(
      `${phase.method} ${phase.path} on ${target.label}: ${problems.join(', ')}` +
        (driven.firstFailure ? `\n  first failure: ${driven.firstFailure}` : '') +
        (tail ? `\n  workerd output (tail):\n${formatTail(tail)}` : ''),
    );
  };
  target.assertAlive();
  if (warmupS > 0) {
    const warm = await drive(target, phase, warmupS, []);
    if (warm.non2xx > 0 || warm.errors > 0) throw fail([`warm-up: ${warm.non2xx} non-2xx answers, ${warm.errors} errors`], warm);
    target.assertAlive();
  }
  await settle(target);
  target.trimLog();

  const latencies: number[] = [];
  const cpuBefore = target.cpuMs();
  const selfBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const driven = await drive(target, phase, ctx.options.durationS, latencies);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const self = process.cpuUsage(selfBefore);
  await settle(target);
  target.assertAlive();
  const cpuMs = target.cpuMs() - cpuBefore;
  const logBytes = target.logBytes();

  latencies.sort((a, b) => a - b);
  const requests = driven.requests;
  const problems: string[] = [];
  if (requests === 0) problems.push('no request was answered');
  if (driven.non2xx > 0) {
    const codes = Object.entries(driven.statusCodes).filter(([code]) => !code.startsWith('2')).map(([code, n]) => `${n}x ${code}`);
    problems.push(`${driven.non2xx} non-2xx answers (${codes.join(', ')})`);
  }
  if (driven.errors > 0) problems.push(`${driven.errors} failed requests (connection errors or ${REQUEST_TIMEOUT_MS / 1000} s timeouts)`);
  if (problems.length > 0) throw fail(problems, driven);
  target.trimLog();
  return {
    requests,
    durationS: wallMs / 1000,
    rps: requests / (wallMs / 1000),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    meanMs: latencies.reduce((sum, value) => sum + value, 0) / requests,
    non2xx: driven.non2xx,
    errors: driven.errors,
    timeouts: 0,
    statusCodes: driven.statusCodes,
    cpuMs,
    cpuMsPerRequest: cpuMs / requests,
    cpuUtilisation: cpuMs / wallMs,
    loadGenUtilisation: (self.user + self.system) / 1000 / wallMs,
    logBytesPerRequest: logBytes / requests,
  };
}

export async function post(target: Workerd, path: string, ip: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(target.url(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, 'user-agent': 'flow-bench' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}

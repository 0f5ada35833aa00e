// One load measurement against a running workerd: a discarded warm-up, then a measured phase with
// a fixed number of connections for a fixed time (autocannon, in this process), bracketed by
// samples of workerd's CPU time.
import autocannon, { type Options as AutocannonOptions } from 'autocannon';
import { percentile } from './stats.ts';
import { formatTail, type Workerd } from './workerd.ts';

export interface LoadOptions {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  /** Measured phase, seconds. */
  durationS: number;
  /** Warm-up phase, seconds (its numbers are discarded). 0 to skip. */
  warmupS: number;
  /** Accept non-2xx answers instead of failing the run (for scenarios that expect them). */
  allowNon2xx?: boolean;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  /** Latencies in ms, from per-request timings (autocannon's own histogram rounds to whole ms). */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** workerd CPU time (user + system) during the measured phase. */
  cpuMs: number;
  cpuMsPerRequest: number;
  /** cpuMs / wall time: ~1.0 means workerd's one core was saturated (the server was the bottleneck). */
  cpuUtilisation: number;
  /** CPU of this process (the load generator) / wall time: ~1.0 means the generator, not workerd, may set the pace. */
  loadGenUtilisation: number;
  /** Bytes workerd wrote to stdout/stderr per request (the Worker's logs). */
  logBytesPerRequest: number;
}

export class RunError extends Error {
  override name = 'RunError';
}

function autocannonOptions(target: Workerd, load: LoadOptions, durationS: number): AutocannonOptions {
  const options: AutocannonOptions = { url: target.url(load.path), connections: load.connections, duration: durationS, timeout: 10 };
  if (load.method) options.method = load.method;
  if (load.headers) options.headers = load.headers;
  if (load.body !== undefined) options.body = load.body;
  return options;
}

async function describeFailure(target: Workerd, load: LoadOptions): Promise<string> {
  const lines: string[] = [];
  try {
    const init: RequestInit = { method: load.method ?? 'GET', signal: AbortSignal.timeout(5_000) };
    if (load.headers) init.headers = load.headers;
    if (load.body !== undefined) init.body = load.body;
    const response = await fetch(target.url(load.path), init);
    lines.push(`  one more ${init.method} ${load.path} now answers ${response.status}: ${(await response.text()).slice(0, 500)}`);
  } catch (error) {
    lines.push(`  one more request failed too: ${String(error)}`);
  }
  const tail = target.logTail(8_000).trimEnd();
  if (tail) lines.push('  workerd output (tail):', formatTail(tail));
  return lines.join('\n');
}

/** Runs the warm-up and the measured phase; throws RunError on non-2xx answers, errors or a workerd crash. */
export async function measure(target: Workerd, load: LoadOptions): Promise<LoadResult> {
  target.assertAlive();
  if (load.warmupS > 0) {
    await autocannon(autocannonOptions(target, load, load.warmupS));
    target.assertAlive();
  }
  target.trimLog();

  const latencies: number[] = [];
  const cpuBefore = target.cpuMs();
  const selfBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const instance = autocannon(autocannonOptions(target, load, load.durationS));
  instance.on('response', (_client, _status, _bytes, responseTimeMs) => {
    latencies.push(responseTimeMs);
  });
  const result = await instance;
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const self = process.cpuUsage(selfBefore);
  target.assertAlive();
  const cpuMs = target.cpuMs() - cpuBefore;
  const logBytes = target.logBytes();

  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;
  const measured: LoadResult = {
    requests,
    durationS: wallMs / 1000,
    rps: requests / (wallMs / 1000),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    meanMs: requests ? latencies.reduce((sum, value) => sum + value, 0) / requests : Number.NaN,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    cpuMs,
    cpuMsPerRequest: requests ? cpuMs / requests : Number.NaN,
    cpuUtilisation: cpuMs / wallMs,
    loadGenUtilisation: (self.user + self.system) / 1000 / wallMs,
    logBytesPerRequest: requests ? logBytes / requests : 0,
  };

  const problems: string[] = [];
  if (requests === 0) problems.push('no request was answered');
  if (measured.non2xx > 0 && !load.allowNon2xx) {
    const codes = Object.entries(statusCodes).filter(([code]) => !code.startsWith('2')).map(([code, n]) => `${n}x ${code}`);
    problems.push(`${measured.non2xx} non-2xx answers (${codes.join(', ')})`);
  }
  if (measured.errors > 0) problems.push(`${measured.errors} connection errors`);
  if (measured.timeouts > 0) problems.push(`${measured.timeouts} timeouts`);
  if (problems.length > 0) {
    throw new RunError(`${load.method ?? 'GET'} ${load.path} on ${target.label}: ${problems.join(', ')}\n${await describeFailure(target, load)}`);
  }
  target.trimLog();
  return measured;
}

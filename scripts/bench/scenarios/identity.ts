// Identity on real stores: POST /api/v1/auth/login (a password verification, a session row, tokens)
// and GET /api/v1/users/me with a bearer token (token check, revocation and rate-limit lookups in
// Redis, a Postgres read), on the built gateway in standalone workerd with the local stack (Postgres
// + Neon bridge, Redis + Upstash REST, CongoDB) in a process of its own. Users are registered and
// logged in through the API first. Every request comes from another client IP and login cycles
// through the users, so no throttle (login: 20 per IP and 10 per account per 15 min; API: 100 per
// IP, 1000 per user) ever answers: any non-2xx fails the run.
import { randomBytes } from 'node:crypto';
import autocannon, { type Options as AutocannonOptions } from 'autocannon';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../../../shared/auth/password.ts';
import { generateDataKey, generateSigningKeys } from '../../lib/signing-key.ts';
import { summarise, summaryTable, type Summary } from '../lib/compare.ts';
import { pinSelf, type CpuPlan } from '../lib/cpu.ts';
import { RunError, type LoadResult } from '../lib/load.ts';
import { percentile, fmt } from '../lib/stats.ts';
import { startStores, storeSecrets, type BenchStores } from '../lib/stores.ts';
import { formatTail, type Workerd } from '../lib/workerd.ts';
import type { BenchContext, Scenario } from './types.ts';

/** Accounts registered up front; login cycles through them. */
const USERS = 96;
/** Registrations in flight at once (each is a hash: workerd's one core is busy either way). */
const REGISTER_CONCURRENCY = 2;
const LOGIN_CONNECTIONS = 2;
const ME_CONNECTIONS = 4;
const MAX_ROUNDS = 3;
/** Logins per account per window, kept under the limit of 10 (top-up logins for users/me tokens count too). */
const LOGINS_PER_USER = 8;
/** users/me calls per account (limit 1000 per 15 min). */
const CALLS_PER_USER = 900;
/** Before any users/me run is seen, plan tokens for this rate (req/s); later runs use the observed one, doubled. */
const ME_RPS_GUESS = 3_000;
const REQUEST_TIMEOUT_MS = 10_000;

const LOGIN_PATH = '/api/v1/auth/login';
const ME_PATH = '/api/v1/users/me';

interface User {
  email: string;
  logins: number;
}

interface Token {
  userId: string;
  accessToken: string;
  calls: number;
}

/** One load phase: what to send next (called per request) and what to do with each answer. */
interface Phase {
  label: string;
  method: 'GET' | 'POST';
  path: string;
  connections: number;
  /** closed-loop: every request awaited (few, costly requests); autocannon: lighter on the load CPU (many, cheap ones). */
  driver: 'closed-loop' | 'autocannon';
  next(): { headers: Record<string, string>; body?: string };
  onAnswer?(status: number, body: string): void;
}

/** Client addresses 10.0.0.1, 10.0.0.2, ...: one per request, so no per-IP counter ever passes 1. */
function ipSource(): () => string {
  let n = 0;
  return () => {
    n++;
    if (n >= 2 ** 24) throw new Error('ran out of client IPs');
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  };
}

function describePolicy(policy: PasswordPolicy): string {
  return policy.algorithm === 'argon2id'
    ? `argon2id m=${policy.memoryKiB} KiB, t=${policy.iterations}, p=${policy.parallelism}`
    : `scrypt N=2^${policy.logN}, r=${policy.r}, p=${policy.p}`;
}

function jwtSubject(token: string): string {
  const payload = token.split('.')[1] ?? '';
  const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
  if (typeof sub !== 'string') throw new Error('access token without sub');
  return sub;
}

/** Stores on CPUs of their own when there are spare ones, else beside the load generator (never on workerd's). */
function storeCpus(cpus: CpuPlan): string | undefined {
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
  const url = target.url(phase.path);
  const deadline = performance.now() + durationS * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const next = phase.next();
      const started = performance.now();
      try {
        const response = await fetch(url, {
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
          return { ...request, headers: { ...request.headers, ...next.headers }, ...(next.body !== undefined ? { body: next.body } : {}) };
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
async function settle(target: Workerd, maxMs = 5_000): Promise<void> {
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
async function measurePhase(ctx: BenchContext, target: Workerd, phase: Phase, warmupS: number): Promise<LoadResult> {
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

async function post(target: Workerd, path: string, ip: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(target.url(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, 'user-agent': 'flow-bench' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}

export const identity: Scenario = {
  name: 'identity',
  title: 'login and GET /users/me on real stores: workerd CPU per request',
  async run(ctx) {
    const rounds = Math.min(ctx.options.rounds, MAX_ROUNDS);
    const nextIp = ipSource();
    const password = `bench-${randomBytes(6).toString('hex')}-Pass`;
    const users: User[] = Array.from({ length: USERS }, (_, i) => ({ email: `bench.user${i}@example.com`, logins: 0 }));
    const tokens = new Map<string, Token>();
    let stores: BenchStores | undefined;
    let worker: Workerd | undefined;

    try {
      ctx.progress('starting the local stores (their own process) and migrating...');
      stores = await startStores({ cpus: storeCpus(ctx.cpus), log: (line) => ctx.progress(`  ${line}`) });
      const spec = await ctx.gateway({ ...storeSecrets(stores.env), JWT_PRIVATE_KEYS: generateSigningKeys(), DATA_ENCRYPTION_KEY: generateDataKey() });
      worker = await ctx.start(spec, { readyPath: '/health/ready' });
      const target = worker;

      // ------------------------------------------------------------ accounts
      ctx.progress(`registering ${USERS} users through POST /api/v1/auth/register...`);
      const registerCpuBefore = target.cpuMs();
      const registerStarted = Date.now();
      let cursor = 0;
      await Promise.all(
        Array.from({ length: REGISTER_CONCURRENCY }, async () => {
          while (cursor < users.length) {
            const index = cursor++;
            const user = users[index] as User;
            const answer = await post(target, '/api/v1/auth/register', nextIp(), { email: user.email, username: `bench_u${index}`, password });
            if (answer.status !== 202) throw new RunError(`POST /api/v1/auth/register answered ${answer.status}: ${answer.text.slice(0, 500)}`);
          }
        }),
      );
      const registerCpuMs = (target.cpuMs() - registerCpuBefore) / USERS;
      const registerS = (Date.now() - registerStarted) / 1000;

      // Login cycles through the accounts, each at most LOGINS_PER_USER times per window.
      let loginCursor = 0;
      const nextUser = (): User => {
        for (let tried = 0; tried < users.length; tried++) {
          const user = users[loginCursor++ % users.length] as User;
          if (user.logins < LOGINS_PER_USER) {
            user.logins++;
            return user;
          }
        }
        throw new Error(`every one of the ${USERS} accounts logged in ${LOGINS_PER_USER} times: raise USERS in scenarios/identity.ts`);
      };
      const keepToken = (status: number, body: string) => {
        if (status !== 200) return;
        const accessToken = (JSON.parse(body) as { accessToken: string }).accessToken;
        const userId = jwtSubject(accessToken);
        const known = tokens.get(userId);
        tokens.set(userId, { userId, accessToken, calls: known?.calls ?? 0 });
      };
      const login: Phase = {
        label: 'login',
        method: 'POST',
        path: LOGIN_PATH,
        connections: LOGIN_CONNECTIONS,
        driver: 'closed-loop',
        next: () => ({
          headers: { 'content-type': 'application/json', 'cf-connecting-ip': nextIp(), 'user-agent': 'flow-bench' },
          body: JSON.stringify({ email: nextUser().email, password }),
        }),
        onAnswer: keepToken,
      };

      // users/me spreads calls over the tokens of many accounts, each under CALLS_PER_USER.
      let tokenCursor = 0;
      let pool: Token[] = [];
      const nextToken = (): Token => {
        for (let tried = 0; tried < pool.length; tried++) {
          const token = pool[tokenCursor++ % pool.length] as Token;
          if (token.calls < CALLS_PER_USER) {
            token.calls++;
            return token;
          }
        }
        throw new Error(`the ${pool.length} tokens used up their ${CALLS_PER_USER} calls each`);
      };
      const me: Phase = {
        label: 'users/me',
        method: 'GET',
        path: ME_PATH,
        connections: ME_CONNECTIONS,
        driver: 'autocannon',
        next: () => ({ headers: { authorization: `Bearer ${nextToken().accessToken}`, 'cf-connecting-ip': nextIp(), 'user-agent': 'flow-bench' } }),
      };
      /** Logs in more accounts until the tokens can carry `calls` more users/me requests. */
      const ensureTokens = async (calls: number) => {
        const spare = () => [...tokens.values()].reduce((sum, t) => sum + Math.max(0, CALLS_PER_USER - t.calls), 0);
        let added = 0;
        while (spare() < calls) {
          const user = nextUser();
          const answer = await post(target, LOGIN_PATH, nextIp(), { email: user.email, password });
          if (answer.status !== 200) throw new RunError(`POST ${LOGIN_PATH} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
          keepToken(answer.status, answer.text);
          added++;
        }
        if (added > 0) ctx.progress(`logged in ${added} more account(s) for users/me tokens (${tokens.size} in all)`);
        pool = [...tokens.values()];
      };

      // ------------------------------------------------------------ load
      const runs: { login: LoadResult[]; me: LoadResult[] } = { login: [], me: [] };
      const longWarmup = ctx.options.warmupS === 0 ? 0 : Math.max(2, 3 * ctx.options.warmupS);
      let meRps = ME_RPS_GUESS / 2;
      for (let round = 1; round <= rounds; round++) {
        const warmupS = round === 1 ? longWarmup : ctx.options.warmupS;
        const loginRun = await measurePhase(ctx, target, login, warmupS);
        runs.login.push(loginRun);
        ctx.progress(`round ${round}/${rounds} login: ${fmt(loginRun.rps, 1)} req/s, p99 ${fmt(loginRun.p99Ms)} ms, ${fmt(loginRun.cpuMsPerRequest, 1)} CPU ms/req`);

        await ensureTokens(Math.ceil(2 * meRps * (warmupS + ctx.options.durationS)));
        const meRun = await measurePhase(ctx, target, me, warmupS);
        runs.me.push(meRun);
        meRps = meRun.rps;
        ctx.progress(
          `round ${round}/${rounds} users/me: ${fmt(meRun.rps)} req/s, p99 ${fmt(meRun.p99Ms, 2)} ms, ${fmt(meRun.cpuMsPerRequest, 3)} CPU ms/req ` +
            `(${pool.length} accounts' tokens)`,
        );
      }

      const loginSummary: Summary = summarise('login', runs.login);
      const meSummary: Summary = summarise('users/me', runs.me);
      const mostCalls = Math.max(...[...tokens.values()].map((t) => t.calls));
      const mostLogins = Math.max(...users.map((u) => u.logins));
      const lines = [
        `  stores (own process${stores ? `, pid ${stores.pid}` : ''}${storeCpus(ctx.cpus) !== undefined ? `, CPU ${storeCpus(ctx.cpus)}` : ''}): ` +
          stores.stores.map((s) => `${s.name} = ${s.kind}`).join('; '),
        `  ${USERS} accounts registered through the API in ${fmt(registerS, 1)} s (${fmt(registerCpuMs, 1)} workerd CPU ms each, not measured below)`,
        ...summaryTable([loginSummary, meSummary]),
        '',
        `  login:    ${fmt(loginSummary.cpuMsPerRequest, 1)} workerd CPU ms/request, password hash ${describePolicy(DEFAULT_PASSWORD_POLICY)} ` +
          `(${LOGIN_CONNECTIONS} connections, closed loop; one account and one client IP per request, at most ${mostLogins} logins per account)`,
        `  users/me: ${fmt(meSummary.cpuMsPerRequest, 3)} workerd CPU ms/request (${ME_CONNECTIONS} connections, autocannon; tokens of ${tokens.size} accounts, ` +
          `at most ${mostCalls} calls per account; one client IP per request, so the per-IP limit counts every call)`,
        '  (the whole workerd process is counted, HTTP and store clients included. Both routes wait on the stores, so workerd',
        '   stays below 100% of its CPU; the less busy it is, the more of its fixed costs each request carries, so users/me',
        '   CPU per request reads higher when the local stores, which share a CPU with the load generator, answer slowly)',
      ];
      return {
        lines,
        ratios: [
          { label: 'login CPU ms/request', value: loginSummary.cpuMsPerRequest, target: { op: '<=', value: 250 } },
          { label: 'users/me CPU ms/request', value: meSummary.cpuMsPerRequest, target: { op: '<=', value: 1 } },
        ],
        data: {
          passwordPolicy: DEFAULT_PASSWORD_POLICY,
          stores: stores.stores,
          register: { users: USERS, seconds: registerS, cpuMsPerRequest: registerCpuMs },
          login: loginSummary,
          me: { ...meSummary, accounts: tokens.size },
        },
      };
    } finally {
      await worker?.stop();
      await stores?.stop();
    }
  },
};

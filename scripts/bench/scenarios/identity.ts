// Identity on real stores: POST /api/v1/auth/login (a password verification, a session row, tokens)
// and GET /api/v1/users/me with a bearer token (token check, revocation and rate-limit lookups in
// Redis, a Postgres read), on the built gateway in standalone workerd with the local stack (Postgres
// + Neon bridge, Redis + Upstash REST, CongoDB) in a process of its own. Users are registered and
// logged in through the API first. Every request comes from another client IP and login cycles
// through the users, so no throttle (login: 20 per IP and 10 per account per 15 min; API: 100 per
// IP, 1000 per user) ever answers: any non-2xx fails the run.
import { randomBytes } from 'node:crypto';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../../../shared/auth/password.ts';
import { generateDataKey, generateSigningKeys } from '../../lib/signing-key.ts';
import { summarise, summaryTable, type Summary } from '../lib/compare.ts';
import { ipSource, measurePhase, post, storeCpus, type Phase } from '../lib/phases.ts';
import { RunError, type LoadResult } from '../lib/load.ts';
import { fmt } from '../lib/stats.ts';
import { startStores, storeSecrets, type BenchStores } from '../lib/stores.ts';
import type { Workerd } from '../lib/workerd.ts';
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

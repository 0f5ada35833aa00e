// Builds the Worker exactly as it would be deployed (`wrangler deploy --dry-run --outdir`) and
// turns wrangler.toml into a WorkerSpec for standalone workerd. Builds are cached under
// scripts/bench/.cache/build/<hash>, keyed by a hash of everything the bundle can depend on.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import type { Unstable_Config } from 'wrangler';
import { track } from './cleanup.ts';
import { pinnedCommand } from './cpu.ts';
import { generateDataKey, generateSigningKeys } from '../../lib/signing-key.ts';
import { BENCH_DIR, REPO_ROOT, type Binding, type ModuleType, type WorkerModule, type WorkerSpec } from './workerd.ts';

const CACHE_DIR = join(BENCH_DIR, '.cache', 'build');

/** Top-level entries never bundled into the Worker, left out of the cache key. */
const NOT_SOURCE = new Set([
  '.git', 'node_modules', '.wrangler', '.flow', '.cache', 'dist', 'coverage', 'scripts', 'test', 'tests', 'docs', '.dev.vars',
  '.github', '.ci', 'README.md',
]);

/**
 * Secrets the Worker needs besides wrangler.toml [vars]. Dummy values of the right shape that
 * point at a closed loopback port: enough for config validation, for scenarios (like /health)
 * that touch no store. Scenarios that need stores pass real ones to gatewaySpec().
 */
export const DUMMY_SECRETS: Readonly<Record<string, string>> = {
  DATABASE_URL: 'postgres://bench:bench@127.0.0.1:9/bench',
  MONGODB_URI: 'mongodb://127.0.0.1:9/flow',
  UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9',
  UPSTASH_REDIS_REST_TOKEN: 'bench-dummy-token',
  JWT_PRIVATE_KEYS: generateSigningKeys(),
  DATA_ENCRYPTION_KEY: generateDataKey(),
};

function listFiles(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== '.git') listFiles(path, out);
    } else if (entry.isFile()) {
      out.push(path);
    }
  }
}

/** Hash of the repository's source (everything but tooling, tests and docs), the lockfile and the bench's own build code. */
export function sourceHash(root = REPO_ROOT): string {
  const files: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (NOT_SOURCE.has(entry.name)) continue;
    const path = join(root, entry.name);
    if (entry.isDirectory()) listFiles(path, files);
    else if (entry.isFile()) files.push(path);
  }
  files.push(join(BENCH_DIR, 'lib', 'build.ts'));
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function moduleType(file: string): ModuleType | undefined {
  switch (extname(file)) {
    case '.js':
    case '.mjs':
      return 'esModule';
    case '.cjs':
      return 'commonJsModule';
    case '.wasm':
      return 'wasm';
    case '.txt':
    case '.html':
    case '.sql':
      return 'text';
    case '.bin':
      return 'data';
    case '.json':
      return 'json';
    default:
      return undefined;
  }
}

async function runWrangler(outDir: string, configPath: string, cpus: string | undefined): Promise<void> {
  const wrangler = join(REPO_ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  const [command, args] = pinnedCommand(cpus, process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', outDir, '--config', configPath]);
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const untrack = track(
    'wrangler build',
    async () => {
      child.kill('SIGTERM');
    },
    () => child.kill('SIGKILL'),
  );
  const code = await new Promise<number | null>((resolveCode, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolveCode(exitCode));
  }).finally(untrack);
  if (code !== 0) {
    throw new Error(`wrangler deploy --dry-run failed (exit ${code}):\n${output.trim().split('\n').slice(-40).join('\n')}`);
  }
}

export interface Build {
  /** Built modules, the main one first. */
  modules: WorkerModule[];
  hash: string;
  cached: boolean;
  ms: number;
}

async function loadConfig(configPath: string): Promise<Unstable_Config> {
  const { unstable_readConfig } = await import('wrangler');
  return unstable_readConfig({ config: configPath }, { hideWarnings: true });
}

/** Builds (or reuses the cached build of) the Worker that `configPath` (default wrangler.toml) deploys. */
export async function buildWorker(options: { configPath?: string; rebuild?: boolean; cpus?: string | undefined } = {}): Promise<{ build: Build; config: Unstable_Config }> {
  const configPath = options.configPath ?? join(REPO_ROOT, 'wrangler.toml');
  const config = await loadConfig(configPath);
  if (!config.main) throw new Error(`${relative(REPO_ROOT, configPath)} has no "main"`);
  if (!existsSync(config.main)) throw new Error(`the Worker's entry point ${relative(REPO_ROOT, config.main)} does not exist (yet)`);

  const started = Date.now();
  const hash = sourceHash();
  const dir = join(CACHE_DIR, hash);
  const manifestPath = join(dir, 'manifest.json');
  let cached = !options.rebuild && existsSync(manifestPath);
  if (!cached) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    try {
      await runWrangler(tmp, configPath, options.cpus);
    } catch (error) {
      rmSync(tmp, { recursive: true, force: true });
      throw error;
    }
    // Only the newest build is kept.
    for (const old of readdirSync(CACHE_DIR)) {
      if (old !== basename(tmp)) rmSync(join(CACHE_DIR, old), { recursive: true, force: true });
    }
    renameSync(tmp, dir);
    writeFileSync(manifestPath, JSON.stringify({ hash, builtAt: new Date().toISOString() }));
    cached = false;
  }

  const files: string[] = [];
  listFiles(dir, files);
  const mainName = `${basename(config.main, extname(config.main))}.js`;
  const modules: WorkerModule[] = [];
  for (const file of files.sort()) {
    const name = relative(dir, file).split('\\').join('/');
    if (name === 'manifest.json' || name === 'README.md' || name.endsWith('.map')) continue;
    const type = moduleType(file);
    if (!type) throw new Error(`don't know how to serve build output ${name}: add its extension to moduleType() in scripts/bench/lib/build.ts`);
    const module = { name, path: file, type };
    if (name === mainName) modules.unshift(module);
    else modules.push(module);
  }
  if (modules[0]?.name !== mainName) throw new Error(`wrangler output has no ${mainName} (found: ${modules.map((m) => m.name).join(', ') || 'nothing'})`);
  if (statSync(modules[0].path).size === 0) throw new Error(`${mainName} is empty`);
  return { build: { modules, hash, cached, ms: Date.now() - started }, config };
}

/** Binding kinds of wrangler.toml this harness cannot serve yet: each must be empty. */
const UNSUPPORTED: (keyof Unstable_Config)[] = [
  'kv_namespaces', 'r2_buckets', 'd1_databases', 'services', 'hyperdrive', 'analytics_engine_datasets', 'vectorize',
  'ai', 'browser', 'workflows', 'send_email', 'dispatch_namespaces', 'mtls_certificates', 'wasm_modules', 'text_blobs', 'data_blobs',
];

/** The bindings wrangler.toml declares (vars, Durable Objects, queue producers) plus the given secrets. */
export function specFromConfig(label: string, config: Unstable_Config, modules: WorkerModule[], secrets: Record<string, string>): WorkerSpec {
  for (const key of UNSUPPORTED) {
    const value = config[key] as unknown;
    const used = Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null && typeof value === 'object' && Object.keys(value).length > 0;
    if (used) throw new Error(`wrangler.toml uses "${String(key)}", which scripts/bench/lib/build.ts cannot serve on workerd yet`);
  }

  const bindings: Binding[] = [];
  for (const [name, value] of Object.entries(config.vars ?? {})) {
    bindings.push(typeof value === 'string' ? { name, kind: 'text', value } : { name, kind: 'json', value });
  }
  for (const [name, value] of Object.entries(secrets)) {
    if (bindings.some((b) => b.name === name)) continue;
    bindings.push({ name, kind: 'text', value });
  }

  const sqlClasses = new Set<string>();
  for (const migration of config.migrations ?? []) {
    for (const className of migration.new_sqlite_classes ?? []) sqlClasses.add(className);
  }
  const durableObjects: WorkerSpec['durableObjects'] = [];
  for (const binding of config.durable_objects?.bindings ?? []) {
    if (binding.script_name) throw new Error(`Durable Object binding ${binding.name} lives in another Worker (${binding.script_name}); not supported`);
    bindings.push({ name: binding.name, kind: 'durableObject', className: binding.class_name });
    if (!durableObjects.some((d) => d.className === binding.class_name)) {
      durableObjects.push({ className: binding.class_name, sql: sqlClasses.has(binding.class_name) });
    }
  }
  for (const producer of config.queues?.producers ?? []) {
    bindings.push({ name: producer.binding, kind: 'queue' });
  }

  return {
    label,
    modules,
    compatibilityDate: config.compatibility_date ?? new Date().toISOString().slice(0, 10),
    compatibilityFlags: config.compatibility_flags ?? [],
    bindings,
    durableObjects,
  };
}

/** The bare baseline Worker (scripts/bench/workers/hello.js), with the same compatibility settings as the gateway. */
export function helloSpec(compatibilityDate: string, compatibilityFlags: string[]): WorkerSpec {
  return {
    label: 'hello',
    modules: [{ name: 'hello.js', path: join(BENCH_DIR, 'workers', 'hello.js'), type: 'esModule' }],
    compatibilityDate,
    compatibilityFlags,
    bindings: [],
    durableObjects: [],
  };
}

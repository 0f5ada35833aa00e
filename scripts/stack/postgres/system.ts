import { spawn, spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { embeddedForced } from '../overrides.ts';
import { freePort } from '../ports.ts';
import { spawnServer, systemUser, type ServerProcess } from '../processes.ts';
import type { StartedStore } from '../types.ts';

const PG_ROOT = '/usr/lib/postgresql';

/**
 * The newest Debian Postgres whose PostGIS is installed, or undefined; `rum` says whether its rum
 * extension is there too (optional: without it text search ranks over the GIN index, see 0014).
 */
export function findSystemPostgres(): { version: string; binDir: string; rum: boolean } | undefined {
  if (embeddedForced('postgres') || !existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const binDir = path.join(PG_ROOT, version, 'bin');
    const postgis = `/usr/share/postgresql/${version}/extension/postgis.control`;
    const rum = existsSync(`/usr/share/postgresql/${version}/extension/rum.control`);
    if (existsSync(path.join(binDir, 'postgres')) && existsSync(postgis)) return { version, binDir, rum };
  }
  return undefined;
}

/** Starts the system Postgres on a free port with database `flow` owned by superuser `flow`. */
export async function startSystemPostgres(options: {
  binDir: string;
  version: string;
  rum: boolean;
  dataDir: string;
  persist: boolean;
}): Promise<StartedStore> {
  // initdb and postgres refuse to run as root: run them as the postgres user then.
  const runAs = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  if (process.getuid?.() === 0 && !runAs) throw new Error('running as root but there is no postgres user');
  const cluster = options.persist
    ? path.join(options.dataDir, 'postgres')
    : await mkdtemp(path.join(os.tmpdir(), 'flow-pg-'));
  await mkdir(cluster, { recursive: true, mode: 0o700 });
  if (runAs) await handOver(cluster, options.persist ? options.dataDir : undefined, runAs);
  if (!existsSync(path.join(cluster, 'PG_VERSION'))) await initdb(options.binDir, cluster, runAs);
  await refuseLiveServer(cluster);

  const port = await freePort();
  // Durability costs time; a throwaway cluster needs none, a persisted one keeps fsync (no corruption on crash).
  const speed = options.persist
    ? ['-c', 'synchronous_commit=off']
    : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const args = ['-D', cluster, '-p', String(port), '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=', '-c', 'max_connections=200', ...speed];
  const launch = () =>
    spawnServer({
      command: path.join(options.binDir, 'postgres'),
      args,
      cwd: cluster,
      runAs,
      stopSignal: 'SIGINT',
      readyPattern: /database system is ready to accept connections/,
    });
  let server: ServerProcess | undefined = await launch();
  await ensureDatabase(port);

  return {
    env: { DATABASE_URL: `postgres://flow:flow@127.0.0.1:${port}/flow` },
    store: {
      name: 'postgres',
      kind: `system postgres ${options.version} + PostGIS ${options.rum ? '+ rum' : '(no rum: text search ranks over GIN)'}`,
      where: `127.0.0.1:${port}`,
      async stop() {
        await server?.stop();
        server = undefined;
      },
      async start() {
        // Also brings back a server that died by itself.
        if (!server?.running()) server = await launch();
      },
      async close() {
        await server?.stop();
        server = undefined;
        if (!options.persist) await rm(cluster, { recursive: true, force: true });
      },
    },
  };
}

// As root the cluster belongs to the postgres user, who must also be able to walk down to it.
async function handOver(cluster: string, dataDir: string | undefined, runAs: { uid: number; gid: number }): Promise<void> {
  await chown(cluster, runAs.uid, runAs.gid);
  // Our own data dir may be private (mkdtemp makes 0700): let others pass through it, not list it.
  if (dataDir) await chmod(dataDir, ((await stat(dataDir)).mode & 0o777) | 0o001);
  const reach = spawnSync('/bin/sh', ['-c', 'cd "$1"', 'sh', cluster], { ...runAs, stdio: 'ignore' });
  if (reach.status !== 0) {
    throw new Error(`the postgres user cannot reach ${cluster}: as root, Postgres runs as that user; ` +
      'let it traverse the parent folders (chmod o+x) or keep the checkout somewhere it can reach');
  }
}

async function initdb(binDir: string, cluster: string, runAs?: { uid: number; gid: number }): Promise<void> {
  const args = ['-D', cluster, '-U', 'flow', '--auth=trust', '--no-sync', '--no-instructions',
    '--encoding=UTF8', '--lc-collate=C', '--lc-ctype=C.UTF-8'];
  const child = spawn(path.join(binDir, 'initdb'), args, { cwd: cluster, stdio: ['ignore', 'pipe', 'pipe'], ...runAs });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`initdb failed (${code}):\n${output}`);
}

// A postmaster left by a crashed run still owns the cluster; killing it could hit another developer's
// stack on the same folder, so say what to do instead.
async function refuseLiveServer(cluster: string): Promise<void> {
  const pidFile = path.join(cluster, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale file: postgres removes it itself
  }
  throw new Error(`a Postgres (pid ${pid}) still runs on ${cluster}; stop it with \`kill -INT ${pid}\` and retry`);
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'flow', database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = 'flow'");
    if (!rowCount) await client.query('CREATE DATABASE flow');
  } finally {
    await client.end();
  }
}

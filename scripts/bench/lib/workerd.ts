// Standalone workerd: writes a capnp config for a Worker, starts workerd on a free 127.0.0.1 port
// (the kernel picks it; workerd reports it on a control pipe), waits until it answers, and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { track } from './cleanup.ts';
import { pinnedCommand, processCpuMs } from './cpu.ts';
import { watchExit } from './child-exit.ts';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(BENCH_DIR, '..', '..');

export type ModuleType = 'esModule' | 'commonJsModule' | 'text' | 'data' | 'wasm' | 'json';

export interface WorkerModule {
  /** Name the module is imported by (relative names resolve against the main module's). */
  name: string;
  /** Absolute path of its content on disk. */
  path: string;
  type: ModuleType;
}

export type Binding =
  | { name: string; kind: 'text'; value: string }
  | { name: string; kind: 'json'; value: unknown }
  | { name: string; kind: 'durableObject'; className: string }
  /** A queue producer; messages go to a sink Worker that accepts and drops them. */
  | { name: string; kind: 'queue' };

export interface WorkerSpec {
  /** Short label, used in file names and messages. */
  label: string;
  /** The first module is the main module. */
  modules: WorkerModule[];
  compatibilityDate: string;
  compatibilityFlags: string[];
  bindings: Binding[];
  /** Durable Object classes exported by the main module; `sql` for SQLite-backed ones. */
  durableObjects: { className: string; sql: boolean }[];
}

const QUEUE_SINK = join(BENCH_DIR, 'workers', 'queue-sink.js');

/** A Cap'n Proto text literal. Non-ASCII characters pass through as UTF-8. */
export function capnpString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) as number;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

function renderBinding(binding: Binding): string {
  const name = `name = ${capnpString(binding.name)}`;
  switch (binding.kind) {
    case 'text':
      return `(${name}, text = ${capnpString(binding.value)})`;
    case 'json':
      return `(${name}, json = ${capnpString(JSON.stringify(binding.value))})`;
    case 'durableObject':
      return `(${name}, durableObjectNamespace = (className = ${capnpString(binding.className)}))`;
    case 'queue':
      return `(${name}, queue = "queue-sink")`;
  }
}

/**
 * Renders the workerd config: the Worker as service "main" behind socket "http" (address
 * 127.0.0.1:0), its Durable Objects on a local disk directory, a queue sink when it has queue
 * producers, and an outbound network limited to this machine's loopback.
 * Module sources are embedded by paths relative to `configDir` (where the config is written).
 */
export function renderConfig(spec: WorkerSpec, configDir: string, doStorageDir: string): string {
  const embed = (path: string) => `embed ${capnpString(relative(configDir, path))}`;
  const modules = spec.modules.map((m) => `(name = ${capnpString(m.name)}, ${m.type} = ${embed(m.path)})`);
  const lines: string[] = [];
  lines.push(`      modules = [\n        ${modules.join(',\n        ')}\n      ],`);
  lines.push(`      compatibilityDate = ${capnpString(spec.compatibilityDate)},`);
  lines.push(`      compatibilityFlags = [${spec.compatibilityFlags.map(capnpString).join(', ')}],`);
  if (spec.bindings.length > 0) {
    lines.push(`      bindings = [\n        ${spec.bindings.map(renderBinding).join(',\n        ')}\n      ],`);
  }
  if (spec.durableObjects.length > 0) {
    const namespaces = spec.durableObjects.map(
      (d) => `(className = ${capnpString(d.className)}, uniqueKey = ${capnpString(`flow-bench-${d.className}`)}, enableSql = ${d.sql})`,
    );
    lines.push(`      durableObjectNamespaces = [\n        ${namespaces.join(',\n        ')}\n      ],`);
    lines.push(`      durableObjectStorage = (localDisk = "do-storage"),`);
  }
  lines.push(`      globalOutbound = "loopback",`);

  const services: string[] = [`    (name = "main", worker = (\n${lines.join('\n')}\n    ))`];
  services.push(`    (name = "loopback", network = (allow = ["local"]))`);
  if (spec.durableObjects.length > 0) {
    services.push(`    (name = "do-storage", disk = (path = ${capnpString(doStorageDir)}, writable = true))`);
  }
  if (spec.bindings.some((b) => b.kind === 'queue')) {
    services.push(
      `    (name = "queue-sink", worker = (modules = [(name = "queue-sink.js", esModule = ${embed(QUEUE_SINK)})], ` +
        `compatibilityDate = ${capnpString(spec.compatibilityDate)}))`,
    );
  }
  return [
    `# Generated by scripts/bench for "${spec.label}"; rewritten on every run.`,
    `using Workerd = import "/workerd/workerd.capnp";`,
    ``,
    `const config :Workerd.Config = (`,
    `  services = [\n${services.join(',\n')}\n  ],`,
    `  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],`,
    `);`,
    ``,
  ].join('\n');
}

/** The workerd executable itself (not a launcher script), so its PID is the one that serves. */
export function workerdBinary(): string {
  const require = createRequire(join(REPO_ROOT, 'package.json'));
  const candidates: string[] = [];
  try {
    candidates.push(require.resolve(`@cloudflare/workerd-${process.platform}-${process.arch === 'x64' ? '64' : process.arch}/bin/workerd`));
  } catch {
    // platform package not installed on its own
  }
  candidates.push(join(REPO_ROOT, 'node_modules', 'workerd', 'bin', 'workerd'));
  for (const path of candidates) {
    try {
      const fd = openSync(path, 'r');
      const magic = Buffer.alloc(4);
      readSync(fd, magic, 0, 4, 0);
      closeSync(fd);
      if (magic.toString('latin1') === '\x7fELF') return path;
    } catch {
      // try the next one
    }
  }
  throw new Error(`workerd binary not found (looked at ${candidates.join(', ')}); run npm install`);
}

export interface StartOptions {
  /** CPU to pin workerd to (see planCpus). */
  cpu?: number | undefined;
  /** Path probed until it answers; the probe must get a 2xx. Default "/". */
  readyPath?: string;
  /** Give up on startup after this long. Default 30 s. */
  timeoutMs?: number;
}

export interface Workerd {
  label: string;
  pid: number;
  port: number;
  url(path: string): string;
  /** CPU time (user + system, all threads) consumed so far, in ms. */
  cpuMs(): number;
  /** Bytes written to stdout/stderr so far (since the last trimLog). */
  logBytes(): number;
  /** The last `bytes` of its stdout/stderr. */
  logTail(bytes?: number): string;
  /** Empties the log file (the tail of a run is read first by whoever needs it). */
  trimLog(): void;
  /** Throws if the process has exited. */
  assertAlive(): void;
  stop(): Promise<void>;
}

export class WorkerdError extends Error {
  override name = 'WorkerdError';
}

function readTail(path: string, bytes: number): string {
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(bytes, size);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      return buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** The last lines of some output, each cut to a readable width and prefixed for the report. */
export function formatTail(text: string, maxLines = 12, maxWidth = 240): string {
  return text
    .trimEnd()
    .split('\n')
    .slice(-maxLines)
    .map((line) => `    | ${line.length > maxWidth ? `${line.slice(0, maxWidth)}...` : line}`)
    .join('\n');
}

/**
 * Starts workerd serving `spec`. Its stdout/stderr go to a file in a scratch directory (the Worker
 * may log a line per request: a file never blocks it, unlike a pipe); the file is emptied between
 * runs and only its tail is read, for error reports. Everything is removed on stop.
 */
export async function startWorkerd(spec: WorkerSpec, options: StartOptions = {}): Promise<Workerd> {
  const dir = mkdtempSync(join(tmpdir(), `flow-bench-${spec.label}-`));
  const doStorageDir = join(dir, 'do-storage');
  mkdirSync(doStorageDir);
  const configPath = join(dir, 'config.capnp');
  writeFileSync(configPath, renderConfig(spec, dir, doStorageDir));
  const logPath = join(dir, 'workerd.log');
  const logFd = openSync(logPath, 'a');

  const [command, args] = pinnedCommand(options.cpu, workerdBinary(), ['serve', configPath, 'config', '--control-fd', '3']);
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: dir, stdio: ['ignore', logFd, logFd, 'pipe'] });
  } finally {
    closeSync(logFd);
  }

  const { exited, info: exitInfo } = watchExit(child);

  const pid = child.pid;
  let removed = false;
  const removeDir = () => {
    if (removed) return;
    removed = true;
    rmSync(dir, { recursive: true, force: true });
  };
  const kill = () => {
    if (exitInfo() === undefined && pid !== undefined) process.kill(pid, 'SIGKILL');
    removeDir();
  };
  const stop = async () => {
    if (exitInfo() === undefined && pid !== undefined) {
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (exitInfo() === undefined) process.kill(pid, 'SIGKILL');
      }, 3_000);
      await exited;
      clearTimeout(timer);
    }
    removeDir();
  };
  const untrack = track(`workerd ${spec.label}`, stop, kill);
  const stopAndUntrack = async () => {
    await stop();
    untrack();
  };

  const failure = (message: string) =>
    new WorkerdError(`workerd "${spec.label}": ${message}\n  last output:\n${formatTail(readTail(logPath, 8_000)) || '    (none)'}`);

  try {
    if (pid === undefined) {
      await exited;
      throw failure(exitInfo() ?? 'failed to start');
    }
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const port = await waitForListen(child, exited, exitInfo, timeoutMs).catch((error: Error) => {
      throw failure(error.message);
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForReady(`${base}${options.readyPath ?? '/'}`, deadline, exitInfo).catch((error: Error) => {
      throw failure(error.message);
    });

    return {
      label: spec.label,
      pid,
      port,
      url: (path) => `${base}${path}`,
      cpuMs: () => {
        if (exitInfo() !== undefined) throw failure(exitInfo()!);
        return processCpuMs(pid);
      },
      logBytes: () => {
        try {
          return statSync(logPath).size;
        } catch {
          return 0;
        }
      },
      logTail: (bytes = 4_000) => readTail(logPath, bytes),
      trimLog: () => {
        try {
          truncateSync(logPath, 0);
        } catch {
          // removed already
        }
      },
      assertAlive: () => {
        if (exitInfo() !== undefined) throw failure(exitInfo()!);
      },
      stop: stopAndUntrack,
    };
  } catch (error) {
    await stopAndUntrack();
    throw error;
  }
}

/** Reads workerd's control pipe until it reports the port of socket "http". */
function waitForListen(child: ChildProcess, exited: Promise<void>, exitInfo: () => string | undefined, timeoutMs: number): Promise<number> {
  const control = child.stdio[3];
  if (!control || !('on' in control)) return Promise.reject(new Error('no control pipe'));
  return new Promise<number>((resolvePort, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`did not start listening within ${timeoutMs} ms`)), timeoutMs);
    control.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!line) continue;
        try {
          const message = JSON.parse(line) as { event?: string; socket?: string; port?: number };
          if (message.event === 'listen' && message.socket === 'http' && typeof message.port === 'number') {
            clearTimeout(timer);
            resolvePort(message.port);
          }
        } catch {
          // not a JSON line; ignore
        }
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${exitInfo() ?? 'exited'} before listening`));
    });
  });
}

/** Polls `url` until it answers 2xx; a non-2xx answer after the deadline is reported with its body. */
async function waitForReady(url: string, deadline: number, exitInfo: () => string | undefined): Promise<void> {
  let last = 'no answer';
  while (Date.now() < deadline) {
    const info = exitInfo();
    if (info !== undefined) throw new Error(`${info} while starting`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const body = await response.text();
      if (response.ok) return;
      last = `${response.status} ${body.slice(0, 500)}`;
      // The Worker answers, but with an error: no point waiting for the deadline.
      if (response.status >= 500 || response.status === 404) break;
    } catch (error) {
      last = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`GET ${new URL(url).pathname} is not ready: ${last}`);
}

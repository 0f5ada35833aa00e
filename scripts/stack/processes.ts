import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A server process started by the stack. */
export interface ServerProcess {
  pid: number;
  /** False once the process exited, whatever the reason. */
  running(): boolean;
  /** Sends the server's shutdown signal and waits for it to exit (SIGKILL after the timeout). */
  stop(): Promise<void>;
  /** The last lines the server printed, for error messages. */
  recentOutput(): string;
}

export interface SpawnServerOptions {
  command: string;
  args: string[];
  /** A line matching this means the server accepts connections. */
  readyPattern: RegExp;
  /** Signal for a clean, quick shutdown (Postgres: SIGINT = fast shutdown). */
  stopSignal: NodeJS.Signals;
  timeoutMs?: number;
  runAs?: { uid: number; gid: number };
  cwd?: string;
}

// Servers still running when Node exits (a crash, a test worker torn down) would outlive us and
// hold their ports and data dirs; 'exit' handlers may only do synchronous work, and kill() is.
const live = new Map<number, NodeJS.Signals>();
process.once('exit', () => {
  for (const [pid, signal] of live) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
});

/** Spawns a server and resolves once it prints its ready line; rejects with its output if it exits first. */
export function spawnServer(options: SpawnServerOptions): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(options.command, options.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: options.cwd,
    ...(options.runAs ?? {}),
  });
  const lines: string[] = [];
  let ready = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<ServerProcess>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${options.command} ${why}:\n${lines.join('\n')}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    // Keep draining both pipes for the whole life of the server: a full pipe would block it.
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > 40) lines.shift();
        if (!ready && options.readyPattern.test(line)) {
          ready = true;
          clearTimeout(timer);
          resolve(handle);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => {
      live.delete(child.pid ?? -1);
      if (!ready) fail(`exited with ${signal ?? code} before it was ready`);
    });
    const handle: ServerProcess = {
      pid: child.pid ?? -1,
      running: () => child.exitCode === null && child.signalCode === null,
      recentOutput: () => lines.join('\n'),
      async stop() {
        if (!handle.running()) return;
        child.kill(options.stopSignal);
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      },
    };
    if (child.pid) live.set(child.pid, options.stopSignal);
  });
}

/** The uid/gid of a system user, read from /etc/passwd (no extra process). */
export function systemUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

import type { ChildProcess } from 'node:child_process';

/** How a child process ended, once it has: for reports and for "is it still running?" checks. */
export interface ChildExit {
  /** Resolves when the process exited or failed to start. */
  exited: Promise<void>;
  /** "exited with code 1", "killed by SIGTERM", "failed to start: ...", or undefined while running. */
  info(): string | undefined;
}

/** Starts watching `child` for its exit (call right after spawning it). */
export function watchExit(child: ChildProcess): ChildExit {
  let described: string | undefined;
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      described = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolveExit();
    });
    child.once('error', (error) => {
      described = `failed to start: ${error.message}`;
      resolveExit();
    });
  });
  return { exited, info: () => described };
}

// Everything the benchmark starts (workerd processes, the wrangler build, scratch directories)
// registers here, so that it is stopped on normal exit, on errors and on Ctrl-C.

interface Entry {
  label: string;
  /** Graceful, awaited on the normal path and on signals. */
  stop: () => Promise<void>;
  /** Last resort, run synchronously from process 'exit' (no awaiting possible there). */
  kill: () => void;
}

const entries = new Map<number, Entry>();
let nextId = 1;
let installed = false;
let exiting = false;

/** Registers a resource; returns a function that unregisters it (call it once it is stopped). */
export function track(label: string, stop: () => Promise<void>, kill: () => void): () => void {
  const id = nextId++;
  entries.set(id, { label, stop, kill });
  return () => {
    entries.delete(id);
  };
}

/** Stops every registered resource, newest first. Never throws. */
export async function cleanupAll(): Promise<void> {
  const all = [...entries.entries()].reverse();
  for (const [id, entry] of all) {
    try {
      await entry.stop();
    } catch (error) {
      process.stderr.write(`bench: stopping ${entry.label} failed: ${String(error)}\n`);
      try {
        entry.kill();
      } catch {
        // already gone
      }
    }
    entries.delete(id);
  }
}

function killAllSync(): void {
  for (const entry of entries.values()) {
    try {
      entry.kill();
    } catch {
      // already gone
    }
  }
  entries.clear();
}

/** Installs Ctrl-C / SIGTERM / SIGHUP handlers and an exit hook. Idempotent. */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    if (exiting) {
      // Second Ctrl-C: do not wait any longer.
      killAllSync();
      process.exit(code);
    }
    exiting = true;
    process.stderr.write(`\nbench: ${signal} received, stopping everything started...\n`);
    const deadline = setTimeout(() => {
      killAllSync();
      process.exit(code);
    }, 5_000);
    deadline.unref();
    void cleanupAll().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('SIGHUP', () => onSignal('SIGHUP', 129));
  process.on('exit', killAllSync);
}

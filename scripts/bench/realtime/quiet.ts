// Waiting for quiet machines, and the disk's synchronous write latency for the report.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from '../lib/stats.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits (at most `maxMs`) until every process is idle: at most `tickMs` of CPU each in a 200 ms
 * window. Work one contender leaves behind (Flow's write-behind archive, a Socket.IO backlog) would
 * otherwise share the CPU with the other contender's step.
 */
export async function waitIdle(cpuMsOf: Array<() => number>, maxMs = 15_000, tickMs = 10): Promise<void> {
  const until = Date.now() + maxMs;
  let last = cpuMsOf.map((read) => read());
  while (Date.now() < until) {
    await sleep(200);
    const now = cpuMsOf.map((read) => read());
    if (now.every((value, i) => value - (last[i] as number) <= tickMs)) return;
    last = now;
  }
}

/** Median latency (ms) of a 4 KiB write + fsync in the temp directory, where workerd keeps Durable Object storage. */
export function fsyncLatencyMs(samples = 50): number {
  const dir = mkdtempSync(join(tmpdir(), 'flow-bench-fsync-'));
  const fd = openSync(join(dir, 'probe'), 'w');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      writeSync(fd, block, 0, block.length, 0);
      fsyncSync(fd);
      times.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  return percentile(times.sort((a, b) => a - b), 0.5);
}

// CPU accounting of a process (Linux /proc) and CPU pinning (taskset).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

let clockTicks: number | undefined;

/** Kernel clock ticks per second (USER_HZ), the unit of utime/stime in /proc/PID/stat. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(), 10);
    } catch {
      clockTicks = Number.NaN;
    }
    if (!Number.isFinite(clockTicks) || clockTicks <= 0) clockTicks = 100;
  }
  return clockTicks;
}

/**
 * Parses utime and stime (fields 14 and 15, in clock ticks) out of a /proc/PID/stat line.
 * The command name (field 2) is parenthesised and may itself contain spaces or parentheses,
 * so fields are counted from the last ')'.
 */
export function parseProcStat(stat: string): { utimeTicks: number; stimeTicks: number } {
  const end = stat.lastIndexOf(')');
  if (end < 0) throw new Error(`unexpected /proc stat format: ${stat.slice(0, 80)}`);
  // After ')' come field 3 (state), 4, 5, ...: utime is field 14, i.e. index 11 here.
  const fields = stat.slice(end + 1).trim().split(/\s+/);
  const utimeTicks = Number(fields[11]);
  const stimeTicks = Number(fields[12]);
  if (!Number.isFinite(utimeTicks) || !Number.isFinite(stimeTicks)) {
    throw new Error(`unexpected /proc stat format: ${stat.slice(0, 80)}`);
  }
  return { utimeTicks, stimeTicks };
}

/** User + system CPU time consumed so far by all threads of a process, in milliseconds. */
export function processCpuMs(pid: number): number {
  const { utimeTicks, stimeTicks } = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return ((utimeTicks + stimeTicks) * 1000) / clockTicksPerSecond();
}

/** Expands a kernel CPU list such as "0-3,6" into [0, 1, 2, 3, 6]. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    if (!part) continue;
    const [from, to] = part.split('-').map((n) => Number.parseInt(n, 10));
    if (from === undefined || Number.isNaN(from)) continue;
    const last = to === undefined || Number.isNaN(to) ? from : to;
    for (let cpu = from; cpu <= last; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** Where the load generator and the server run. */
export interface CpuPlan {
  /** CPU the harness (and so autocannon, which runs in-process) is pinned to, if pinning. */
  loadCpu: number | undefined;
  /** CPU every workerd is pinned to, if pinning. */
  serverCpu: number | undefined;
  /** Every CPU this process may use (taskset list syntax), for children that should not be pinned. */
  allCpus: string | undefined;
  /** How many CPUs this process was allowed to use before any pinning. */
  count: number;
  /** Human-readable summary for the report. */
  note: string;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Picks one CPU for workerd and another for the load generator, so the two never compete for
 * the same core. Without at least 2 allowed CPUs or without taskset, nothing is pinned.
 */
export function planCpus(pin: boolean): CpuPlan {
  let allowed: number[] = [];
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
    if (line?.[1]) allowed = parseCpuList(line[1]);
  } catch {
    // not Linux
  }
  const none = { loadCpu: undefined, serverCpu: undefined, allCpus: undefined, count: allowed.length || availableParallelism() };
  if (!pin) return { ...none, note: 'not pinned (--no-pin)' };
  if (allowed.length < 2) return { ...none, note: `not pinned (${allowed.length || 'unknown'} CPU allowed)` };
  if (!hasTaskset()) return { ...none, note: 'not pinned (taskset not found)' };
  const loadCpu = allowed[0] as number;
  const serverCpu = allowed[allowed.length - 1] as number;
  return {
    loadCpu,
    serverCpu,
    allCpus: allowed.join(','),
    count: allowed.length,
    note: `workerd pinned to CPU ${serverCpu}, load generator (this process) to CPU ${loadCpu}`,
  };
}

let selfPinned: number | undefined;

/** Pins every thread of this Node process (the load generator) to one CPU. Idempotent. */
export function pinSelf(cpu: number | undefined): void {
  if (cpu === undefined || selfPinned === cpu) return;
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
  selfPinned = cpu;
}

/** The command line that runs `command args` pinned to `cpu` (unchanged when cpu is undefined). */
export function pinnedCommand(cpu: number | string | undefined, command: string, args: string[]): [string, string[]] {
  if (cpu === undefined) return [command, args];
  return ['taskset', ['-c', String(cpu), command, ...args]];
}

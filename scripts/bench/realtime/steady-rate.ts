// One load step against a fleet: `senders` of its clients send chat messages on a fixed schedule
// (open loop: the next send never waits for an answer) at `rate` messages per second in total, for
// a warm-up and then a measured window. Every message's text carries its send time on this
// process's monotonic clock, and every client that receives it notes the time it arrived: both
// clocks are the same, so the difference is the delivery latency as a client sees it (server work,
// loopback network and this process's own event loop included, alike for both contenders).
import { percentile } from '../lib/stats.ts';
import type { Fleet, Sink } from './fleet.ts';

export interface StepOptions {
  /** Messages per second, all senders together. */
  rate: number;
  senders: number;
  warmupS: number;
  durationS: number;
  /** After the last send, how long to wait for the deliveries still under way. */
  drainMs: number;
}

export interface StepResult {
  label: string;
  rate: number;
  senders: number;
  /** Deliveries per second the schedule asks for: rate * recipients per message. */
  offeredDeliveriesPerS: number;
  /** Messages sent during the measured window. */
  sent: number;
  /** Acknowledgements received for the messages of this step (warm-up included). */
  acked: number;
  sentTotal: number;
  /** Deliveries that arrived during the measured window, per second of it. */
  deliveredPerS: number;
  deliveries: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Deliveries of the window's messages that had not arrived when the drain ended. */
  undelivered: number;
  /** Server CPU ms per 1,000 deliveries in the window, and its share of one core. */
  serverCpuMsPer1k: number;
  serverUtilisation: number;
  /** This process's CPU (the clients and the sender schedule) as a share of one core. */
  loadGenUtilisation: number;
  failures: number;
  firstFailure: string | undefined;
}

let stepCounter = 0;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Counts deliveries and acks for one step; deliveries of earlier steps (a backlog) are ignored. */
class StepSink implements Sink {
  readonly tag = `s${++stepCounter}`;
  windowStart = Number.POSITIVE_INFINITY;
  windowEnd = Number.POSITIVE_INFINITY;
  /** Per message number: its send time and how many clients received it. */
  readonly sentAt: number[] = [];
  readonly received: number[] = [];
  readonly latencies: number[] = [];
  deliveriesInWindow = 0;
  acks = 0;
  stale = 0;
  failures = 0;
  firstFailure: string | undefined;
  lastDeliveryAt = 0;

  /** Notes message n as sent now and returns its text; the time is kept as written (3 decimals). */
  stamp(n: number): string {
    const at = Number(performance.now().toFixed(3));
    this.sentAt[n] = at;
    return `${this.tag}|${n}|${at}`;
  }

  delivered(text: string): void {
    const now = performance.now();
    this.lastDeliveryAt = now;
    const [tag, nText, atText] = text.split('|');
    if (tag !== this.tag) {
      this.stale++;
      return;
    }
    const n = Number(nText);
    const at = Number(atText);
    if (!Number.isInteger(n) || !Number.isFinite(at) || this.sentAt[n] !== at) {
      this.failed(`a client received a text this step never sent: ${text.slice(0, 80)}`);
      return;
    }
    this.received[n] = (this.received[n] ?? 0) + 1;
    if (now >= this.windowStart && now < this.windowEnd) {
      this.deliveriesInWindow++;
      this.latencies.push(now - at);
    }
  }

  acked(): void {
    this.acks++;
  }

  failed(problem: string): void {
    this.failures++;
    this.firstFailure ??= problem;
  }
}

/** Waits until no delivery of any step has arrived for `quietMs` (or `maxMs` passed). */
async function quiesce(sink: StepSink, quietMs: number, maxMs: number): Promise<void> {
  const until = performance.now() + maxMs;
  while (performance.now() < until && performance.now() - sink.lastDeliveryAt < quietMs) await sleep(50);
}

export async function runStep(fleet: Fleet, options: StepOptions): Promise<StepResult> {
  const sink = new StepSink();
  fleet.setSink(sink);
  const senders = fleet.clients.slice(0, options.senders);
  const recipients = fleet.recipientsPerMessage;
  const intervalMs = 1000 / options.rate;
  const started = performance.now();
  const windowStart = started + options.warmupS * 1000;
  const end = windowStart + options.durationS * 1000;
  sink.windowStart = windowStart;
  sink.windowEnd = end;

  let cpuBefore = 0;
  let selfBefore: NodeJS.CpuUsage | undefined;
  let windowFirst = -1;
  let windowLast = -1;
  let n = 0;
  // Message n is due at started + n * intervalMs, sent by sender n % senders: every sender keeps
  // the same steady pace. When this process falls behind, the overdue messages go out at once.
  while (true) {
    const now = performance.now();
    if (now >= end) break;
    if (selfBefore === undefined && now >= windowStart) {
      cpuBefore = fleet.serverCpuMs();
      selfBefore = process.cpuUsage();
    }
    while (started + n * intervalMs <= now && started + n * intervalMs < end) {
      const text = sink.stamp(n);
      if ((sink.sentAt[n] as number) >= windowStart) {
        if (windowFirst < 0) windowFirst = n;
        windowLast = n;
      }
      senders[n % senders.length]?.send(`${sink.tag}-${n}`, text);
      n++;
    }
    await sleep(Math.max(0, Math.min(started + n * intervalMs, end) - performance.now()));
  }
  // The window closes now: CPU and deliveries are read before the drain.
  const windowMs = performance.now() - windowStart;
  const serverCpuMs = fleet.serverCpuMs() - cpuBefore;
  const self = process.cpuUsage(selfBefore);
  const deliveries = sink.deliveriesInWindow;
  sink.windowEnd = 0;

  // Drain: the window's messages still under way.
  const sent = windowFirst < 0 ? 0 : windowLast - windowFirst + 1;
  const outstanding = () => {
    let missing = 0;
    for (let i = windowFirst; i >= 0 && i <= windowLast; i++) missing += recipients - (sink.received[i] ?? 0);
    return missing;
  };
  const drainUntil = performance.now() + options.drainMs;
  while (performance.now() < drainUntil && (outstanding() > 0 || sink.acks < n)) await sleep(20);
  const undelivered = outstanding();
  const acked = sink.acks;
  // A saturated step leaves a backlog: let it pass so it does not load the next step.
  await quiesce(sink, 300, 30_000);
  fleet.assertServerAlive();

  sink.latencies.sort((a, b) => a - b);
  return {
    label: fleet.label,
    rate: options.rate,
    senders: senders.length,
    offeredDeliveriesPerS: options.rate * recipients,
    sent,
    acked,
    sentTotal: n,
    deliveredPerS: deliveries / (windowMs / 1000),
    deliveries,
    p50Ms: percentile(sink.latencies, 0.5),
    p99Ms: percentile(sink.latencies, 0.99),
    maxMs: sink.latencies.at(-1) ?? Number.NaN,
    undelivered,
    serverCpuMsPer1k: (serverCpuMs / deliveries) * 1000,
    serverUtilisation: serverCpuMs / windowMs,
    loadGenUtilisation: (self.user + self.system) / 1000 / windowMs,
    failures: sink.failures,
    firstFailure: sink.firstFailure,
  };
}

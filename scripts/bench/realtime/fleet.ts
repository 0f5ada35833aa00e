// What the steady-rate driver needs from either contender (Flow's ChatRoom or the Socket.IO
// baseline): a set of connected room clients that can send a chat message and report what they
// receive to one shared sink.

/** Where every client of a fleet reports what it receives. Swapped between load steps. */
export interface Sink {
  /** A `message:received` frame reached a client; `text` is the message's text. */
  delivered(text: string): void;
  /** The server acknowledged one of this fleet's sends. */
  acked(): void;
  /** Something that invalidates the run: an error frame, an unexpected close, an off-protocol frame. */
  failed(problem: string): void;
}

/** A sink that only records failures: for connecting and probing, before a step installs its own. */
export class FailureSink implements Sink {
  firstFailure: string | undefined;
  failures = 0;
  delivered(): void {}
  acked(): void {}
  failed(problem: string): void {
    this.failures++;
    this.firstFailure ??= problem;
  }
}

export interface FleetClient {
  /** Sends one chat message. */
  send(clientMessageId: string, text: string): void;
}

export interface Fleet {
  /** "flow" or "socket.io", for the report. */
  label: string;
  clients: FleetClient[];
  /** How many clients receive each message: all of them, or all but the sender. */
  recipientsPerMessage: number;
  /** Replaces the sink every client reports to. */
  setSink(sink: Sink): void;
  /** CPU time (ms) the server process has used so far. */
  serverCpuMs(): number;
  /** Throws if the server process is gone. */
  assertServerAlive(): void;
  /** Closes every client (normal closure). */
  close(): Promise<void>;
}

/** Runs `connect(i)` for i in [0, count) with at most `parallel` in flight, in index order. */
export async function connectAll<T>(count: number, parallel: number, connect: (index: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        const index = next++;
        out[index] = await connect(index);
      }
    }),
  );
  return out;
}

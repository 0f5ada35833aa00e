// A bare Postgres wire-protocol client: enough to drive the extended-query protocol message by
// message, which pooled drivers never let a test do (they always send a whole exchange at once).
import { connect, type Socket } from 'node:net';

export interface WireMessage {
  type: string;
  body: Buffer;
}

function frame(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8');
const int16 = (value: number) => Buffer.from([(value >> 8) & 0xff, value & 0xff]);
const int32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};

/** Parse + Bind of an unnamed statement and portal with one text parameter. */
export function parseAndBind(sql: string, parameter: string): Buffer {
  const value = Buffer.from(parameter, 'utf8');
  return Buffer.concat([
    frame('P', Buffer.concat([cstring(''), cstring(sql), int16(0)])),
    frame('B', Buffer.concat([cstring(''), cstring(''), int16(0), int16(1), int32(value.length), value, int16(0)])),
  ]);
}

/** Execute of the unnamed portal, then Sync. */
export const executeAndSync = (): Buffer => Buffer.concat([frame('E', Buffer.concat([cstring(''), int32(0)])), frame('S', Buffer.alloc(0))]);

export class WireClient {
  readonly #socket: Socket;
  #buffered = Buffer.alloc(0);
  readonly #received: WireMessage[] = [];
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffered = Buffer.concat([this.#buffered, chunk]);
      while (this.#buffered.length >= 5) {
        const length = 1 + this.#buffered.readInt32BE(1);
        if (this.#buffered.length < length) break;
        this.#received.push({ type: String.fromCharCode(this.#buffered[0]!), body: this.#buffered.subarray(5, length) });
        this.#buffered = this.#buffered.subarray(length);
      }
      this.#wake?.();
    });
  }

  /** Connects and completes startup (answering a password request with `password`). */
  static async open(port: number, user: string, password: string): Promise<WireClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new WireClient(socket);
    const startup = Buffer.concat([int32(196608), cstring('user'), cstring(user), cstring('database'), cstring('postgres'), Buffer.from([0])]);
    socket.write(Buffer.concat([int32(startup.length + 4), startup]));
    const auth = await client.next('R');
    if (auth.body.readInt32BE(0) !== 0) socket.write(frame('p', cstring(password)));
    await client.until('Z');
    return client;
  }

  send(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** Every message up to and including the next one of `type`. */
  async until(type: string, timeoutMs = 5_000): Promise<WireMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.#received.findIndex((message) => message.type === type);
      if (end >= 0) return this.#received.splice(0, end + 1);
      if (Date.now() > deadline) throw new Error(`no '${type}' message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  }

  /** The next message of `type` (those before it are dropped). */
  async next(type: string, timeoutMs = 5_000): Promise<WireMessage> {
    return (await this.until(type, timeoutMs)).at(-1)!;
  }

  /** Messages received so far and not yet taken. */
  pending(): WireMessage[] {
    return [...this.#received];
  }

  close(): void {
    this.#socket.end(Buffer.from([0x58, 0, 0, 0, 4]));
  }
}

/** The first column of a DataRow, as text. */
export const firstColumn = (row: WireMessage): string => row.body.subarray(6, 6 + row.body.readInt32BE(2)).toString('utf8');

// Serves one PGlite database to many Postgres wire-protocol connections.
//
// PGlite is a single Postgres session, so connections take turns on it. A connection holds the
// session from its first message until it is idle again: not inside a transaction and not in the
// middle of an extended-query exchange (Parse/Bind/Describe/Execute... up to its Sync). Handing the
// session over between single messages instead lets one connection's Parse replace another's
// unnamed statement ("unnamed prepared statement does not exist", "portal does not exist").
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST_CODE = 80877103;
const GSS_REQUEST_CODE = 80877104;
const CANCEL_REQUEST_CODE = 80877102;
const TERMINATE = 0x58; // 'X'
const SYNC = 0x53; // 'S'
const SIMPLE_QUERY = 0x51; // 'Q'
// Messages that open or continue an extended-query exchange, which ends at Sync.
const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]); // P B D E C H
const SYNC_MESSAGE = new Uint8Array([SYNC, 0, 0, 0, 4]);

/** Who holds the one session, and who waits for it (first come, first served). */
class SessionTurns {
  #holder: number | null = null;
  readonly #waiting: { id: number; go: () => void }[] = [];

  async acquire(id: number): Promise<void> {
    if (this.#holder === null || this.#holder === id) {
      this.#holder = id;
      return;
    }
    await new Promise<void>((go) => this.#waiting.push({ id, go }));
  }

  holds(id: number): boolean {
    return this.#holder === id;
  }

  release(id: number): void {
    if (this.#holder !== id) return;
    const next = this.#waiting.shift();
    this.#holder = next?.id ?? null;
    next?.go();
  }
}

/** The code of an untyped message (the startup family): protocol version or a request code. */
const untypedCode = (message: Buffer) => message.readInt32BE(4);
/** After these the client sends another untyped message (its startup message). */
const isEncryptionRequest = (code: number) => code === SSL_REQUEST_CODE || code === GSS_REQUEST_CODE;

function serveConnection(socket: Socket, db: PGlite, turns: SessionTurns, id: number): void {
  let buffered: Buffer = Buffer.alloc(0);
  let untypedNext = true; // framing: the startup message (and any request before it) has no type byte
  let midExchange = false;
  let closed = false;
  let work = Promise.resolve();
  socket.setNoDelay(true);

  const exec = (message: Uint8Array, answer: boolean) =>
    db.runExclusive(() =>
      db.execProtocolRawStream(message, { onRawData: (data) => void (answer && !closed && socket.write(data)) }),
    );

  const handle = async (message: Buffer, typed: boolean) => {
    if (closed) return;
    if (!typed && isEncryptionRequest(untypedCode(message))) {
      socket.write('N'); // no encryption here: the client goes on in plain text
      return;
    }
    if (!typed && untypedCode(message) === CANCEL_REQUEST_CODE) return void socket.end();
    if (typed && message[0] === TERMINATE) return void socket.end();
    await turns.acquire(id);
    if (closed) return; // left while waiting: leave() tidies up the session it now holds
    await exec(message, true);
    const type = typed ? message[0]! : 0;
    if (EXTENDED.has(type)) midExchange = true;
    else if (type === SYNC || type === SIMPLE_QUERY) midExchange = false;
    if (!midExchange && !db.isInTransaction()) turns.release(id);
  };

  // A connection that leaves while holding the session must not leave it mid-exchange or mid-transaction.
  const leave = async () => {
    if (!turns.holds(id)) return;
    try {
      if (midExchange) await exec(SYNC_MESSAGE, false);
      if (db.isInTransaction()) await db.exec('ROLLBACK');
    } finally {
      turns.release(id);
    }
  };

  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    let offset = 0;
    for (;;) {
      const typed = !untypedNext;
      if (buffered.length - offset < (typed ? 5 : 8)) break;
      const length = typed ? 1 + buffered.readInt32BE(offset + 1) : buffered.readInt32BE(offset);
      if (length < (typed ? 5 : 8)) return void socket.destroy(); // not the wire protocol
      if (buffered.length - offset < length) break;
      const message = Buffer.from(buffered.subarray(offset, offset + length));
      offset += length;
      if (!typed) untypedNext = isEncryptionRequest(untypedCode(message));
      work = work.then(() => handle(message, typed));
    }
    buffered = buffered.subarray(offset);
    work = work.catch(() => {
      socket.destroy();
    });
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    closed = true;
    work = work.then(leave, leave).catch(() => undefined); // the client is gone: nobody to tell
  });
}

export interface PgliteWireServer {
  port: number;
  stop(): Promise<void>;
}

/** Listens on host:port (0 for a free one) and serves `db` until stopped. */
export async function servePglite(db: PGlite, options: { host: string; port: number }): Promise<PgliteWireServer> {
  const turns = new SessionTurns();
  const sockets = new Set<Socket>();
  let nextId = 1;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, db, turns, nextId++);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('PGlite wire server: no TCP address');
  return {
    port: address.port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

import net from 'node:net';
import type { WebSocket, RawData } from 'ws';

/** Pipes a WebSocket's binary frames to a TCP connection to Postgres and back. */
export function tunnel(ws: WebSocket, host: string, port: number): void {
  const tcp = net.connect({ host, port });
  tcp.setNoDelay(true);
  const sawTerminate = terminateWatcher();
  ws.on('message', (data: RawData) => {
    const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    tcp.write(chunk);
    // The Neon driver sends Terminate on end() but never closes its socket; without this the
    // Postgres backend would stay open until the Worker isolate goes away.
    if (sawTerminate(chunk)) tcp.end();
  });
  tcp.on('data', (chunk) => {
    if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
  });
  // terminate(), not close(): a polite close frame makes workerd raise "Network connection lost".
  tcp.on('close', () => ws.terminate());
  tcp.on('error', () => {}); // 'close' follows
  ws.on('close', () => tcp.destroy());
  ws.on('error', () => tcp.destroy());
}

/**
 * Follows the frontend message boundaries of a client-to-server Postgres stream and reports the
 * Terminate message ('X', length 4). Untyped messages (SSLRequest, StartupMessage) come first.
 */
export function terminateWatcher(): (chunk: Buffer) => boolean {
  let startup = true;
  let header = Buffer.alloc(0);
  let skip = 0;
  let lost = false;
  return (chunk) => {
    let i = 0;
    while (!lost && i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      const need = startup ? 8 : 5;
      const take = Math.min(need - header.length, chunk.length - i);
      header = Buffer.concat([header, chunk.subarray(i, i + take)]);
      i += take;
      if (header.length < need) break;
      if (startup) {
        // Protocol 3.x ends the untyped phase; SSL/GSS requests are followed by another untyped message.
        if (header.readInt32BE(4) >>> 16 === 3) startup = false;
        skip = header.readInt32BE(0) - 8;
      } else {
        const length = header.readInt32BE(1);
        if (header[0] === 0x58 && length === 4) return true;
        skip = length - 4;
      }
      if (skip < 0) lost = true; // not a Postgres stream: stop watching rather than misread it
      header = Buffer.alloc(0);
    }
    return false;
  };
}

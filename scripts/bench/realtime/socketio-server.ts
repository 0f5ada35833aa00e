// The Socket.IO 4 baseline of the realtime benchmark: one process, one room, the same exchange as
// Flow's ChatRoom (`message:send` -> `message:ack` to the sender + `message:received` to the room,
// with a per-room sequence number), but nothing stored and no authentication: the plain broadcast
// that a Socket.IO chat does in memory. WebSocket transport only (no long-polling), no compression,
// as on the Flow side.
//
// Run as a child process: `node socketio-server.ts [--exclude-sender]`. Listens on 127.0.0.1 (the
// kernel picks the port), prints one JSON line `{ "port": N }` on stdout, and exits when its stdin
// closes or on SIGTERM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

interface SendFrame {
  clientMessageId: string;
  text: string;
}

const ROOM = 'bench-room';
/** Flow may leave the sender out of its own broadcast; the baseline then does the same work. */
const excludeSender = process.argv.includes('--exclude-sender');

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
let seq = 0;

io.on('connection', (socket) => {
  const userId = String(socket.handshake.query.userId ?? socket.id);
  socket.on('room:join', (ack?: (answer: { lastSeq: number }) => void) => {
    void socket.join(ROOM);
    if (typeof ack === 'function') ack({ lastSeq: seq });
  });
  socket.on('message:send', (frame: SendFrame) => {
    seq += 1;
    socket.emit('message:ack', { clientMessageId: frame.clientMessageId, seq, duplicate: false });
    const message = { roomId: ROOM, seq, senderId: userId, clientMessageId: frame.clientMessageId, text: frame.text, sentAt: new Date().toISOString() };
    (excludeSender ? socket.to(ROOM) : io.to(ROOM)).emit('message:received', message);
  });
});

const shutdown = () => {
  void io.close();
  http.close();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();

http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (http.address() as AddressInfo).port })}\n`);
});

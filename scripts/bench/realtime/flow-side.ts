// The Flow side of the realtime benchmark: accounts registered and logged in through the API, one
// room with all of them as members (inserted with SQL, as the owning service would), a ticket per
// account from POST /api/v1/realtime/tickets, and one WebSocket per account on the room's socket,
// speaking the documented protocol (shared/realtime/protocol.ts).
import pg from 'pg';
import WebSocket from 'ws';
import { FRAME_SEPARATOR, type ClientFrame, type ServerFrame } from '../../../shared/realtime/protocol.ts';
import { RunError } from '../lib/load.ts';
import type { Workerd } from '../lib/workerd.ts';
import { post } from '../lib/phases.ts';
import { connectAll, FailureSink, type Fleet, type Sink } from './fleet.ts';

const JOIN_TIMEOUT_MS = 15_000;
/** The room closes sockets that stay silent (4408); a protocol ping now and then keeps them open. */
const KEEPALIVE_MS = 20_000;

export interface BenchUser {
  userId: string;
  accessToken: string;
}

function subjectOf(accessToken: string): string {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
  if (typeof payload.sub !== 'string') throw new Error('access token without sub');
  return payload.sub;
}

/** Registers `count` accounts and logs each in once, `parallel` at a time; one client IP per request. */
export async function registerUsers(target: Workerd, count: number, parallel: number, nextIp: () => string): Promise<BenchUser[]> {
  const password = `bench-${Math.random().toString(36).slice(2, 10)}-Pass`;
  const stamp = Date.now().toString(36);
  return connectAll(count, parallel, async (index) => {
    const email = `bench.rt${index}.${stamp}@example.com`;
    const registered = await post(target, '/api/v1/auth/register', nextIp(), { email, username: `bench_rt${index}_${stamp}`, password });
    if (registered.status !== 202) throw new RunError(`POST /api/v1/auth/register answered ${registered.status}: ${registered.text.slice(0, 300)}`);
    const login = await post(target, '/api/v1/auth/login', nextIp(), { email, password });
    if (login.status !== 200) throw new RunError(`POST /api/v1/auth/login answered ${login.status}: ${login.text.slice(0, 300)}`);
    const accessToken = (JSON.parse(login.text) as { accessToken: string }).accessToken;
    return { userId: subjectOf(accessToken), accessToken };
  });
}

/** A group room with every user as a member (the first one owns it). Returns the room id. */
export async function createRoom(databaseUrl: string, users: BenchUser[]): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const room = await client.query<{ id: string }>(`insert into chat_rooms (kind, subject_id) values ('group', gen_random_uuid()) returning id`);
    const roomId = room.rows[0]?.id;
    if (!roomId) throw new Error('chat_rooms insert returned no id');
    await client.query(
      `insert into chat_room_members (room_id, account_id, role)
       select $1, member.id, case when member.n = 1 then 'owner' else 'member' end
       from unnest($2::uuid[]) with ordinality as member(id, n)`,
      [roomId, users.map((u) => u.userId)],
    );
    return roomId;
  } finally {
    await client.end();
  }
}

async function ticketFor(target: Workerd, user: BenchUser, ip: string): Promise<string> {
  const response = await fetch(target.url('/api/v1/realtime/tickets'), {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}`, 'cf-connecting-ip': ip, 'user-agent': 'flow-bench' },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new RunError(`POST /api/v1/realtime/tickets answered ${response.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { ticket: string }).ticket;
}

const sendFrame = (socket: WebSocket, frame: ClientFrame) => socket.send(JSON.stringify(frame));

/** One socket per user: ticket, upgrade, `room:join`, wait for `room:joined`. */
export async function connectFlowFleet(target: Workerd, roomId: string, users: BenchUser[], nextIp: () => string): Promise<Fleet> {
  let sink: Sink = new FailureSink();
  let closing = false;
  const sockets = await connectAll(users.length, 10, async (index) => {
    const user = users[index] as BenchUser;
    const ip = nextIp();
    const ticket = await ticketFor(target, user, ip);
    const url = `ws://127.0.0.1:${target.port}/api/v1/realtime/rooms/${roomId}/socket?ticket=${encodeURIComponent(ticket)}`;
    // Native clients send no Origin; compression off, as on the Socket.IO side.
    const socket = new WebSocket(url, ['flow.v1'], { headers: { 'cf-connecting-ip': ip, 'user-agent': 'flow-bench' }, perMessageDeflate: false });
    let joined: (() => void) | undefined;
    const onFrame = (text: string) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(text) as ServerFrame;
      } catch {
        sink.failed(`client ${index} received a frame that is not JSON`);
        return;
      }
      switch (frame.type) {
        case 'message:received':
          sink.delivered(frame.text);
          break;
        case 'message:ack':
          sink.acked();
          break;
        case 'room:joined':
          joined?.();
          break;
        case 'error':
          sink.failed(`client ${index} received error ${frame.code}: ${frame.message}`);
          break;
        default:
          // receipts, presence, typing, unread, pong: not part of this measurement
          break;
      }
    };
    // Under load the room puts several frames in one message, one per line.
    socket.on('message', (data) => {
      for (const text of data.toString().split(FRAME_SEPARATOR)) onFrame(text);
    });
    socket.on('close', (code, reason) => {
      if (!closing) sink.failed(`client ${index}'s socket closed: ${code} ${reason.toString()}`);
    });
    await new Promise<void>((resolveJoin, reject) => {
      const timer = setTimeout(() => reject(new RunError(`client ${index}: no room:joined within ${JOIN_TIMEOUT_MS / 1000} s`)), JOIN_TIMEOUT_MS);
      joined = () => {
        clearTimeout(timer);
        resolveJoin();
      };
      socket.once('unexpected-response', (_request, response) => {
        clearTimeout(timer);
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => reject(new RunError(`client ${index}: the upgrade answered ${response.statusCode}: ${body.slice(0, 300)}`)));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new RunError(`client ${index}: ${error.message}`));
      });
      socket.once('open', () => sendFrame(socket, { type: 'room:join' }));
    });
    return socket;
  });
  const keepalive = setInterval(() => {
    for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) sendFrame(socket, { type: 'ping' });
  }, KEEPALIVE_MS);
  keepalive.unref();

  const flow: Fleet = {
    label: 'flow',
    clients: sockets.map((socket) => ({ send: (clientMessageId, text) => sendFrame(socket, { type: 'message:send', clientMessageId, text }) })),
    recipientsPerMessage: users.length,
    setSink: (next) => {
      sink = next;
    },
    serverCpuMs: () => target.cpuMs(),
    assertServerAlive: () => target.assertAlive(),
    close: async () => {
      closing = true;
      clearInterval(keepalive);
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolveClose) => {
              if (socket.readyState === WebSocket.CLOSED) return resolveClose();
              socket.once('close', () => resolveClose());
              socket.close(1000, 'bench over');
              setTimeout(() => {
                socket.terminate();
                resolveClose();
              }, 2_000).unref();
            }),
        ),
      );
    },
  };
  return flow;
}

/**
 * Whether a room sends a message back to its own sender: one message from client 0, then every
 * delivery counted for a second. The Socket.IO baseline is then told to do the same.
 */
export async function senderGetsOwnMessages(fleet: Fleet): Promise<boolean> {
  let deliveries = 0;
  const probe = new FailureSink();
  fleet.setSink({ delivered: () => void deliveries++, acked: () => {}, failed: (problem) => probe.failed(problem) });
  fleet.clients[0]?.send(`probe-${Date.now()}`, 'probe');
  const others = fleet.clients.length - 1;
  const until = Date.now() + 10_000;
  while (deliveries < others && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1_000));
  if (probe.firstFailure) throw new RunError(`probe message: ${probe.firstFailure}`);
  if (deliveries < others) throw new RunError(`probe message reached ${deliveries} of at least ${others} clients`);
  return deliveries > others;
}

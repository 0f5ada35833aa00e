// The Socket.IO side of the realtime benchmark: starts socketio-server.ts in a process of its own
// (pinned to the CPU workerd uses, so both servers get the same core) and connects the clients
// with socket.io-client over the WebSocket transport.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { track } from '../lib/cleanup.ts';
import { watchExit } from '../lib/child-exit.ts';
import { pinnedCommand, processCpuMs } from '../lib/cpu.ts';
import { connectAll, FailureSink, type Fleet, type Sink } from './fleet.ts';

const SERVER_SCRIPT = fileURLToPath(new URL('./socketio-server.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const CONNECT_TIMEOUT_MS = 10_000;

export interface SocketIoServer {
  pid: number;
  port: number;
  cpuMs(): number;
  assertAlive(): void;
  stop(): Promise<void>;
}

export async function startSocketIoServer(options: { cpu: number | undefined; excludeSender: boolean }): Promise<SocketIoServer> {
  const args = [SERVER_SCRIPT, ...(options.excludeSender ? ['--exclude-sender'] : [])];
  const [command, commandArgs] = pinnedCommand(options.cpu, process.execPath, args);
  const child = spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  const { exited, info } = watchExit(child);
  const kill = () => {
    if (info() === undefined) child.kill('SIGKILL');
  };
  const stop = async () => {
    if (info() === undefined) {
      child.stdin?.end();
      const timer = setTimeout(kill, 3_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const untrack = track('socket.io server', stop, kill);
  const failure = (message: string) => new Error(`socket.io server: ${message}${stderr.trim() ? `\n  stderr:\n    | ${stderr.trim().split('\n').slice(-10).join('\n    | ')}` : ''}`);
  try {
    const line = await new Promise<string>((resolveLine, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      createInterface({ input: child.stdout! }).once('line', (first) => {
        clearTimeout(timer);
        resolveLine(first);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${info() ?? 'exited'} before listening`));
      });
    });
    const port = (JSON.parse(line) as { port: number }).port;
    const pid = child.pid as number;
    return {
      pid,
      port,
      cpuMs: () => {
        if (info() !== undefined) throw failure(info()!);
        return processCpuMs(pid);
      },
      assertAlive: () => {
        if (info() !== undefined) throw failure(info()!);
      },
      stop: async () => {
        await stop();
        untrack();
      },
    };
  } catch (error) {
    await stop();
    untrack();
    throw failure((error as Error).message);
  }
}

/** Connects `count` socket.io clients and joins each to the room. */
export async function connectSocketIoFleet(server: SocketIoServer, count: number, excludeSender: boolean): Promise<Fleet> {
  let sink: Sink = new FailureSink();
  let closing = false;
  const sockets = await connectAll(count, 10, async (index) => {
    const socket: Socket = io(`http://127.0.0.1:${server.port}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS,
      query: { userId: `bench-user-${index}` },
    });
    socket.on('message:received', (message: { text?: unknown }) => sink.delivered(String(message.text)));
    socket.on('message:ack', () => sink.acked());
    socket.on('disconnect', (reason) => {
      if (!closing) sink.failed(`socket.io client ${index} disconnected: ${reason}`);
    });
    await new Promise<void>((resolveJoin, reject) => {
      socket.once('connect_error', (error) => reject(new Error(`socket.io client ${index} could not connect: ${error.message}`)));
      socket.once('connect', () => {
        socket.emit('room:join', () => resolveJoin());
      });
    });
    return socket;
  });
  return {
    label: 'socket.io',
    clients: sockets.map((socket) => ({ send: (clientMessageId, text) => socket.emit('message:send', { clientMessageId, text }) })),
    recipientsPerMessage: excludeSender ? count - 1 : count,
    setSink: (next) => {
      sink = next;
    },
    serverCpuMs: () => server.cpuMs(),
    assertServerAlive: () => server.assertAlive(),
    close: async () => {
      closing = true;
      for (const socket of sockets) socket.disconnect();
    },
  };
}

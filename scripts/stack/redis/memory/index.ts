import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ReplyError, type RedisBackend, type RedisReply } from '../reply.ts';
import type { CommandTable } from './args.ts';
import { hashCommands, setCommands } from './hashes-sets.ts';
import { keyCommands } from './keys.ts';
import { Keyspace, type SnapshotRow } from './keyspace.ts';
import { listCommands } from './lists.ts';
import { stringCommands } from './strings.ts';
import { zsetCommands } from './zsets.ts';

const COMMANDS: CommandTable = {
  ...keyCommands, ...stringCommands, ...hashCommands, ...setCommands, ...zsetCommands, ...listCommands,
};

/** Why a command cannot even be queued (unknown, wrong arity), as Redis words it; undefined when fine. */
function rejectReason([name = '', ...args]: string[]): ReplyError | undefined {
  const spec = COMMANDS[name.toLowerCase()];
  if (!spec) {
    const shown = args.slice(0, 20).map((arg) => `'${arg.slice(0, 128)}' `).join('');
    return new ReplyError(`ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${shown}`);
  }
  const count = args.length + 1;
  if (spec.arity > 0 ? count !== spec.arity : count < -spec.arity) {
    return new ReplyError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
  }
  return undefined;
}

function execute(keyspace: Keyspace, command: string[]): RedisReply {
  const rejected = rejectReason(command);
  if (rejected) return rejected;
  try {
    return COMMANDS[command[0]!.toLowerCase()]!.run(keyspace, command.slice(1));
  } catch (error) {
    if (error instanceof ReplyError) return error;
    throw error;
  }
}

/**
 * The in-process Redis used when no redis-server is installed: the commands Flow uses, the same
 * replies as Redis 7 (held to the same contract tests), lazy plus periodic key expiry. Commands run
 * synchronously, so a transaction is atomic by construction. With a snapshot file it loads the keys
 * on open and writes them on close (a crash loses what changed since the last start).
 */
export class MemoryRedis implements RedisBackend {
  private keyspace = new Keyspace();
  private available = true;
  private sweeper = setInterval(() => this.keyspace.sweep(), 1_000).unref();
  private snapshotFile: string | undefined;

  static async open(snapshotFile?: string): Promise<MemoryRedis> {
    const redis = new MemoryRedis();
    redis.snapshotFile = snapshotFile;
    if (snapshotFile && existsSync(snapshotFile)) {
      redis.keyspace.load(JSON.parse(await readFile(snapshotFile, 'utf8')) as SnapshotRow[]);
    }
    return redis;
  }

  /** Simulates the server going away (the data stays, as with a restarted server). */
  setAvailable(available: boolean): void {
    this.available = available;
  }

  async pipeline(commands: string[][]): Promise<RedisReply[]> {
    this.assertAvailable();
    return commands.map((command) => execute(this.keyspace, command));
  }

  async transaction(commands: string[][]): Promise<RedisReply[] | ReplyError> {
    this.assertAvailable();
    if (commands.some((command) => rejectReason(command))) {
      return new ReplyError('EXECABORT Transaction discarded because of previous errors.');
    }
    return commands.map((command) => execute(this.keyspace, command));
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    if (!this.snapshotFile) return;
    await mkdir(path.dirname(this.snapshotFile), { recursive: true });
    await writeFile(this.snapshotFile, JSON.stringify(this.keyspace.dump()));
  }

  private assertAvailable(): void {
    if (!this.available) throw new Error('the in-process redis is stopped');
  }
}

import { ReplyError } from '../reply.ts';
import { OK, indexRange, parseInteger, type CommandTable } from './args.ts';
import type { Keyspace } from './keyspace.ts';

function push(left: boolean) {
  return (ks: Keyspace, [key, ...elements]: string[]) => {
    const list = ks.write(key!, 'list', () => []);
    for (const element of elements) left ? list.unshift(element) : list.push(element);
    return list.length;
  };
}

/** LPOP/RPOP key [count]: one element, or an array when a count is given (nil when the key is missing). */
function pop(left: boolean) {
  return (ks: Keyspace, [key, countArg, ...rest]: string[]) => {
    if (rest.length) throw new ReplyError(`ERR wrong number of arguments for '${left ? 'lpop' : 'rpop'}' command`);
    const count = countArg === undefined ? undefined : parseInteger(countArg, 'ERR value is out of range, must be positive');
    if (count !== undefined && count < 0) throw new ReplyError('ERR value is out of range, must be positive');
    const list = ks.read(key!, 'list');
    if (!list) return null;
    const taken = left ? list.splice(0, count ?? 1) : list.splice(Math.max(0, list.length - (count ?? 1))).reverse();
    ks.dropIfEmpty(key!, list.length);
    return count === undefined ? (taken[0] ?? null) : taken;
  };
}

/** List commands. */
export const listCommands: CommandTable = {
  lpush: { arity: -3, run: push(true) },
  rpush: { arity: -3, run: push(false) },
  lpop: { arity: -2, run: pop(true) },
  rpop: { arity: -2, run: pop(false) },
  lrange: {
    arity: 4,
    run(ks, [key, start, stop]) {
      const list = ks.read(key!, 'list') ?? [];
      return list.slice(...indexRange(start, stop, list.length));
    },
  },
  ltrim: {
    arity: 4,
    run(ks, [key, start, stop]) {
      const list = ks.read(key!, 'list');
      const [from, to] = indexRange(start, stop, list?.length ?? 0);
      if (!list) return OK;
      list.splice(to);
      list.splice(0, from);
      ks.dropIfEmpty(key!, list.length);
      return OK;
    },
  },
  llen: { arity: 2, run: (ks, [key]) => ks.read(key!, 'list')?.length ?? 0 },
};

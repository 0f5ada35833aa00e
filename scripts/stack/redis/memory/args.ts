import { ReplyError } from '../reply.ts';
import type { RedisReply } from '../reply.ts';
import type { Keyspace } from './keyspace.ts';

/** One command of the in-process Redis. `arity` follows Redis: exact count with the name, or -minimum. */
export interface CommandSpec {
  arity: number;
  run(keyspace: Keyspace, args: string[]): RedisReply;
}
export type CommandTable = Record<string, CommandSpec>;

export const OK = 'OK';
export const NOT_INTEGER = 'ERR value is not an integer or out of range';
export const syntaxError = (): ReplyError => new ReplyError('ERR syntax error');

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses a 64-bit integer the way Redis does (no sign but '-', no leading zeros, no spaces). */
export function parseInt64(text: string | undefined, message = NOT_INTEGER): bigint {
  if (text === undefined || !/^(0|-?[1-9]\d{0,19})$/.test(text)) throw new ReplyError(message);
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) throw new ReplyError(message);
  return value;
}

export function parseInteger(text: string | undefined, message = NOT_INTEGER): number {
  return Number(parseInt64(text, message));
}

/** Adds with Redis's overflow check. */
export function addInt64(a: bigint, b: bigint, message = 'ERR increment or decrement would overflow'): bigint {
  const sum = a + b;
  if (sum < INT64_MIN || sum > INT64_MAX) throw new ReplyError(message);
  return sum;
}

/** Parses a double like Redis (accepts inf/-inf, rejects NaN, blanks and trailing garbage). */
export function parseDouble(text: string | undefined, message = 'ERR value is not a valid float'): number {
  if (text === undefined) throw new ReplyError(message);
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  const value = text.trim() === text && text !== '' ? Number(text) : NaN;
  if (Number.isNaN(value) || !Number.isFinite(value)) throw new ReplyError(message);
  return value;
}

/** Formats a double as Redis replies it (shortest round-trip form, inf/-inf). */
export function formatDouble(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

/** Normalizes a Redis index range (negative from the end) to [start, end) over `length` items. */
export function indexRange(startArg: string | undefined, stopArg: string | undefined, length: number): [number, number] {
  let start = parseInteger(startArg);
  let stop = parseInteger(stopArg);
  if (start < 0) start = Math.max(0, start + length);
  if (stop < 0) stop += length;
  stop = Math.min(stop, length - 1);
  return start > stop ? [0, 0] : [start, stop + 1];
}

/** Converts a Redis glob (*, ?, [a-z], [^x], \x) to an anchored RegExp. */
export function globToRegExp(pattern: string): RegExp {
  const escape = (c: string) => c.replace(/[\\^$.*+?()[\]{}|\/-]/g, '\\$&');
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else if (c === '\\' && i + 1 < pattern.length) out += escape(pattern[++i]!);
    else if (c === '[' && pattern.indexOf(']', i + 1) > i + 1) {
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^') (cls += '^'), j++;
      for (; pattern[j] !== ']' && j < pattern.length; j++) {
        const d = pattern[j]!;
        if (d === '\\' && j + 1 < pattern.length) cls += escape(pattern[++j]!);
        else cls += d === '-' ? '-' : escape(d);
      }
      out += `[${cls}]`;
      i = j;
    } else out += escape(c);
  }
  return new RegExp(`^${out}$`);
}

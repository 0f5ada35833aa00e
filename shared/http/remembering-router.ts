import type { Result, Router } from 'hono/router';
import { TrieRouter } from 'hono/router/trie-router';

/** Matches remembered per method; past this many the oldest is forgotten. */
const REMEMBERED_PER_METHOD = 1_000;
/** Longer paths are matched every time, so the memory held stays small whatever clients send. */
const LONGEST_REMEMBERED_PATH = 256;

/**
 * Hono's TrieRouter, remembering recent matches. Our routes put static segments beside
 * parameters (`/users/me`, `/users/:id`), which Hono's faster RegExpRouter refuses, and a trie
 * walk costs microseconds per request in a busy isolate, while a Map lookup costs almost
 * nothing. Match results are never written to after the trie builds them (Hono only reads
 * params from them), so one result can serve every request for the same method and path.
 */
export class RememberingRouter<T> implements Router<T> {
  readonly name = 'RememberingRouter';
  readonly #trie = new TrieRouter<T>();
  readonly #matches = new Map<string, Map<string, Result<T>>>();

  add(method: string, path: string, handler: T): void {
    this.#matches.clear();
    this.#trie.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    if (path.length > LONGEST_REMEMBERED_PATH) return this.#trie.match(method, path);
    let matches = this.#matches.get(method);
    if (matches === undefined) {
      matches = new Map();
      this.#matches.set(method, matches);
    }
    let result = matches.get(path);
    if (result === undefined) {
      result = this.#trie.match(method, path);
      if (matches.size >= REMEMBERED_PER_METHOD) matches.delete(matches.keys().next().value as string);
      matches.set(path, result);
    }
    return result;
  }
}

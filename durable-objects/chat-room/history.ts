import type { ChatMessage } from '../../shared/realtime/protocol.ts';
import type { MongoStore } from '../../shared/stores/index.ts';
import { archivedBefore, archivedBetween } from './archive.ts';
import type { MessageLog } from './message-log.ts';

export interface HistoryPage {
  /** Oldest first. */
  messages: ChatMessage[];
  /** Whether older messages exist below the first one. */
  hasMore: boolean;
}

// A resume replays the archived gap in pages of this size.
const ARCHIVE_PAGE = 500;

/** Reads of the log that may reach below what SQLite keeps, into the MongoDB archive. */
export class RoomHistory {
  readonly #log: MessageLog;
  readonly #mongo: () => MongoStore;
  readonly #roomId: () => string;

  constructor(log: MessageLog, mongo: () => MongoStore, roomId: () => string) {
    this.#log = log;
    this.#mongo = mongo;
    this.#roomId = roomId;
  }

  /** A page of messages before `before` (the newest page when absent). */
  async page(before: number | undefined, limit: number): Promise<HistoryPage> {
    const upper = before ?? this.#log.lastSeq() + 1;
    let newestFirst = this.#log.before(upper, limit);
    if (newestFirst.length < limit) {
      const floor = newestFirst.at(-1)?.seq ?? Math.min(upper, this.#log.oldestSeq() ?? upper);
      if (floor > 1) {
        const older = await archivedBefore(this.#mongo(), this.#roomId(), floor, limit - newestFirst.length);
        newestFirst = [...newestFirst, ...older];
      }
    }
    // Sequence numbers start at 1 without gaps, so anything above 1 has older messages.
    const oldest = newestFirst.at(-1)?.seq ?? 1;
    return { messages: newestFirst.reverse(), hasMore: oldest > 1 };
  }

  /** The archived messages after `since` that SQLite no longer holds, oldest first. */
  async archivedAfter(since: number): Promise<ChatMessage[]> {
    const oldestLocal = this.#log.oldestSeq();
    const archived: ChatMessage[] = [];
    let cursor = since;
    while (oldestLocal !== null && cursor + 1 < oldestLocal) {
      const page = await archivedBetween(this.#mongo(), this.#roomId(), cursor, oldestLocal, ARCHIVE_PAGE);
      if (page.length === 0) break;
      archived.push(...page);
      cursor = page.at(-1)!.seq;
    }
    return archived;
  }
}

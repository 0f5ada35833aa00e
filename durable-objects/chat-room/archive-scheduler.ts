import type { MongoStore } from '../../shared/stores/index.ts';
import { archiveBatch } from './archive.ts';
import type { MessageLog } from './message-log.ts';
import type { RoomMeta } from './schema.ts';
import type { Typing } from './typing.ts';

// New messages wait this long so they reach the archive in batches, not one by one.
const ARCHIVE_DELAY_MS = 5_000;
const MAX_BACKOFF_MS = 5 * 60_000;
// Batches written per alarm, so one alarm never runs for long.
const BATCHES_PER_ALARM = 10;
/** Messages kept in SQLite after archiving, for resumes and recent history without MongoDB. */
export const KEEP_LOCAL_MESSAGES = 1_000;

export interface ArchiveSchedulerDeps {
  storage: DurableObjectStorage;
  meta: RoomMeta;
  log: MessageLog;
  typing: Typing;
  mongo: () => MongoStore;
  batchSize: () => number;
}

/**
 * Write-behind of the log to MongoDB, and the room's single alarm: it fires at the earliest of
 * the archive's due time and the next typing expiry. Failures back off exponentially.
 */
export class ArchiveScheduler {
  readonly #deps: ArchiveSchedulerDeps;
  #alarmAt: number | null | undefined;
  // Mirror of meta.archive_due (undefined until read): every message asks for it.
  #due: number | null | undefined;

  constructor(deps: ArchiveSchedulerDeps) {
    this.#deps = deps;
  }

  /** After a new message: make sure an archive run is due. */
  messageStored(now: number): void {
    if (this.#dueAt() !== null) return;
    this.#setDue(now + ARCHIVE_DELAY_MS);
    this.reschedule();
  }

  /** Archives pending batches; on failure schedules a retry with backoff. */
  async run(onFailure: (error: unknown) => void): Promise<void> {
    const { log, meta } = this.#deps;
    try {
      for (let round = 0; round < BATCHES_PER_ALARM && log.hasUnarchived(); round += 1) {
        const batch = log.unarchived(this.#deps.batchSize());
        await archiveBatch(this.#deps.mongo(), batch);
        log.markArchived(batch[0]!.seq, batch.at(-1)!.seq);
      }
      log.pruneArchived(KEEP_LOCAL_MESSAGES);
      meta.delete('archive_failures');
      this.#setDue(log.hasUnarchived() ? Date.now() : null);
    } catch (error) {
      onFailure(error);
      const failures = Number(meta.get('archive_failures') ?? '0') + 1;
      meta.set('archive_failures', String(failures));
      this.#setDue(Date.now() + Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** failures));
    }
    this.#alarmAt = undefined;
    this.reschedule();
  }

  /** Points the alarm at the earliest pending work, or clears it. */
  reschedule(): void {
    const candidates = [this.#dueAt(), this.#deps.typing.nextExpiry()].filter((at): at is number => at !== null);
    const next = candidates.length > 0 ? Math.min(...candidates) : null;
    if (next === this.#alarmAt) return;
    this.#alarmAt = next;
    // Storage writes from one object apply in order, so this need not be awaited here.
    void (next === null ? this.#deps.storage.deleteAlarm() : this.#deps.storage.setAlarm(next));
  }

  #dueAt(): number | null {
    if (this.#due === undefined) {
      const stored = this.#deps.meta.get('archive_due');
      this.#due = stored === null ? null : Number(stored);
    }
    return this.#due;
  }

  #setDue(at: number | null): void {
    if (at === null) this.#deps.meta.delete('archive_due');
    else this.#deps.meta.set('archive_due', String(at));
    this.#due = at;
  }
}

/**
 * Request rows reach the store in batches, off the request path: a request only adds its row to a queue. The
 * queue is written every second (so a kill -9 loses at most the last second), at once when it grows large, and
 * on shutdown. A store that fails keeps its rows queued, up to a bound, and is tried again on the next tick.
 */
import type { Logger } from "../log";
import { RowQueue } from "./row-queue";
import type { RecordStore, RequestRow } from "./types";

const FLUSH_EVERY_MS = 1000;
/** A queue this long is written at once rather than at the next tick. */
const FLUSH_AT_ROWS = 2000;
/** Beyond this many unwritten rows (a store down for long), the oldest are dropped. */
const MAX_QUEUED_ROWS = 200_000;

export class RecordWriter {
  private readonly queue = new RowQueue();
  /** Rows a failing store did not take, older than the queue's: written first. */
  private held: RequestRow[] = [];
  private lastUsed = new Map<string, number>();
  private writing: Promise<void> | undefined;
  private readonly timer: ReturnType<typeof setInterval>;
  private failing = false;

  constructor(
    private readonly store: RecordStore,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  add(row: RequestRow): void {
    this.queue.push(row);
    this.touched(row.keyId, row.at);
    if (this.queue.length >= FLUSH_AT_ROWS) void this.flush();
  }

  /** A key was used: its lastUsedAt is written with the next batch (also when requests are not recorded). */
  touched(keyId: string, at: number): void {
    this.lastUsed.set(keyId, at);
  }

  /** Writes what is queued; one write at a time, so rows reach the store in order. */
  flush(): Promise<void> {
    this.writing ??= this.write().finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async write(): Promise<void> {
    while (this.queue.length || this.held.length || this.lastUsed.size) {
      const rows = this.held.length ? this.held.concat(this.queue.take()) : this.queue.take();
      const lastUsed = this.lastUsed;
      this.held = [];
      this.lastUsed = new Map();
      try {
        await this.store.append(rows);
        await this.store.touchKeys(lastUsed);
        if (this.failing) this.log.info("the database takes records again", { backend: this.store.backend });
        this.failing = false;
      } catch (e) {
        this.requeue(rows, lastUsed);
        if (!this.failing) this.log.error("cannot write records; they stay queued and are tried again", { backend: this.store.backend, error: (e as Error).message });
        this.failing = true;
        return;
      }
    }
  }

  private requeue(rows: RequestRow[], lastUsed: Map<string, number>): void {
    this.held = rows.concat(this.queue.take());
    if (this.held.length > MAX_QUEUED_ROWS) this.held.splice(0, this.held.length - MAX_QUEUED_ROWS);
    for (const [id, at] of lastUsed) if (!this.lastUsed.has(id)) this.lastUsed.set(id, at);
  }

  /** Stops the clock and writes the rest. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

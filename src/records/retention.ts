/** Old records go: request rows after requestLogDays, hourly usage after usageRetentionDays; checked hourly. */
import type { Logger } from "../log";
import type { RecordStore } from "./types";

const DAY_MS = 86_400_000;
const EVERY_MS = 3_600_000;

export class Retention {
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly store: RecordStore,
    private readonly days: { requestLogDays: number; usageRetentionDays: number },
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.prune(), EVERY_MS);
    this.timer.unref();
  }

  async prune(now = Date.now()): Promise<void> {
    try {
      await this.store.prune(now - this.days.requestLogDays * DAY_MS, now - this.days.usageRetentionDays * DAY_MS);
    } catch (e) {
      this.log.warn("could not prune old records", { error: (e as Error).message });
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

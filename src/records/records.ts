/**
 * The records of one running gateway, opened at start and closed at shutdown: the store, the client keys in
 * force, the recorder requests report to, the batched writer and the pruning of old rows.
 */
import type { Logger } from "../log";
import { ClientKeys } from "./keys";
import { openRecordStore } from "./open";
import { Recorder } from "./recorder";
import { Retention } from "./retention";
import type { RecordStore } from "./types";
import { RecordWriter } from "./writer";

export interface RecordSettings {
  /** A SQLite path (absolute) or a postgres:// URL. */
  database: string;
  /** config.json's apiKey: the key named `default`. */
  apiKey: string;
  requestLogDays: number;
  usageRetentionDays: number;
  /** false: requests are not written (no request log, no usage); keys' limits and metrics still see them. */
  recordRequests: boolean;
}

export class Records {
  private constructor(
    readonly store: RecordStore,
    readonly keys: ClientKeys,
    readonly writer: RecordWriter,
    readonly recorder: Recorder,
    private readonly retention: Retention,
  ) {}

  static async open(settings: RecordSettings, log: Logger): Promise<Records> {
    const store = await openRecordStore(settings.database);
    try {
      const keys = await ClientKeys.load(store, settings.apiKey);
      const writer = new RecordWriter(store, log);
      const retention = new Retention(store, settings, log);
      void retention.prune();
      return new Records(store, keys, writer, new Recorder(writer, log, settings.recordRequests), retention);
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  /** Writes what is queued (shutdown; tests that read what they just sent). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  async close(): Promise<void> {
    this.retention.stop();
    await this.writer.close();
    await this.store.close();
  }
}

/**
 * The records in PostgreSQL (Bun.SQL), for operators who already run one or share records between instances.
 * The shared SQL is written with `?`; it is numbered ($1, $2, …) here.
 */
// A type only: the bundler turns a value import from "bun" into a read of Bun.SQL when the binary starts, which
// loads the client even where this module never does.
import type { SQL } from "bun";
import { DatabaseError } from "./errors";
import {
  batchRollups, chunks, insertRequestsSql, keyNamesSql, PRUNE_SQL, keyUsageSql, keyValues, type Params, requestParams, requestsSql, rollupValues,
  toKeyUsage, toLoggedRequest, toStoredKey, toUsageRow, upsertKeySql, upsertRollupSql, usageSql,
} from "./queries";
import { migrations, SCHEMA_VERSION, VERSION_TABLE } from "./schema";
import type { KeyUsage, LoggedRequest, RecordStore, RequestQuery, RequestRow, StoredKey, UsageQuery, UsageRow } from "./types";

type Row = Record<string, unknown>;
const flag = (b: boolean) => b;

/** `?` → `$n`; the shared SQL has no `?` inside literals. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The URL without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}

type Runner = Pick<SQL, "unsafe">;

export class PostgresStore implements RecordStore {
  readonly backend = "postgres";

  private constructor(private readonly sql: SQL) {}

  static async open(url: string): Promise<PostgresStore> {
    const sql = new Bun.SQL(url, { max: 4 });
    const store = new PostgresStore(sql);
    try {
      await store.migrate(url);
    } catch (e) {
      await sql.close().catch(() => {});
      throw e instanceof DatabaseError ? e : new DatabaseError(`cannot use the database ${redactedUrl(url)}: ${(e as Error).message}`);
    }
    return store;
  }

  private async migrate(url: string): Promise<void> {
    // Instances of a cluster starting at once would race CREATE TABLE IF NOT EXISTS (a duplicate pg_type row):
    // one at a time, under a transaction-scoped advisory lock.
    await this.sql.begin(async (tx) => {
      await tx.unsafe("SELECT pg_advisory_xact_lock(1801116527)");
      await tx.unsafe(VERSION_TABLE);
    });
    const [row] = (await this.sql.unsafe("SELECT MAX(version) AS v FROM kiro_ts_schema")) as Row[];
    const version = Number(row?.v ?? 0);
    if (version > SCHEMA_VERSION) {
      throw new DatabaseError(`the database ${redactedUrl(url)} has schema version ${version}, newer than this kiro-ts knows (${SCHEMA_VERSION}): upgrade kiro-ts`);
    }
    const steps = migrations("postgres").slice(version);
    if (steps.length === 0) return;
    await this.sql.begin(async (tx) => {
      // Two instances starting at once: the second waits here, then finds nothing left to do.
      await tx.unsafe("LOCK TABLE kiro_ts_schema IN EXCLUSIVE MODE");
      const [again] = (await tx.unsafe("SELECT MAX(version) AS v FROM kiro_ts_schema")) as Row[];
      if (Number(again?.v ?? 0) !== version) return;
      for (const statements of steps) for (const s of statements) await tx.unsafe(s);
      await tx.unsafe("DELETE FROM kiro_ts_schema");
      await tx.unsafe(`INSERT INTO kiro_ts_schema (version) VALUES (${SCHEMA_VERSION})`);
    });
  }

  private async all(sql: string, params: Params = [], on: Runner = this.sql): Promise<Row[]> {
    return (await on.unsafe(numbered(sql), params)) as Row[];
  }

  async keys(): Promise<StoredKey[]> {
    return (await this.all("SELECT * FROM client_keys ORDER BY created_at")).map(toStoredKey);
  }

  async saveKey(key: StoredKey): Promise<void> {
    await this.all(upsertKeySql, keyValues(key, flag));
  }

  async deleteKey(id: string): Promise<void> {
    await this.all("DELETE FROM client_keys WHERE id = ?", [id]);
  }

  async touchKeys(lastUsed: Map<string, number>): Promise<void> {
    for (const [id, at] of lastUsed) await this.all("UPDATE client_keys SET last_used_at = ? WHERE id = ?", [at, id]);
  }

  async append(rows: RequestRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.sql.begin(async (tx) => {
      for (const part of chunks(rows)) await this.all(insertRequestsSql(part.length), requestParams(part, flag), tx);
      for (const [table, sums] of batchRollups(rows)) {
        for (const part of chunks(sums)) await this.all(upsertRollupSql(table, part.length), part.flatMap(rollupValues), tx);
      }
    });
  }

  async usage(q: UsageQuery): Promise<UsageRow[]> {
    const { sql, params } = usageSql(q);
    return (await this.all(sql, params)).map(toUsageRow);
  }

  async keyNames(): Promise<Map<string, string>> {
    return new Map((await this.all(keyNamesSql)).map((r) => [String(r.key_id), String(r.key_name)]));
  }

  async keyUsageSince(since: number): Promise<KeyUsage[]> {
    return (await this.all(keyUsageSql, [since])).map(toKeyUsage);
  }

  async requests(q: RequestQuery): Promise<LoggedRequest[]> {
    const { sql, params } = requestsSql(q);
    return (await this.all(sql, params)).map(toLoggedRequest);
  }

  async prune(requestsBefore: number, usageBefore: number): Promise<void> {
    const [requests, hourly, daily] = PRUNE_SQL;
    await this.all(requests, [requestsBefore]);
    await this.all(hourly, [usageBefore]);
    await this.all(daily, [usageBefore]);
  }

  async close(): Promise<void> {
    await this.sql.close();
  }
}

/**
 * The records in a SQLite file (bun:sqlite), the default: no service to run. WAL lets the admin's reads run
 * beside the writer's batches; each batch is one transaction, so a batch costs one fsync, not one per request.
 */
import { Database, type SQLQueryBindings } from "bun:sqlite";
import { DatabaseError } from "./errors";
import {
  batchRollups, chunks, insertRequestsSql, keyNamesSql, PRUNE_SQL, keyUsageSql, keyValues, type Params, requestParams, requestsSql, rollupValues,
  toKeyUsage, toLoggedRequest, toStoredKey, toUsageRow, upsertKeySql, upsertRollupSql, usageSql,
} from "./queries";
import { migrations, SCHEMA_VERSION, VERSION_TABLE } from "./schema";
import type { KeyUsage, LoggedRequest, RecordStore, RequestQuery, RequestRow, StoredKey, UsageQuery, UsageRow } from "./types";

const flag = (b: boolean) => (b ? 1 : 0);
type Row = Record<string, unknown>;

export class SqliteStore implements RecordStore {
  readonly backend = "sqlite";

  private constructor(private readonly db: Database) {}

  /** Opens (creating) the file and brings its schema up to date. */
  static open(path: string): SqliteStore {
    let db: Database;
    try {
      db = new Database(path, { create: true });
      db.run("PRAGMA journal_mode = WAL");
      db.run("PRAGMA synchronous = NORMAL");
      db.run("PRAGMA busy_timeout = 5000");
    } catch (e) {
      throw new DatabaseError(`cannot open the database ${path}: ${(e as Error).message}`);
    }
    const store = new SqliteStore(db);
    try {
      store.migrate(path);
    } catch (e) {
      db.close();
      throw e instanceof DatabaseError ? e : new DatabaseError(`cannot read the database ${path}: ${(e as Error).message}`);
    }
    return store;
  }

  private migrate(path: string): void {
    this.db.run(VERSION_TABLE);
    const version = (this.db.query("SELECT MAX(version) AS v FROM kiro_ts_schema").get() as { v: number | null }).v ?? 0;
    if (version > SCHEMA_VERSION) {
      throw new DatabaseError(`the database ${path} has schema version ${version}, newer than this kiro-ts knows (${SCHEMA_VERSION}): upgrade kiro-ts`);
    }
    const steps = migrations("sqlite").slice(version);
    if (steps.length === 0) return;
    this.db.transaction(() => {
      for (const statements of steps) for (const s of statements) this.db.run(s);
      this.db.run("DELETE FROM kiro_ts_schema");
      this.db.run(`INSERT INTO kiro_ts_schema (version) VALUES (${SCHEMA_VERSION})`);
    })();
  }

  private all(sql: string, params: Params = []): Row[] {
    return this.db.query(sql).all(...(params as SQLQueryBindings[])) as Row[];
  }

  async keys(): Promise<StoredKey[]> {
    return this.all("SELECT * FROM client_keys ORDER BY created_at").map(toStoredKey);
  }

  async saveKey(key: StoredKey): Promise<void> {
    this.db.query(upsertKeySql).run(...(keyValues(key, flag) as SQLQueryBindings[]));
  }

  async deleteKey(id: string): Promise<void> {
    this.db.query("DELETE FROM client_keys WHERE id = ?").run(id);
  }

  async touchKeys(lastUsed: Map<string, number>): Promise<void> {
    const update = this.db.query("UPDATE client_keys SET last_used_at = ? WHERE id = ?");
    this.db.transaction(() => {
      for (const [id, at] of lastUsed) update.run(at, id);
    })();
  }

  async append(rows: RequestRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.db.transaction(() => {
      for (const part of chunks(rows)) this.db.query(insertRequestsSql(part.length)).run(...(requestParams(part, flag) as SQLQueryBindings[]));
      for (const [table, sums] of batchRollups(rows)) {
        for (const part of chunks(sums)) this.db.query(upsertRollupSql(table, part.length)).run(...(part.flatMap(rollupValues) as SQLQueryBindings[]));
      }
    })();
  }

  async usage(q: UsageQuery): Promise<UsageRow[]> {
    const { sql, params } = usageSql(q);
    return this.all(sql, params).map(toUsageRow);
  }

  async keyNames(): Promise<Map<string, string>> {
    return new Map(this.all(keyNamesSql).map((r) => [String(r.key_id), String(r.key_name)]));
  }

  async keyUsageSince(since: number): Promise<KeyUsage[]> {
    return this.all(keyUsageSql, [since]).map(toKeyUsage);
  }

  async requests(q: RequestQuery): Promise<LoggedRequest[]> {
    const { sql, params } = requestsSql(q);
    return this.all(sql, params).map(toLoggedRequest);
  }

  async prune(requestsBefore: number, usageBefore: number): Promise<void> {
    const [requests, hourly, daily] = PRUNE_SQL;
    this.db.query(requests).run(requestsBefore);
    this.db.query(hourly).run(usageBefore);
    this.db.query(daily).run(usageBefore);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

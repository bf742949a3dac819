/**
 * The records' tables, as numbered migrations per backend. A database whose version is newer than the last one
 * here was written by a newer kiro-ts, and is refused rather than misread.
 */
export type Dialect = "sqlite" | "postgres";

const types = {
  sqlite: { id: "INTEGER PRIMARY KEY AUTOINCREMENT", time: "INTEGER", real: "REAL", flag: "INTEGER" },
  postgres: { id: "BIGSERIAL PRIMARY KEY", time: "BIGINT", real: "DOUBLE PRECISION", flag: "BOOLEAN" },
};

/** Migration n (1-based) is MIGRATIONS[n - 1]: statements run in one transaction. */
export function migrations(dialect: Dialect): string[][] {
  const t = types[dialect];
  return [
    [
      `CREATE TABLE client_keys (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, digest TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
        created_at ${t.time} NOT NULL, expires_at ${t.time}, last_used_at ${t.time}, disabled ${t.flag} NOT NULL,
        models TEXT, limits TEXT NOT NULL)`,
      `CREATE TABLE requests (
        id ${t.id}, at ${t.time} NOT NULL, key_id TEXT NOT NULL, key_name TEXT NOT NULL, account TEXT, route TEXT NOT NULL,
        model TEXT, kiro_model TEXT, stream ${t.flag} NOT NULL, status INTEGER NOT NULL, error_type TEXT,
        input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL, credits ${t.real} NOT NULL, first_byte_ms INTEGER, duration_ms INTEGER NOT NULL,
        session TEXT, attempts TEXT NOT NULL)`,
      // The log is read newest first along the primary key. In PostgreSQL its filters and pruning each walk an index,
      // kept by the server; in SQLite every index would cost each request about 6 µs of the gateway's own CPU (five
      // of them, a tenth of a small request's whole cost), so there a filter reads rows as it goes (a whole
      // million-row log in about 0.1 s) and usage never reads the log at all.
      ...(dialect === "postgres"
        ? ["at", "key_id, id", "account, id", "model, id", "status, id"].map((cols, i) => `CREATE INDEX requests_${i} ON requests (${cols})`)
        : []),
      // Per dimension (key, model, account), one row per hour — and per UTC day — and value: a usage question
      // reads at most (keys + models + accounts) × buckets rows, never the requests. `label` is a key's name (its
      // id is `grp`), else `grp` again; `start` is the bucket's first millisecond.
      ...["usage_hourly", "usage_daily"].map(
        (table) => `CREATE TABLE ${table} (
        dim TEXT NOT NULL, grp TEXT NOT NULL, start ${t.time} NOT NULL, label TEXT NOT NULL,
        requests INTEGER NOT NULL, errors INTEGER NOT NULL, input_tokens ${t.time} NOT NULL, output_tokens ${t.time} NOT NULL,
        cache_read_tokens ${t.time} NOT NULL, cache_write_tokens ${t.time} NOT NULL, credits ${t.real} NOT NULL,
        PRIMARY KEY (dim, start, grp))`,
      ),
    ],
  ];
}

export const SCHEMA_VERSION = migrations("sqlite").length;

/** The version table itself, made before anything else. */
export const VERSION_TABLE = "CREATE TABLE IF NOT EXISTS kiro_ts_schema (version INTEGER NOT NULL)";

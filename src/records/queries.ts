/**
 * The SQL both backends share, with `?` placeholders (PostgreSQL's driver gets them numbered), and the mapping
 * from stored rows back to records. Column names are fixed here; no value is ever spliced into the text.
 */
import { coarser, rollup, type RollupRow } from "./rollup";
import type { Attempt, KeyUsage, LoggedRequest, RequestQuery, RequestRow, StoredKey, UsageQuery, UsageRow } from "./types";

export const REQUEST_COLUMNS = [
  "at", "key_id", "key_name", "account", "route", "model", "kiro_model", "stream", "status", "error_type", "input_tokens",
  "output_tokens", "cache_read_tokens", "cache_write_tokens", "credits", "first_byte_ms", "duration_ms", "session", "attempts",
] as const;

export const ROLLUP_COLUMNS = [
  "dim", "grp", "start", "label", "requests", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "credits",
] as const;

const SUMMED = ROLLUP_COLUMNS.slice(4);

export const KEY_COLUMNS = ["id", "name", "digest", "prefix", "created_at", "expires_at", "last_used_at", "disabled", "models", "limits"] as const;

export type Params = Array<string | number | boolean | null>;

/** The rows' values in REQUEST_COLUMNS order, one after the other: one array for a statement, none per row. */
export function requestParams(rows: readonly RequestRow[], flag: (b: boolean) => number | boolean): Params {
  const params: Params = [];
  // Rows from one queue share their attempts lists (RowQueue.take): each list is written as JSON once.
  const texts = new Map<readonly Attempt[], string>();
  for (const r of rows) {
    let attempts = texts.get(r.attempts);
    if (attempts === undefined) texts.set(r.attempts, (attempts = JSON.stringify(r.attempts)));
    params.push(
      r.at, r.keyId, r.keyName, r.account ?? null, r.route, r.model ?? null, r.kiroModel ?? null, flag(r.stream), r.status,
      r.errorType ?? null, r.inputTokens, r.outputTokens, r.cacheReadTokens, r.cacheWriteTokens, r.credits,
      r.firstByteMs ?? null, r.durationMs, r.session ?? null, attempts,
    );
  }
  return params;
}

export function rollupValues(r: RollupRow): Params {
  return [r.dim, r.grp, r.start, r.label, r.requests, r.errors, r.inputTokens, r.outputTokens, r.cacheReadTokens, r.cacheWriteTokens, r.credits];
}

export function keyValues(k: StoredKey, flag: (b: boolean) => number | boolean): Params {
  return [
    k.id, k.name, k.digest, k.prefix, k.createdAt, k.expiresAt ?? null, k.lastUsedAt ?? null, flag(k.disabled),
    k.models ? JSON.stringify(k.models) : null, JSON.stringify(k.limits),
  ];
}

const placeholders = (n: number) => `(${Array.from({ length: n }, () => "?").join(", ")})`;

/** `rows` rows of `columns` placeholders each. */
const valueRows = (rows: number, columns: number) => Array.from({ length: rows }, () => placeholders(columns)).join(", ");

/** Each batch statement's text by kind and number of rows, made once: chunks makes a few sizes only. */
const batchTexts = new Map<string, string>();

function batchText(id: string, make: () => string): string {
  let sql = batchTexts.get(id);
  if (sql === undefined) batchTexts.set(id, (sql = make()));
  return sql;
}

export const insertRequestsSql = (rows: number) =>
  batchText(`requests ${rows}`, () => `INSERT INTO requests (${REQUEST_COLUMNS.join(", ")}) VALUES ${valueRows(rows, REQUEST_COLUMNS.length)}`);

export const ROLLUP_TABLES = { usage_hourly: 3_600_000, usage_daily: 86_400_000 } as const;
export type RollupTable = keyof typeof ROLLUP_TABLES;

/** A batch's sums for each rollup table: its hours from the rows, its days from its hours. */
export function batchRollups(rows: readonly RequestRow[]): Array<[RollupTable, RollupRow[]]> {
  const hourly = rollup(rows, ROLLUP_TABLES.usage_hourly);
  return [["usage_hourly", hourly], ["usage_daily", coarser(hourly, ROLLUP_TABLES.usage_daily)]];
}

export const upsertRollupSql = (table: RollupTable, rows: number) =>
  batchText(
    `${table} ${rows}`,
    () => `INSERT INTO ${table} (${ROLLUP_COLUMNS.join(", ")}) VALUES ${valueRows(rows, ROLLUP_COLUMNS.length)}
   ON CONFLICT (dim, start, grp) DO UPDATE SET label = excluded.label, ${SUMMED.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(", ")}`,
  );

/** Old rows of the log and of both rollups. */
export const PRUNE_SQL = ["DELETE FROM requests WHERE at < ?", "DELETE FROM usage_hourly WHERE start < ?", "DELETE FROM usage_daily WHERE start < ?"] as const;

export const upsertKeySql = `INSERT INTO client_keys (${KEY_COLUMNS.join(", ")}) VALUES ${placeholders(KEY_COLUMNS.length)}
  ON CONFLICT (id) DO UPDATE SET ${KEY_COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(", ")}`;

const sums = SUMMED.map((c) => `SUM(${c}) AS ${c}`).join(", ");

/** Usage per group and bucket (UTC hours or days), from the rollup of that bucket. */
export function usageSql(q: UsageQuery): { sql: string; params: Params } {
  const table: RollupTable = q.bucket === "day" ? "usage_daily" : "usage_hourly";
  const size = ROLLUP_TABLES[table];
  return {
    sql: `SELECT grp, start, ${sums} FROM ${table} WHERE dim = ? AND start >= ? AND start < ? GROUP BY grp, start ORDER BY start`,
    params: [q.by, q.from - (q.from % size), q.to],
  };
}

export const keyUsageSql =
  "SELECT grp AS key_id, SUM(requests) AS requests, SUM(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens) AS tokens, SUM(credits) AS credits FROM usage_daily WHERE dim = 'key' AND start >= ? GROUP BY grp";

export const keyNamesSql = "SELECT grp AS key_id, MAX(label) AS key_name FROM usage_daily WHERE dim = 'key' GROUP BY grp";

export function requestsSql(q: RequestQuery): { sql: string; params: Params } {
  const where: string[] = [];
  const params: Params = [];
  const add = (clause: string, value: string | number) => {
    where.push(clause);
    params.push(value);
  };
  if (q.keyId !== undefined) add("key_id = ?", q.keyId);
  if (q.account !== undefined) add("account = ?", q.account);
  if (q.model !== undefined) add("model = ?", q.model);
  if (q.status !== undefined) add("status = ?", q.status);
  if (q.before !== undefined) add("id < ?", q.before);
  params.push(q.limit);
  return { sql: `SELECT * FROM requests ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`, params };
}

type Row = Record<string, unknown>;
const num = (v: unknown) => Number(v ?? 0);
const optional = <T>(v: unknown, f: (v: unknown) => T): T | undefined => (v === null || v === undefined ? undefined : f(v));

export function toLoggedRequest(r: Row): LoggedRequest {
  return {
    id: num(r.id),
    at: num(r.at),
    keyId: String(r.key_id),
    keyName: String(r.key_name),
    account: optional(r.account, String),
    route: String(r.route),
    model: optional(r.model, String),
    kiroModel: optional(r.kiro_model, String),
    stream: Boolean(r.stream),
    status: num(r.status),
    errorType: optional(r.error_type, String),
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    cacheReadTokens: num(r.cache_read_tokens),
    cacheWriteTokens: num(r.cache_write_tokens),
    credits: num(r.credits),
    firstByteMs: optional(r.first_byte_ms, Number),
    durationMs: num(r.duration_ms),
    session: optional(r.session, String),
    attempts: JSON.parse(String(r.attempts)),
  };
}

export function toUsageRow(r: Row): UsageRow {
  return {
    group: String(r.grp),
    start: num(r.start),
    requests: num(r.requests),
    errors: num(r.errors),
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    cacheReadTokens: num(r.cache_read_tokens),
    cacheWriteTokens: num(r.cache_write_tokens),
    credits: num(r.credits),
  };
}

export const toKeyUsage = (r: Row): KeyUsage => ({ keyId: String(r.key_id), requests: num(r.requests), tokens: num(r.tokens), credits: num(r.credits) });

export function toStoredKey(r: Row): StoredKey {
  return {
    id: String(r.id),
    name: String(r.name),
    digest: String(r.digest),
    prefix: String(r.prefix),
    createdAt: num(r.created_at),
    expiresAt: optional(r.expires_at, Number),
    lastUsedAt: optional(r.last_used_at, Number),
    disabled: Boolean(r.disabled),
    models: optional(r.models, (v) => JSON.parse(String(v)) as string[]),
    limits: JSON.parse(String(r.limits)),
  };
}

/** Rows per INSERT statement: SQLite allows 32,766 parameters, PostgreSQL 65,535. */
export const ROWS_PER_STATEMENT = 500;

/**
 * Items in statements of a few sizes only: as many of `size` as fit, then the rest in powers of two (a rest of 300:
 * 256, 32, 8, 4). Both drivers keep each statement they prepare by its text (bun:sqlite's `query`), so a batch's
 * rest of any size from 1 to 499 was a statement prepared for it (~1 ms) and kept (~200 KB: some 100 MB once every
 * size had come, which a second's batch by the clock soon makes). Now at most ten sizes a kind of statement.
 */
export function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  let i = 0;
  for (; items.length - i >= size; i += size) out.push(items.slice(i, i + size));
  for (let piece = 2 ** Math.floor(Math.log2(size)); i < items.length; piece /= 2) {
    if (items.length - i < piece) continue;
    out.push(items.slice(i, i + piece));
    i += piece;
  }
  return out;
}

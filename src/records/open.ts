/**
 * Which store a `database` setting names: a path or sqlite:///path is a SQLite file (relative paths from the config
 * file's folder), postgres:// or postgresql:// a PostgreSQL database.
 */
import { isAbsolute, resolve } from "node:path";
import { DatabaseError } from "./errors";
import { PostgresStore } from "./postgres";
import { SqliteStore } from "./sqlite";
import type { RecordStore } from "./types";

export const DEFAULT_DATABASE = "kiro-ts.db";

/** The setting with a SQLite path made absolute against `baseDir`; URLs of other schemes as they are. */
export function resolveDatabase(setting: string, baseDir: string): string {
  if (/^postgres(ql)?:\/\//i.test(setting)) return setting;
  const path = setting.startsWith("sqlite://") ? setting.slice("sqlite://".length) : setting;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw new DatabaseError(`"database" must be a file path, sqlite:///path or postgres://…; got ${setting.split("://")[0]}://`);
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

export async function openRecordStore(database: string): Promise<RecordStore> {
  return /^postgres(ql)?:\/\//i.test(database) ? PostgresStore.open(database) : SqliteStore.open(database);
}

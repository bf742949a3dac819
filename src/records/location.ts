/**
 * Where config.json's "database" points: a path or sqlite:///path is a SQLite file (a relative path is the
 * config file folder's), postgres:// or postgresql:// a PostgreSQL database.
 */
import { isAbsolute, resolve } from "node:path";

export const DEFAULT_DATABASE = "kiro-ts.db";

export const isPostgresUrl = (database: string) => /^postgres(ql)?:\/\//i.test(database);

/** The setting with a SQLite path made absolute against `baseDir`; throws for a scheme it does not know. */
export function resolveDatabase(setting: string, baseDir: string): string {
  if (isPostgresUrl(setting)) return setting;
  const path = setting.startsWith("sqlite://") ? setting.slice("sqlite://".length) : setting;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw new Error(`must be a file path, sqlite:///path or postgres://…; got ${setting.split("://")[0]}://`);
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

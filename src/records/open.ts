/** Opens the store a resolved "database" setting names (see location.ts). */
import { isPostgresUrl } from "./location";
import { SqliteStore } from "./sqlite";
import type { RecordStore } from "./types";

export async function openRecordStore(database: string): Promise<RecordStore> {
  if (!isPostgresUrl(database)) return SqliteStore.open(database);
  // Loaded only for PostgreSQL: Bun's client costs start-up time and memory that the SQLite default never uses.
  const { PostgresStore } = await import("./postgres");
  return PostgresStore.open(database);
}

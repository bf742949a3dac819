/** Opens the store a resolved "database" setting names (see location.ts). */
import { isPostgresUrl } from "./location";
import { PostgresStore } from "./postgres";
import { SqliteStore } from "./sqlite";
import type { RecordStore } from "./types";

export async function openRecordStore(database: string): Promise<RecordStore> {
  return isPostgresUrl(database) ? PostgresStore.open(database) : SqliteStore.open(database);
}

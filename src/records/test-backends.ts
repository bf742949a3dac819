/**
 * The two backends for tests: a SQLite file in a temporary folder, and a PostgreSQL database made for the test and
 * dropped after it. Where no PostgreSQL answers, its tests are skipped with one line saying so, unless
 * KIRO_TS_REQUIRE_SERVICES=1 (CI), where a missing server fails the run.
 */
import { SQL } from "bun";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The server's maintenance database; KIRO_TS_TEST_POSTGRES overrides it. */
const SERVER = process.env.KIRO_TS_TEST_POSTGRES ?? "postgres://root@127.0.0.1:5432/test";

export interface TestDatabase {
  /** What config.json's "database" would say. */
  database: string;
  drop(): Promise<void>;
}

async function probe(): Promise<boolean> {
  const sql = new SQL(SERVER, { max: 1, connectionTimeout: 2 });
  try {
    await sql`SELECT 1`;
    return true;
  } catch (e) {
    if (process.env.KIRO_TS_REQUIRE_SERVICES === "1") throw new Error(`PostgreSQL is required (KIRO_TS_REQUIRE_SERVICES=1) but ${SERVER} does not answer: ${(e as Error).message}`);
    return false;
  } finally {
    await sql.close().catch(() => {});
  }
}

let available: Promise<boolean> | undefined;
let told = false;

/** Whether PostgreSQL tests can run; says once why not. */
export async function postgresAvailable(): Promise<boolean> {
  available ??= probe();
  const ok = await available;
  if (!ok && !told) {
    told = true;
    console.log(`PostgreSQL at ${SERVER} does not answer: its record store tests are skipped`);
  }
  return ok;
}

export async function sqliteDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), "kiro-records-"));
  return { database: join(dir, "records.db"), drop: () => rm(dir, { recursive: true, force: true }) };
}

export async function postgresDatabase(): Promise<TestDatabase> {
  const name = `kiro_ts_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = new SQL(SERVER, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return {
    database: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

/** Both backends, the PostgreSQL one only where it runs: for `describe.each`. */
export async function testBackends(): Promise<Array<{ backend: string; make: () => Promise<TestDatabase> }>> {
  return [
    { backend: "sqlite", make: sqliteDatabase },
    ...((await postgresAvailable()) ? [{ backend: "postgres", make: postgresDatabase }] : []),
  ];
}

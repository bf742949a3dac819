import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { SqliteStore } from "./sqlite";
import { resolveDatabase } from "./location";
import { openRecordStore } from "./open";
import { testBackends, type TestDatabase } from "./test-backends";
import type { RecordStore, RequestRow, StoredKey } from "./types";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 10, 30);

function request(over: Partial<RequestRow> = {}): RequestRow {
  return {
    at: T0, keyId: "k1", keyName: "alice", account: "acc-a", route: "/v1/messages", model: "claude-sonnet-4-5", kiroModel: "CLAUDE_SONNET_4_5",
    stream: true, status: 200, inputTokens: 10, outputTokens: 5, cacheReadTokens: 2, cacheWriteTokens: 1, credits: 0.25, firstByteMs: 40,
    durationMs: 120, session: "s-1", attempts: [{ account: "acc-a", outcome: "ok" }], ...over,
  };
}

const key = (over: Partial<StoredKey> = {}): StoredKey => ({
  id: "k1", name: "alice", digest: "d1", prefix: "sk-kt-ab", createdAt: T0, disabled: false, limits: {}, ...over,
});

for (const { backend, make } of await testBackends()) {
  describe(`the ${backend} record store`, () => {
    let db: TestDatabase;
    let store: RecordStore;
    beforeAll(async () => {
      db = await make();
      store = await openRecordStore(db.database);
    });
    afterAll(async () => {
      await store.close();
      await db.drop();
    });

    test("keys are saved, updated, listed and deleted", async () => {
      await store.saveKey(key({ models: ["claude-sonnet-4-5"], limits: { requestsPerMinute: 5 }, expiresAt: T0 + HOUR }));
      await store.saveKey(key({ id: "k2", name: "bob", digest: "d2", createdAt: T0 + 1 }));
      await store.saveKey(key({ name: "alice-2", disabled: true, limits: { concurrency: 2 } }));
      await store.touchKeys(new Map([["k2", T0 + 5]]));
      const keys = await store.keys();
      expect(keys.map((k) => [k.id, k.name, k.disabled, k.limits, k.lastUsedAt])).toEqual([
        ["k1", "alice-2", true, { concurrency: 2 }, undefined],
        ["k2", "bob", false, {}, T0 + 5],
      ]);
      await store.deleteKey("k1");
      expect((await store.keys()).map((k) => k.id)).toEqual(["k2"]);
    });

    test("requests are logged newest first, filtered, and paged with a cursor", async () => {
      await store.append([
        request(),
        request({ at: T0 + 1000, keyId: "k2", keyName: "bob", account: "acc-b", status: 429, errorType: "rate_limited", credits: 0, outputTokens: 0 }),
        request({ at: T0 + 2000, model: "claude-haiku-4-5", stream: false, attempts: [{ account: "acc-b", outcome: "throttled" }, { account: "acc-a", outcome: "ok" }] }),
      ]);
      const all = await store.requests({ limit: 10 });
      expect(all.map((r) => r.at)).toEqual([T0 + 2000, T0 + 1000, T0]);
      expect(all[0]).toMatchObject({ model: "claude-haiku-4-5", stream: false, attempts: [{ account: "acc-b", outcome: "throttled" }, { account: "acc-a", outcome: "ok" }] });
      expect(all[1]).toMatchObject({ keyName: "bob", status: 429, errorType: "rate_limited" });
      expect((await store.requests({ limit: 10, keyId: "k2" })).map((r) => r.keyName)).toEqual(["bob"]);
      expect((await store.requests({ limit: 10, account: "acc-a" })).length).toBe(2);
      expect((await store.requests({ limit: 10, status: 429 })).length).toBe(1);
      const page = await store.requests({ limit: 2 });
      const older = await store.requests({ limit: 2, before: page.at(-1)!.id });
      expect(older.map((r) => r.at)).toEqual([T0]);
    });

    test("usage sums per key, model or account, by hour or day, and counts errors", async () => {
      await store.append([request({ at: T0 + HOUR }), request({ at: T0 + 25 * HOUR, account: "acc-b" })]);
      const byKey = await store.usage({ by: "key", bucket: "hour", from: T0, to: T0 + 2 * HOUR });
      expect(byKey.filter((r) => r.group === "k1").map((r) => [r.start, r.requests, r.inputTokens])).toEqual([
        [T0 - 30 * 60_000, 2, 20],
        [T0 + 30 * 60_000, 1, 10],
      ]);
      expect(byKey.find((r) => r.group === "k2")).toMatchObject({ requests: 1, errors: 1 });
      const byDay = await store.usage({ by: "account", bucket: "day", from: T0 - 11 * HOUR, to: T0 + 48 * HOUR });
      expect(byDay.map((r) => [r.group, new Date(r.start).toISOString().slice(0, 10), r.requests])).toEqual([
        ["acc-a", "2026-12-01", 3],
        ["acc-b", "2026-12-01", 1],
        ["acc-b", "2026-12-02", 1],
      ]);
      const credits = (await store.usage({ by: "model", bucket: "day", from: 0, to: T0 + 48 * HOUR })).reduce((s, r) => s + r.credits, 0);
      expect(credits).toBeCloseTo(1.0);
      expect(await store.keyNames()).toEqual(new Map([["k1", "alice"], ["k2", "bob"]]));
      // Since the start of a UTC day: the one request of the second day.
      const since = await store.keyUsageSince(Date.UTC(2026, 11, 2));
      expect(since).toEqual([{ keyId: "k1", requests: 1, tokens: 18, credits: 0.25 }]);
    });

    test("pruning deletes old request rows and old rollups separately", async () => {
      await store.prune(T0 + HOUR, T0 - HOUR);
      expect((await store.requests({ limit: 10 })).map((r) => r.at)).toEqual([T0 + 25 * HOUR, T0 + HOUR]);
      expect((await store.usage({ by: "key", bucket: "day", from: 0, to: T0 + 48 * HOUR })).length).toBeGreaterThan(0);
      await store.prune(T0 + HOUR, T0 + 48 * HOUR);
      expect(await store.usage({ by: "key", bucket: "day", from: 0, to: T0 + 48 * HOUR })).toEqual([]);
    });

    test("a reopened database keeps what it held", async () => {
      await store.close();
      store = await openRecordStore(db.database);
      expect((await store.keys()).map((k) => k.name)).toEqual(["bob"]);
      expect((await store.requests({ limit: 10 })).length).toBe(2);
    });
  });
}

describe("the database setting", () => {
  test("relative SQLite paths are the config folder's; URLs stay as they are", () => {
    expect(resolveDatabase("kiro-ts.db", "/etc/kiro")).toBe("/etc/kiro/kiro-ts.db");
    expect(resolveDatabase("sqlite:///var/lib/k.db", "/etc/kiro")).toBe("/var/lib/k.db");
    expect(resolveDatabase("postgres://u@h/db", "/etc/kiro")).toBe("postgres://u@h/db");
    expect(() => resolveDatabase("mysql://h/db", "/x")).toThrow(/must be a file path/);
  });

  test("a file that is no database, and a database of a newer kiro-ts, are one-line errors", async () => {
    const path = `${process.env.TMPDIR ?? "/tmp"}/kiro-notdb-${crypto.randomUUID()}.db`;
    await Bun.write(path, "this is not a database, just text that goes on for a while ".repeat(100));
    expect(() => SqliteStore.open(path)).toThrow(/^cannot open the database .*: file is not a database$/);
    const newer = `${path}.newer`;
    SqliteStore.open(newer);
    const raw = new Database(newer);
    raw.run("UPDATE kiro_ts_schema SET version = 99");
    raw.close();
    expect(() => SqliteStore.open(newer)).toThrow(/schema version 99, newer than this kiro-ts knows \(1\): upgrade kiro-ts/);
  });
});

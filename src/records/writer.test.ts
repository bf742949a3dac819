import { expect, test } from "bun:test";
import { Logger } from "../log";
import type { RecordStore, RequestRow } from "./types";
import { RecordWriter } from "./writer";

/** A store that takes rows or refuses them while `down`: what a database that went away and came back does. */
function flakyStore() {
  const written: RequestRow[] = [];
  const store = {
    backend: "test",
    down: false,
    written,
    async append(rows: RequestRow[]) {
      if (store.down) throw new Error("connection refused");
      written.push(...rows);
    },
    async touchKeys() {
      if (store.down) throw new Error("connection refused");
    },
  };
  return store;
}

const row = (i: number): RequestRow => ({
  at: 1_764_720_000_000 + i, keyId: "k", keyName: "default", route: "/v1/messages", stream: false, status: 200,
  inputTokens: i, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, credits: 0.01, durationMs: 5,
  attempts: [{ account: "a", outcome: "ok" }], account: "a", model: "claude-sonnet-4-5",
});

test("rows a failing store refused are written once it takes them again, in order, none twice", async () => {
  const store = flakyStore();
  const lines: string[] = [];
  const writer = new RecordWriter(store as unknown as RecordStore, new Logger("info", (l) => lines.push(l)));
  for (let i = 0; i < 5; i++) writer.add(row(i));
  await writer.flush();
  store.down = true;
  for (let i = 5; i < 10; i++) writer.add(row(i));
  await writer.flush();
  for (let i = 10; i < 15; i++) writer.add(row(i));
  await writer.flush();
  expect(store.written.map((r) => r.inputTokens)).toEqual([0, 1, 2, 3, 4]);
  store.down = false;
  for (let i = 15; i < 20; i++) writer.add(row(i));
  await writer.close();
  expect(store.written.map((r) => r.inputTokens)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(store.written[19]).toEqual(row(19));
  expect(lines.filter((l) => l.includes("cannot write records"))).toHaveLength(1);
  expect(lines.filter((l) => l.includes("takes records again"))).toHaveLength(1);
});

test("a store down for long keeps the newest rows up to the bound, and writes them in order once it is back", async () => {
  const store = flakyStore();
  const writer = new RecordWriter(store as unknown as RecordStore, new Logger("error", () => {}));
  store.down = true;
  // 250,000 rows while the store refuses them: 50,000 past the writer's bound of 200,000.
  for (let i = 0; i < 250_000; i++) writer.add(row(i));
  await writer.flush();
  expect(store.written).toHaveLength(0);
  store.down = false;
  await writer.close();
  expect(store.written).toHaveLength(200_000);
  expect(store.written[0]!.inputTokens).toBe(50_000);
  expect(store.written.every((r, i) => r.inputTokens === 50_000 + i)).toBe(true);
});

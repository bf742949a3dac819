import { expect, test } from "bun:test";
import { runBatch } from "./batch";

test("never runs more than `concurrency` at once, and reports each item once", async () => {
  let running = 0;
  let peak = 0;
  const progress: number[] = [];
  const outcomes = await runBatch(
    Array.from({ length: 20 }, (_, i) => i),
    async (i) => {
      running += 1;
      peak = Math.max(peak, running);
      await Bun.sleep(i % 3);
      running -= 1;
    },
    { concurrency: 4, onSettled: (done, total) => progress.push(done * 100 + total) },
  );
  expect(peak).toBe(4);
  expect(outcomes.map((o) => o.item)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(progress).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 100 + 20));
});

test("a failure is recorded with its message and the rest still run", async () => {
  const seen: string[] = [];
  const outcomes = await runBatch(
    ["a", "b", "c"],
    async (name) => {
      seen.push(name);
      if (name === "b") throw new Error("token expired");
    },
    { concurrency: 2 },
  );
  expect(seen.sort()).toEqual(["a", "b", "c"]);
  expect(outcomes).toEqual([
    { item: "a", ok: true },
    { item: "b", ok: false, error: "token expired" },
    { item: "c", ok: true },
  ]);
});

test("an empty batch finishes at once", async () => {
  expect(await runBatch([], async () => undefined, { concurrency: 4 })).toEqual([]);
});

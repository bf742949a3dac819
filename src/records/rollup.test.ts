import { expect, test } from "bun:test";
import { coarser, DAY_MS, HOUR_MS, rollup } from "./rollup";
import type { RequestRow } from "./types";

const midnight = Date.UTC(2026, 11, 3);

function row(i: number): RequestRow {
  return {
    // From 23:00 on one day to 01:00 on the next, with the keys renamed on the way and some refusals.
    at: midnight - HOUR_MS + i * 121_000,
    keyId: `k${i % 3}`,
    keyName: `key ${i % 3}${i > 40 ? " (renamed)" : ""}`,
    ...(i % 4 ? { account: `a${i % 2}`, model: `m${i % 5}` } : {}),
    route: "/v1/messages",
    stream: false,
    status: i % 7 === 0 ? 429 : 200,
    inputTokens: i,
    outputTokens: 2 * i,
    cacheReadTokens: i % 3,
    cacheWriteTokens: i % 2,
    credits: 0.0123 * i,
    durationMs: 10,
    attempts: [],
  };
}

test("a batch's days summed from its hours are its days summed from its rows", () => {
  const rows = Array.from({ length: 70 }, (_, i) => row(i));
  const hourly = rollup(rows, HOUR_MS);
  expect(new Set(hourly.map((r) => r.start)).size).toBe(3);
  const order = (a: { dim: string; start: number; grp: string }, b: typeof a) => `${a.dim}${a.start}${a.grp}`.localeCompare(`${b.dim}${b.start}${b.grp}`);
  const fromHours = coarser(hourly, DAY_MS).sort(order);
  const fromRows = rollup(rows, DAY_MS).sort(order);
  expect(fromHours.map((r) => ({ ...r, credits: Math.round(r.credits * 1e9) }))).toEqual(fromRows.map((r) => ({ ...r, credits: Math.round(r.credits * 1e9) })));
  expect(fromRows.filter((r) => r.dim === "key").map((r) => r.start)).toContain(midnight);
});

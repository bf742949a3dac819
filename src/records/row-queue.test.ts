import { expect, test } from "bun:test";
import { RowQueue } from "./row-queue";
import type { RequestRow } from "./types";

/** Rows with every optional field present in some and absent in others, and zero to three attempts. */
function row(i: number): RequestRow {
  const r: RequestRow = {
    at: 1_764_720_000_000 + i * 7,
    keyId: `k${i % 3}`,
    keyName: `key ${i % 3} ✓`,
    route: i % 2 ? "/v1/messages" : "/v1/chat/completions",
    stream: i % 3 === 0,
    status: i % 11 === 0 ? 429 : 200,
    inputTokens: i * 13,
    outputTokens: i,
    cacheReadTokens: i % 5,
    cacheWriteTokens: i % 4,
    credits: 0.0123 * i,
    durationMs: i % 900,
    attempts: Array.from({ length: i % 4 }, (_, a) => ({ account: `acc-${(i + a) % 5}`, outcome: a === (i % 4) - 1 ? "ok" : "throttled" })),
  };
  if (i % 2) r.account = `acc-${i % 5}`;
  if (i % 3) r.model = "claude-sonnet-4-5";
  if (i % 3) r.kiroModel = "claude-sonnet-4.5";
  if (i % 11 === 0) r.errorType = "rate_limited";
  if (i % 5) r.firstByteMs = i % 300;
  if (i % 7) r.session = `session-${i % 9}-\u{1F600}`;
  return r;
}

test("rows come out as they went in, oldest first, with absent fields absent", () => {
  const q = new RowQueue();
  // Past the first capacity of rows and of attempts, so both grow mid-batch.
  const rows = Array.from({ length: 1500 }, (_, i) => row(i));
  for (const r of rows) q.push(r);
  expect(q.length).toBe(1500);
  const out = q.take();
  expect(out).toEqual(rows);
  expect(Object.keys(out[0]!).sort()).toEqual(Object.keys(rows[0]!).sort());
  expect("errorType" in out[1]!).toBe(false);
  expect(q.length).toBe(0);
  expect(q.take()).toEqual([]);
});

test("the queue serves batch after batch", () => {
  const q = new RowQueue();
  for (let batch = 0; batch < 3; batch++) {
    const rows = Array.from({ length: 300 + batch }, (_, i) => row(i * (batch + 2)));
    for (const r of rows) q.push(r);
    expect(q.take()).toEqual(rows);
  }
});

test("rows that went to the same account at the first try share one frozen attempts list", () => {
  const q = new RowQueue();
  const base = row(1);
  for (const account of ["acc-a", "acc-b", "acc-a"]) q.push({ ...base, account, attempts: [{ account, outcome: "ok" }] });
  const [a1, b, a2] = q.take();
  expect(a1!.attempts).toEqual([{ account: "acc-a", outcome: "ok" }]);
  expect(a2!.attempts).toBe(a1!.attempts);
  expect(b!.attempts).not.toBe(a1!.attempts);
  expect(Object.isFrozen(a1!.attempts) && Object.isFrozen(a1!.attempts[0])).toBe(true);
});

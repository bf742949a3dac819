import { expect, test } from "bun:test";
import { chunks, ROWS_PER_STATEMENT } from "./queries";

const SIZES = new Set([ROWS_PER_STATEMENT, 256, 128, 64, 32, 16, 8, 4, 2, 1]);

test("a batch of any length is cut into statements of ten sizes at most, in order, nothing lost", () => {
  const seen = new Set<number>();
  for (let n = 0; n <= 3 * ROWS_PER_STATEMENT + 7; n++) {
    const items = Array.from({ length: n }, (_, i) => i);
    const parts = chunks(items);
    for (const p of parts) {
      expect(SIZES.has(p.length)).toBe(true);
      seen.add(p.length);
    }
    expect(parts.flat()).toEqual(items);
  }
  expect([...seen].sort((a, b) => b - a)).toEqual([...SIZES]);
});

test("full statements first, then the rest largest first", () => {
  expect(chunks(Array.from({ length: 1320 }, (_, i) => i)).map((p) => p.length)).toEqual([500, 500, 256, 64]);
  expect(chunks(Array.from({ length: 499 }, (_, i) => i)).map((p) => p.length)).toEqual([256, 128, 64, 32, 16, 2, 1]);
  expect(chunks([1, 2, 3], 2).map((p) => p.length)).toEqual([2, 1]);
});

import { describe, expect, test } from "bun:test";
import { nestedDeeperThan } from "./routes";

describe("nestedDeeperThan", () => {
  const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

  test("counts arrays and objects alike, up to the limit inclusive", () => {
    expect(nestedDeeperThan(nested(128), 128)).toBe(false);
    expect(nestedDeeperThan(nested(129), 128)).toBe(true);
    expect(nestedDeeperThan('{"a":{"b":[{"c":[]}]}}', 4)).toBe(true);
    expect(nestedDeeperThan('{"a":{"b":[{"c":[]}]}}', 5)).toBe(false);
  });

  test("depth is what is open at once, not how many brackets there are", () => {
    expect(nestedDeeperThan(`[${Array(10_000).fill("[[]]").join(",")}]`, 3)).toBe(false);
  });

  test("brackets inside strings do not count, whatever the escapes before the closing quote", () => {
    expect(nestedDeeperThan(JSON.stringify({ text: "[".repeat(1000) }), 2)).toBe(false);
    expect(nestedDeeperThan(JSON.stringify({ text: 'a \\" [[[[ \\\\' }), 1)).toBe(false);
    expect(nestedDeeperThan(JSON.stringify({ text: '\\"', more: [[[]]] }), 3)).toBe(true);
  });

  test("an unterminated string ends the scan (JSON.parse reports it)", () => {
    expect(nestedDeeperThan('{"a": "[[[[[[', 2)).toBe(false);
  });
});

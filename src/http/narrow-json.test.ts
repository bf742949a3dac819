import { jscDescribe } from "bun:jsc";
import { expect, test } from "bun:test";
import { narrowJson } from "./narrow-json";

const eightBit = (s: string) => jscDescribe(s).includes("8Bit:(1)");

test("the pieces joined are JSON.stringify's text, with the strings past Latin-1 written apart and the rest 8-bit", () => {
  const long = "plain text of a file ".repeat(20);
  const value = {
    id: "c0ffee",
    history: [
      { content: `${long} — a dash`, modelId: "claude", tools: [{ name: "Read", description: `→ ${long}` }] },
      { content: `${long} é, still Latin-1`, list: ["a", "東京", "", "🚀 a rocket", 1, null, true, { deep: ["\ud83d half of a pair"] }] },
    ],
    empty: {},
    count: 3,
  };
  const expected = JSON.stringify(value);
  const pieces = narrowJson(value);
  expect(pieces.join("")).toBe(expected);
  // Each string past Latin-1 is a piece of its own: its JSON, quotes and all.
  expect(pieces.filter((p) => !eightBit(p))).toEqual(['"' + `${long} — a dash` + '"', '"' + `→ ${long}` + '"', '"東京"', '"🚀 a rocket"', JSON.stringify("\ud83d half of a pair")]);
  expect(pieces.filter(eightBit).length).toBeGreaterThan(0);
  // The value is as it was.
  expect(JSON.stringify(value)).toBe(expected);
});

test("a value with no string past Latin-1 is one piece", () => {
  const value = { a: "plain", b: ["é", "ü"], c: { d: "x".repeat(100) } };
  expect(narrowJson(value)).toEqual([JSON.stringify(value)]);
});

test("the strings set aside are put back even when JSON.stringify throws", () => {
  const value = { text: "— a dash", big: 1n };
  expect(() => narrowJson(value)).toThrow();
  expect(value.text).toBe("— a dash");
});

import { expect, test } from "bun:test";
import { kindOf } from "./proc";

test("Bun's threads are told apart by name: the collector's (JSCWarmUp too), the JIT's, the HTTP client's", () => {
  const kinds = ["kiro-ts", "HTTP Client", "JITWorker", "HeapHelper", "JSCWarmUp", "mi-scavenger", "Bun Pool 0"].map((name, i) => kindOf(100, String(100 + i), name));
  expect(kinds).toEqual(["main", "http", "jit", "gc", "gc", "other", "other"]);
});

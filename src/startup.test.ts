import { expect, test } from "bun:test";
import { canReexecute, keepsFreedMemory, missingStartupSettings, pageFaultMicros, purgeDelayFor, SLOW_FAULT_MICROS } from "./startup";

const never = () => {
  throw new Error("the fault cost was measured though the environment sets the allocator's delay");
};

test("freed memory is kept only where a page fault is slow", () => {
  expect(missingStartupSettings({}, () => SLOW_FAULT_MICROS * 2)).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "8192", MIMALLOC_PURGE_DELAY: "-1" });
  expect(missingStartupSettings({}, () => SLOW_FAULT_MICROS / 4)).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "8192", MIMALLOC_PURGE_DELAY: "100" });
  // The bench gives its proxy the same choice (scripts/bench.ts); at the threshold itself memory goes back.
  expect(purgeDelayFor(SLOW_FAULT_MICROS)).toBe("100");
  expect(purgeDelayFor(SLOW_FAULT_MICROS + 0.1)).toBe("-1");
});

test("any negative delay keeps freed memory; none, or a delay, gives it back", () => {
  expect(keepsFreedMemory({ MIMALLOC_PURGE_DELAY: "-1" })).toBe(true);
  expect(keepsFreedMemory({ MIMALLOC_PURGE_DELAY: "-5" })).toBe(true);
  expect(keepsFreedMemory({ MIMALLOC_PURGE_DELAY: "100" })).toBe(false);
  expect(keepsFreedMemory({ MIMALLOC_PURGE_DELAY: "0" })).toBe(false);
  expect(keepsFreedMemory({})).toBe(false);
});

test("a value the environment gives is kept, an empty one is not a value, and nothing is measured needlessly", () => {
  expect(missingStartupSettings({ BUN_CONFIG_MAX_HTTP_REQUESTS: "1000", MIMALLOC_PURGE_DELAY: "0" }, never)).toEqual({});
  expect(missingStartupSettings({ BUN_CONFIG_MAX_HTTP_REQUESTS: "", MIMALLOC_PURGE_DELAY: "-1" }, never)).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "8192" });
  expect(missingStartupSettings({ BUN_CONFIG_MAX_HTTP_REQUESTS: "1000", MIMALLOC_PURGE_DELAY: "" }, () => 10)).toEqual({ MIMALLOC_PURGE_DELAY: "-1" });
});

test("the fault probe measures something: a positive, finite cost a page", () => {
  const micros = pageFaultMicros(16, 2);
  expect(micros).toBeGreaterThan(0);
  expect(Number.isFinite(micros)).toBe(true);
});

test("the process replaces itself only where it can: not on Windows, not without execve", () => {
  const execve = () => {};
  expect(canReexecute({ platform: "linux", execve })).toBe(true);
  expect(canReexecute({ platform: "darwin", execve })).toBe(true);
  expect(canReexecute({ platform: "win32", execve })).toBe(false);
  expect(canReexecute({ platform: "linux" })).toBe(false);
});

import { expect, test } from "bun:test";
import { canReexecute, keepsFreedMemory, missingStartupSettings, pageFaultMicros, SLOW_FAULT_MICROS, threadFaults } from "./startup";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const never = () => {
  throw new Error("the fault cost was measured though the environment sets the allocator's delay");
};

test("freed memory is kept only where a page fault is slow; elsewhere Bun's own delay stays, unset", () => {
  expect(missingStartupSettings({}, () => SLOW_FAULT_MICROS * 2)).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "8192", MIMALLOC_PURGE_DELAY: "-1" });
  expect(missingStartupSettings({}, () => SLOW_FAULT_MICROS / 4)).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "8192" });
  // At the threshold itself memory goes back.
  expect(missingStartupSettings({}, () => SLOW_FAULT_MICROS)).toEqual({ BUN_CONFIG_MAX_HTTP_REQUESTS: "8192" });
  expect(missingStartupSettings({}, () => SLOW_FAULT_MICROS + 0.1).MIMALLOC_PURGE_DELAY).toBe("-1");
  // So where faults are fast, an environment that lifts fetch's limit needs no second start.
  expect(missingStartupSettings({ BUN_CONFIG_MAX_HTTP_REQUESTS: "4096" }, () => 1)).toEqual({});
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

test("a run whose pages did not fault does not count, however fast it read", () => {
  // Memory the allocator had made resident before: writing to it takes no fault. Eight buffers tried, then 0.
  let calls = 0;
  expect(pageFaultMicros(16, 2, () => (calls++, 1000))).toBe(0);
  expect(calls).toBe(8 * 2 * 2);
  // A run counts once half its pages faulted, and its time is divided by the faults it took.
  let count = 0;
  const half = pageFaultMicros(16, 2, () => (count += 8));
  expect(half).toBeGreaterThan(0);
  expect(Number.isFinite(half)).toBe(true);
});

test.skipIf(!existsSync("/proc/thread-self/stat"))("the thread's faults are counted: a page of a private file mapping written is one more", () => {
  const dir = mkdtempSync(join(tmpdir(), "kiro-faults-"));
  try {
    const file = join(dir, "pages");
    writeFileSync(file, new Uint8Array(256 * 4096));
    // Private: each page written is copied for this process, one fault each.
    const pages = Bun.mmap(file, { shared: false });
    const before = threadFaults()!;
    for (let at = 0; at < pages.length; at += 4096) pages[at] = 1;
    const after = threadFaults()!;
    expect(Number.isInteger(before)).toBe(true);
    expect(after - before).toBeGreaterThanOrEqual(256);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the process replaces itself only where it can: not on Windows, not without execve", () => {
  const execve = () => {};
  expect(canReexecute({ platform: "linux", execve })).toBe(true);
  expect(canReexecute({ platform: "darwin", execve })).toBe(true);
  expect(canReexecute({ platform: "win32", execve })).toBe(false);
  expect(canReexecute({ platform: "linux" })).toBe(false);
});

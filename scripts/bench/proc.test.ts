import { expect, test } from "bun:test";
import { allowedCores, cpuSince, environValue, evictFromPageCache, kindOf, onCores } from "./proc";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

test("Bun's threads are told apart by name: the collector's (JSCWarmUp too), the JIT's, the HTTP client's", () => {
  const kinds = ["kiro-ts", "HTTP Client", "JITWorker", "HeapHelper", "JSCWarmUp", "ollector Thread", "mi-scavenger", "Bun Pool 0"].map((name, i) => kindOf(100, String(100 + i), name));
  expect(kinds).toEqual(["main", "http", "jit", "gc", "gc", "gc", "other", "other"]);
});

test("CPU between two readings goes thread by thread: a JIT thread that ended takes none of the slice's time away", () => {
  const before = new Map([
    ["100", { kind: "main" as const, ns: 5_000 }],
    ["101", { kind: "jit" as const, ns: 781_000_000 }],
  ]);
  // The old JIT thread ended while idle; a new one started with the next work.
  const after = new Map([
    ["100", { kind: "main" as const, ns: 9_000 }],
    ["102", { kind: "jit" as const, ns: 300 }],
  ]);
  expect(cpuSince(before, after)).toEqual({ main: 4_000, http: 0, jit: 300, gc: 0, other: 0, total: 4_300 });
});

test("a process's environment is read as it started, a value holding '=' whole", async () => {
  const child = Bun.spawn(["sh", "-c", "echo started; sleep 5"], { env: { KIRO_BENCH_SETTING: "a=b", PATH: process.env.PATH ?? "" }, stdout: "pipe" });
  try {
    // Until the child has executed, /proc shows the environment it was forked with.
    await child.stdout.getReader().read();
    expect(environValue(child.pid, "KIRO_BENCH_SETTING")).toBe("a=b");
    expect(environValue(child.pid, "KIRO_BENCH_SETTIN")).toBeUndefined();
  } finally {
    child.kill();
  }
});

test("a file just written leaves the page cache when evicted, so that the next process faults it in from disk", () => {
  const fincore = Bun.which("fincore");
  const dd = Bun.which("dd");
  if (!fincore || !dd) {
    console.log("skipped: no fincore or dd (util-linux, coreutils) to see or drop a file's cached pages");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "evict-"));
  try {
    const file = join(dir, "binary");
    writeFileSync(file, new Uint8Array(4 * 1024 * 1024).fill(7));
    const cachedPages = () => Number(Bun.spawnSync([fincore, "--raw", "--noheadings", "--output", "PAGES", file]).stdout.toString().trim());
    expect(cachedPages()).toBeGreaterThan(0);
    expect(evictFromPageCache(file)).toBe(true);
    expect(cachedPages()).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const canMove = Bun.which("taskset") !== null && allowedCores("/proc/thread-self") === "0-1";
test.skipIf(!canMove)("a control runs on the measured process's core, and the driver's thread goes back where it was", () => {
  const inside = onCores("1", () => allowedCores("/proc/thread-self"));
  expect(inside).toBe("1");
  expect(allowedCores("/proc/thread-self")).toBe("0-1");
  // Back where it was even when the work throws.
  expect(() => onCores("0", () => { throw new Error("boom"); })).toThrow("boom");
  expect(allowedCores("/proc/thread-self")).toBe("0-1");
  // Nowhere to move to: the work runs where it is.
  expect(onCores("", () => allowedCores("/proc/thread-self"))).toBe("0-1");
});

/**
 * Settings Bun reads only when a process starts (main.ts re-executes with them set). A value the environment
 * already gives is kept; an empty one counts as unset, since it would leave Bun's default in place.
 * - BUN_CONFIG_MAX_HTTP_REQUESTS: Bun's fetch holds at most 256 requests at once, and a gateway holds one per open
 *   stream: the 257th would wait for another to end.
 * - MIMALLOC_PURGE_DELAY: Bun's allocator gives freed pages back to the system at every collection, and each page
 *   touched again is a page fault. Where a fault is slow (9.5 µs on one virtual machine measured here), a 1 MB
 *   request took ~200 of them, and keeping freed memory (-1) halved its CPU; where a fault is fast (1.2 µs on
 *   another), keeping it saved 15–25 % of that CPU and multiplied the bench's peak memory by 2.6. So the machine
 *   decides: memory is kept only where faults are slow (README, Performance: the thirteenth pass).
 */

import { readFileSync } from "node:fs";

/**
 * Whether this process can replace itself with the settings: not on Windows, which has no execve (Node's
 * process.execve throws there). Without it the process runs on Bun's defaults, and cli.ts warns.
 */
export function canReexecute(proc: { platform: string; execve?: unknown } = process): boolean {
  return proc.platform !== "win32" && typeof proc.execve === "function";
}

/** Whether this process keeps the memory it frees (any negative delay: never give it back). */
export function keepsFreedMemory(env: Record<string, string | undefined> = process.env): boolean {
  return Number(env.MIMALLOC_PURGE_DELAY) < 0;
}

/** Above this many microseconds a fault, freed memory is kept rather than given back. */
export const SLOW_FAULT_MICROS = 4;
const KEEP = "-1";

/**
 * The settings `env` lacks, with their values; `faultMicros` is asked only when the allocator's is unset. Where
 * freed memory should go back, nothing is added: Bun's own delay (100 ms, `MIMALLOC_VERBOSE=1` lists it) does that,
 * and a process whose environment already lifts fetch's limit then starts once instead of twice.
 */
export function missingStartupSettings(env: Record<string, string | undefined>, faultMicros: () => number): Record<string, string> {
  const missing: Record<string, string> = {};
  if (!env.BUN_CONFIG_MAX_HTTP_REQUESTS) missing.BUN_CONFIG_MAX_HTTP_REQUESTS = "8192";
  if (!env.MIMALLOC_PURGE_DELAY && faultMicros() > SLOW_FAULT_MICROS) missing.MIMALLOC_PURGE_DELAY = KEEP;
  return missing;
}

const PAGE = 4096;
/** A page written for the first time costs at least this much: a round that read faster did not fault. */
const LEAST_FAULT_MICROS = 0.05;
/** Buffers tried before the probe gives up. */
const PROBE_BUFFERS = 8;

/**
 * What a page fault costs this process, in microseconds: the fastest of `rounds` runs of writing one byte to each of
 * `pages` fresh pages, each run's time divided by the faults it took (`faults`: this thread's count from /proc on
 * Linux). The fastest, because a run the scheduler interrupted only reads slower. A run that took no faults does not
 * count: a buffer of memory the allocator had freed before comes zeroed, and zeroing it made its pages resident
 * (11 starts in 20 here, and the bench's process after its imports, read ~0 µs before this was checked); then another
 * buffer is tried. Half a megabyte a buffer: ~0.2 ms where faults are fast, ~2 ms where slow (runs of 64 pages took
 * twice that and read the same to within 10 %). Where pages are larger than 4 KiB (or huge pages back the buffer) a
 * run takes few faults and no buffer counts: the answer is 0, and memory is given back, as Bun does — never a surprise.
 */
export function pageFaultMicros(pages = 32, rounds = 4, faults: () => number | undefined = threadFaults): number {
  // Every buffer lives until the probe ends, so that the next one cannot be the same memory again.
  const held: Uint8Array[] = [];
  for (let tried = 0; tried < PROBE_BUFFERS; tried++) {
    const buffer = new Uint8Array(pages * rounds * PAGE);
    held.push(buffer);
    let fastest = Number.POSITIVE_INFINITY;
    for (let round = 0; round < rounds; round++) {
      const before = faults();
      const start = Bun.nanoseconds();
      for (let at = round * pages * PAGE, end = at + pages * PAGE; at < end; at += PAGE) buffer[at] = 1;
      const micros = (Bun.nanoseconds() - start) / 1000;
      const after = faults();
      // Where faults cannot be counted, every page is taken to have faulted, and the time says whether one did.
      const faulted = before === undefined || after === undefined ? pages : after - before;
      const each = micros / Math.max(faulted, 1);
      if (faulted >= pages / 2 && each >= LEAST_FAULT_MICROS) fastest = Math.min(fastest, each);
    }
    if (fastest < Number.POSITIVE_INFINITY) return fastest;
  }
  return 0;
}

/** This thread's minor page faults so far (`/proc/thread-self/stat`, Linux), or undefined where it cannot be read. */
export function threadFaults(): number | undefined {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "latin1");
    // After the command's name (which may hold spaces and parentheses): state, ppid, pgrp, session, tty, tpgid, flags, minflt.
    const minflt = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[7]);
    return Number.isFinite(minflt) ? minflt : undefined;
  } catch {
    return undefined;
  }
}

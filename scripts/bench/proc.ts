/** What Linux says about a process: resident memory and CPU time used (from /proc), read by pid. */
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync } from "node:fs";

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  return statusKb(pid, "VmRSS") * 1024;
}

/** The most resident memory the process has held since it started (VmHWM), bytes. */
export function peakRssBytes(pid: number): number {
  return statusKb(pid, "VmHWM") * 1024;
}

function statusKb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1];
  if (kb === undefined) throw new Error(`no ${field} for process ${pid}`);
  return Number(kb);
}

/**
 * Drops a file's pages from the page cache (written to disk first: dirty pages cannot be dropped), so that the next
 * process to map it brings them in by its own page faults. How a file's pages got there sets how much of it a process
 * maps: a file just written by a build, or read through, sits in large folios, and faulting one in maps all of it —
 * the same binary idled 4–5 MB higher than one its own faults had read (README, Performance: the twenty-fourth pass).
 * Bun has no fadvise: GNU dd's `iflag=nocache count=0` asks POSIX_FADV_DONTNEED of the whole file. False without dd.
 */
export function evictFromPageCache(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const dd = Bun.which("dd");
  if (!dd) return false;
  return Bun.spawnSync([dd, `if=${path}`, "iflag=nocache", "count=0"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

/** A variable of the process's environment as it started (/proc/PID/environ), or undefined where it has none. */
export function environValue(pid: number, name: string): string | undefined {
  const prefix = `${name}=`;
  return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").find((v) => v.startsWith(prefix))?.slice(prefix.length);
}

/**
 * A process's CPU time by kind of thread, ns: JS and the event loop (with the collections JSC runs there), Bun's HTTP
 * client, the JIT, the collector's own threads (its concurrent collections included), the rest (Bun's thread pool,
 * mimalloc's `mi-scavenger` where it runs).
 */
export interface ThreadCpu {
  main: number;
  http: number;
  jit: number;
  gc: number;
  other: number;
  total: number;
}

export const THREAD_KINDS = ["main", "http", "jit", "gc", "other"] as const;
type Kind = (typeof THREAD_KINDS)[number];

/** JSC's collector threads: its marking helpers and the one that readies freed blocks for reuse. */
const GC_THREADS = ["HeapHelper", "Heap Helper", "JSCWarmUp"];
/**
 * The thread that runs JSC's concurrent collections ("JSC Heap Collector Thread"): Linux keeps 15 characters of a
 * thread's name, and WTF keeps the end of a longer one.
 */
const COLLECTOR_THREAD = "ollector Thread";

export function kindOf(pid: number, tid: string, name: string): Kind {
  if (tid === String(pid)) return "main";
  if (name.startsWith("HTTP Client")) return "http";
  if (name.startsWith("JIT")) return "jit";
  if (GC_THREADS.some((prefix) => name.startsWith(prefix)) || name === COLLECTOR_THREAD) return "gc";
  return "other";
}

/** Minor page faults of the whole process so far (/proc/PID/stat; the threads that ended included). */
export function processFaults(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  // After the command's name (which may hold spaces and parentheses): state, ppid, pgrp, session, tty, tpgid, flags, minflt.
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[7]);
}

/** Each live thread's kind and CPU time so far (ns), by thread id. */
export type Threads = Map<string, { kind: Kind; ns: number }>;

/**
 * CPU time of every live thread of the process, from /proc/PID/task/TID/schedstat (its first field: ns spent on a
 * CPU), with the thread's kind from its name. Nanoseconds, where /proc/PID/stat counts 10 ms ticks.
 */
export function threadCpu(pid: number): Threads {
  const threads: Threads = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ", 1)[0]);
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      threads.set(tid, { kind: kindOf(pid, tid, name), ns });
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads;
}

/**
 * CPU spent between two readings, kind by kind: a thread born meanwhile counts from zero; one that ended meanwhile is
 * not counted. Always thread by thread, never as a difference of two sums: JSC's JIT and collector threads end after
 * a few seconds idle and new ones start with the next work (a gateway's JIT thread with 781 ms of CPU was gone 10 s
 * after its load stopped), and a sum would lose a whole thread's life with it — slices of side-by-side.ts read
 * negative that way. What an ending thread did since the first reading is lost, and it ends only after seconds idle.
 */
export function cpuSince(before: Threads, after: Threads): ThreadCpu {
  const d: ThreadCpu = { main: 0, http: 0, jit: 0, gc: 0, other: 0, total: 0 };
  for (const [tid, { kind, ns }] of after) {
    const used = ns - (before.get(tid)?.ns ?? 0);
    d[kind] += used;
    d.total += used;
  }
  return d;
}

/** The calling thread's CPU time so far, ns. */
export function thisThreadNs(): number {
  return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ", 1)[0]);
}

/** The cores a process or thread may run on, as Linux lists them ("1", "0-1"). */
export function allowedCores(path: string): string | undefined {
  return /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`${path}/status`, "utf8"))?.[1];
}

/**
 * Runs `work` with the calling (main) thread on `cores` and puts it back where it was: so that a control measured in
 * this process runs on the core the measured process runs on. Without taskset it runs where it is.
 */
export function onCores<T>(cores: string, work: () => T): T {
  const taskset = Bun.which("taskset");
  const before = allowedCores("/proc/thread-self");
  if (!taskset || cores === "" || before === undefined || before === cores) return work();
  // The main thread's id is the process's; taskset -p without -a moves that thread only.
  const move = (to: string) => {
    const moved = Bun.spawnSync([taskset, "-p", "-c", to, String(process.pid)], { stdout: "ignore", stderr: "pipe" });
    if (moved.exitCode !== 0) throw new Error(`taskset could not move the driver's thread to ${to}: ${moved.stderr.toString().trim()}`);
  };
  move(cores);
  try {
    return work();
  } finally {
    move(before);
  }
}

export const MB = 1024 * 1024;

/** Clock ticks per second of /proc/stat; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds the whole machine has spent busy (every core, every process), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is already counted in user.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/**
 * Where a thread's CPU goes, native code and the kernel included, by the JavaScript function that asked for it.
 * Bun's own profiler sees only JavaScript; `perf record` sees everything but cannot name JIT-compiled code. JSC's
 * JITDump (`BUN_JSC_useJITDump=1`, `BUN_JSC_jitDumpDirectory=DIR`) writes every compiled function's address range
 * and name to a file, so each sample's call chain can be walked from its leaf to the nearest JavaScript function:
 * that function's own code ("js"), what it called in Bun ("native"), in libc ("libc") and in the kernel ("kernel").
 * Samples with no JavaScript frame on their chain (the event loop, sockets, timers) form a bucket of their own.
 * A function's share holds what the JIT inlined into it, and any collection one of its allocations set off.
 * Used by side-by-side.ts --perf and fronts-profile.ts; Bun's binary has no symbols, so native code is counted, not named. JSC buffers the
 * file: read it once the process has ended.
 */

/** A compiled function's code: [start, end) and the name JSC gave it ("JSC-FTL: call#Do1nq9"). */
export interface JitCode {
  start: number;
  end: number;
  name: string;
}

const JITDUMP_MAGIC = 0x4a695444; // "JiTD", as the writer's byte order reads it
const JIT_CODE_LOAD = 0;

/**
 * The code loads of a JITDump file (the Linux perf jitdump format: a header, then records of id, size and time; a
 * load holds pid, tid, vma, address, size, index, then the name). A range compiled again later (JSC reuses freed
 * code memory) keeps its latest name: the profile is taken once the JIT has settled.
 */
export function parseJitDump(bytes: Uint8Array): JitCode[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 40 || view.getUint32(0, true) !== JITDUMP_MAGIC) throw new Error("not a JITDump file (no JiTD header)");
  const loads: JitCode[] = [];
  const names = new TextDecoder();
  for (let at = view.getUint32(8, true); at + 16 <= bytes.byteLength; ) {
    const id = view.getUint32(at, true);
    const size = view.getUint32(at + 4, true);
    // A record the writer had not finished when the file was read.
    if (size < 16 || at + size > bytes.byteLength) break;
    if (id === JIT_CODE_LOAD) {
      const start = Number(view.getBigUint64(at + 32, true));
      const length = Number(view.getBigUint64(at + 40, true));
      const nameAt = at + 56;
      const nameEnd = bytes.indexOf(0, nameAt);
      loads.push({ start, end: start + length, name: names.decode(bytes.subarray(nameAt, nameEnd < 0 ? at + size : nameEnd)) });
    }
    at += size;
  }
  return loads;
}

/** Finds the compiled function holding an address. */
export class JitMap {
  private readonly starts: number[];
  private readonly codes: JitCode[];

  constructor(loads: readonly JitCode[]) {
    // By start, the later of two loads at one start last: lookups take the latest.
    const sorted = loads.map((code, order) => ({ code, order })).sort((a, b) => a.code.start - b.code.start || a.order - b.order);
    this.codes = sorted.map((s) => s.code);
    this.starts = this.codes.map((c) => c.start);
  }

  at(address: number): JitCode | undefined {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= address) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    const code = found >= 0 ? this.codes[found] : undefined;
    return code && address < code.end ? code : undefined;
  }
}

export type Where = "js" | "native" | "libc" | "kernel";
export type Split = Record<Where, number>;

export interface Attribution {
  samples: number;
  /** Every sample, by where its leaf ran. */
  total: Split;
  /** By the nearest JavaScript function on the chain ("(no JavaScript frame)" for none), most samples first. */
  byFunction: Array<{ name: string; split: Split; samples: number }>;
}

export const NO_JS = "(no JavaScript frame)";

const emptySplit = (): Split => ({ js: 0, native: 0, libc: 0, kernel: 0 });

/** JSC's stubs between frames (call trampolines, OSR exits): not a function of the program's. */
const STUB = /^JSC-[A-Za-z]*(Thunk|OSRExit)\b/;

/** "JSC-FTL: call#Do1nq9" → "call"; JSC's placeholder for an anonymous function → "(anonymous)#hash". */
export function functionName(jitName: string): string {
  const name = jitName.replace(/^JSC-[A-Za-z]+: /, "");
  const hash = name.lastIndexOf("#");
  const bare = hash >= 0 ? name.slice(0, hash) : name;
  if (bare === "" || bare === "<name not materialized>") return `(anonymous)${hash >= 0 ? name.slice(hash) : ""}`;
  return bare;
}

/** One sample's frames, leaf first: each frame's address and the object it lies in. */
type Frame = { address: number; object: string };

/** The frames of one paragraph of `perf script` output (one sample; lines after the first that name an address). */
function framesOf(paragraph: string): Frame[] {
  return paragraph
    .split("\n")
    .map((line) => /^\s*([0-9a-f]+)\s.*\((.*)\)\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ address: Number.parseInt(m[1]!, 16), object: m[2]! }));
}

/** Samples counted by where their leaf ran and by the nearest JavaScript function on their chain. */
class Tally {
  private readonly total = emptySplit();
  private readonly functions = new Map<string, Split>();
  private samples = 0;

  constructor(private readonly jit: JitMap) {}

  add(frames: readonly Frame[]): void {
    this.samples++;
    const leaf = frames[0]!;
    const where: Where = this.jit.at(leaf.address) ? "js" : leaf.object.includes("kernel") ? "kernel" : /\/libc[.-]/.test(leaf.object) ? "libc" : "native";
    this.total[where]++;
    let owner: JitCode | undefined;
    let stub: JitCode | undefined;
    for (const frame of frames) {
      const code = this.jit.at(frame.address);
      if (!code) continue;
      if (!STUB.test(code.name)) {
        owner = code;
        break;
      }
      stub ??= code;
    }
    const name = owner ? functionName(owner.name) : stub ? stub.name : NO_JS;
    let split = this.functions.get(name);
    if (!split) this.functions.set(name, (split = emptySplit()));
    split[where]++;
  }

  result(): Attribution {
    const byFunction = [...this.functions].map(([name, split]) => ({ name, split, samples: split.js + split.native + split.libc + split.kernel }));
    byFunction.sort((a, b) => b.samples - a.samples);
    return { samples: this.samples, total: this.total, byFunction };
  }
}

/**
 * `perf script -F ip,dso` output (one sample a paragraph, leaf first; addresses in hexadecimal, each frame's object
 * in parentheses) attributed to the JavaScript functions of `jit`.
 */
export function attribute(perfScript: string, jit: JitMap): Attribution {
  const tally = new Tally(jit);
  for (const paragraph of perfScript.split(/\n\s*\n/)) {
    const frames = framesOf(paragraph);
    if (frames.length > 0) tally.add(frames);
  }
  return tally.result();
}

/** A stretch of perf's clock (seconds) whose samples count for `key`. */
export interface Window {
  key: string;
  start: number;
  end: number;
}

/**
 * `perf script -F time,ip,dso` output (or `-F tid,time,ip,dso`) attributed as `attribute` does, each sample to the
 * window its time falls in: one attribution a key. Samples outside every window, and those of a thread `thread` turns
 * down (when the output names threads), are left out. Windows are taken in order of their start.
 */
export function attributeByWindow(perfScript: string, jit: JitMap, windows: readonly Window[], thread: (tid: number) => boolean = () => true): Map<string, Attribution> {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  const tallies = new Map<string, Tally>();
  for (const paragraph of perfScript.split(/\n\s*\n/)) {
    const head = /^\s*(?:(\d+)\s+)?(\d+\.\d+):/.exec(paragraph);
    const frames = framesOf(paragraph);
    if (!head || frames.length === 0) continue;
    if (head[1] !== undefined && !thread(Number(head[1]))) continue;
    const at = Number(head[2]);
    const window = sorted.findLast((w) => w.start <= at);
    if (!window || at >= window.end) continue;
    let tally = tallies.get(window.key);
    if (!tally) tallies.set(window.key, (tally = new Tally(jit)));
    tally.add(frames);
  }
  return new Map([...tallies].map(([key, tally]) => [key, tally.result()]));
}

/**
 * Lines for a report: each share turned into µs a request, given the thread's measured CPU a request (schedstat,
 * over the same slice), which the samples divide in proportion.
 */
export function describeAttribution(a: Attribution, usPerRequest: number, top: number): string[] {
  if (a.samples === 0) return ["  no samples"];
  const us = (n: number) => ((n / a.samples) * usPerRequest).toFixed(1);
  const split = (s: Split) => `JS ${us(s.js)}, native ${us(s.native)}, libc ${us(s.libc)}, kernel ${us(s.kernel)}`;
  const lines = [`  ${a.samples} samples; ${usPerRequest.toFixed(1)} µs a request: ${split(a.total)}`];
  for (const f of a.byFunction.slice(0, top)) lines.push(`  ${us(f.samples).padStart(7)} µs  ${f.name.slice(0, 60).padEnd(60)}  (${split(f.split)})`);
  return lines;
}

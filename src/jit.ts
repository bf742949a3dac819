/**
 * When the JIT may compile. The binary starts with it held back (scripts/build.ts: tier-up a thousand times slower),
 * since start-up code runs once. What repeats is requests under load; a first request, or a few a minute, run as well
 * interpreted, and compiling for them cost an idle gateway ~4 MB (the compilers' own code and what they made,
 * resident for good: README, Performance, the twenty-fourth pass). So the JIT wakes once the process has spent
 * `wakeAfterCpuMs` of CPU since the server started listening, which a burst of work passes within a second.
 *
 * What it compiles must then stay compiled. Optimised code checks which function each call reaches; a closure made per
 * request and called from another compiled function (a callback, a namer, a counter) is a new function on the next
 * request, or dies with it, and the code that called it is thrown away and compiled again (the thirtieth pass:
 * mapUserContent, preferred, failover and others, every few seconds). So the request path passes data to functions
 * made once — module-level functions, methods — rather than closures over it, where the callee is compiled apart.
 */

import * as jsc from "bun:jsc";

/** noInline is in bun:jsc beside noFTL, but not in its types. */
const { noFTL, noInline } = jsc as typeof jsc & { noInline(fn: (...args: unknown[]) => unknown): void };

/**
 * Keeps `fn` at JavaScriptCore's DFG tier, never its FTL. For the functions that walk a whole request (the conversion,
 * the token estimate): compiled by the FTL (75–135 ms each time on the JIT's thread, on the core the requests use),
 * their code was thrown away within a second and compiled again, every 10–20 s under steady traffic, both kinds of
 * request or only large ones (BUN_JSC_reportCompileTimes=1 on a build without minified names). At the DFG tier the
 * main thread spent no more on a 1 MB request (2.02 against 2.07 ms side by side) and the JIT 0.04 ms instead of 0.15.
 * The conversion's own walkers (the list at the end of convert.ts) did the same once it was kept: each FTL compile
 * (20–70 ms) thrown away and done again ~12 s later, in a fresh gateway serving hello and 1 MB requests in turns (the
 * thirty-first pass). So did the functions those call for each message or block, and the Chat Completions front's
 * converter, once both fronts took turns (BUN_JSC_reportCompileTimes=1, the thirty-third pass: mapAssistantContent,
 * blockTokens, toKiroMessage and others compiled by the FTL two or three times in ~2,500 requests, 10–60 ms each).
 * Not for an async function: JavaScriptCore compiles its body as a function of its own, which noFTL does not reach
 * (an async loop given to noFTL was still compiled by the FTL, twice; the forty-second pass). Such a function's heavy
 * synchronous work goes in a function of its own instead (src/http/sse.ts's render).
 */
export function keepFromFtl(fn: (...args: never[]) => unknown): void {
  noFTL(fn as (...args: unknown[]) => unknown);
}

/**
 * Keeps `fn` a call of its own wherever it is called from: never inlined into its caller's optimised code. For what
 * Elysia's composed route handler calls, a large function the FTL takes 60–130 ms to compile: with the record's
 * bookkeeping inlined into it (Recorder.responded down to RequestRecord.settle), an exit there threw the whole
 * handler's code away, to be compiled again (BUN_JSC_verboseOSR=1, the thirty-fourth pass); kept apart, an exit
 * recompiles only the small function it happens in.
 */
export function keepApart(fn: (...args: never[]) => unknown): void {
  noInline(fn as (...args: unknown[]) => unknown);
}

/** CPU the process spends (all threads) before the JIT is let loose: a few large requests, or a hundred small ones. */
export const WAKE_AFTER_CPU_MS = 250;
const CHECK_EVERY_MS = 1000;

export interface JitWakeOptions {
  wakeAfterCpuMs?: number;
  checkEveryMs?: number;
  /** The process's CPU so far, in microseconds. */
  cpuMicros?: () => number;
  /** Lets the JIT tier up as it normally does. */
  wake?: () => void;
}

const processCpuMicros = () => {
  const used = process.cpuUsage();
  return used.user + used.system;
};

/** Watches the process's CPU from its construction and wakes the JIT once, when the work passes the threshold. */
export class JitWake {
  private readonly cpuMicros: () => number;
  private readonly wakeAt: number;
  private readonly wake: () => void;
  private readonly timer: ReturnType<typeof setInterval>;
  private awake = false;

  constructor(options: JitWakeOptions = {}) {
    this.cpuMicros = options.cpuMicros ?? processCpuMicros;
    this.wakeAt = this.cpuMicros() + (options.wakeAfterCpuMs ?? WAKE_AFTER_CPU_MS) * 1000;
    this.wake = options.wake ?? (() => Bun.unsafe.setJITPolicy(1));
    this.timer = setInterval(() => this.check(), options.checkEveryMs ?? CHECK_EVERY_MS);
    // An idle server must still be able to exit.
    this.timer.unref();
  }

  get woken(): boolean {
    return this.awake;
  }

  /** Wakes the JIT if the process has worked enough since the start; true once it has. */
  check(): boolean {
    if (this.awake) return true;
    if (this.cpuMicros() < this.wakeAt) return false;
    this.awake = true;
    this.stop();
    this.wake();
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * Warm-up until the JIT has settled. A gateway's JIT threads keep compiling for tens of thousands of small requests
 * and over a thousand large ones (JSC tiers its code up as it runs); CPU measured before then counts compilation,
 * which a gateway that has run for a few minutes no longer pays. So warm-up runs in windows of load and stops once
 * the JIT took under JIT_SETTLED of each watched process's CPU in QUIET_WINDOWS windows in a row.
 */
import { cpuSince, threadCpu } from "./proc";
import { round } from "./stats";

const JIT_SETTLED = 0.03;
const QUIET_WINDOWS = 2;
const MOST_WINDOWS = 20;

export interface Settling {
  windows: number;
  settled: boolean;
  /** Per window, the largest share of a watched process's CPU its JIT threads took. */
  jitShares: number[];
}

/** Runs `window` until the JIT of every process in `pids` has settled, or MOST_WINDOWS times. */
export async function settleJit(pids: number[], window: () => Promise<void>): Promise<Settling> {
  const jitShares: number[] = [];
  let quiet = 0;
  while (quiet < QUIET_WINDOWS && jitShares.length < MOST_WINDOWS) {
    const before = pids.map(threadCpu);
    await window();
    const share = Math.max(
      ...pids.map((pid, i) => {
        const cpu = cpuSince(before[i]!, threadCpu(pid));
        return cpu.total > 0 ? cpu.jit / cpu.total : 0;
      }),
    );
    jitShares.push(round(share, 3));
    quiet = share < JIT_SETTLED ? quiet + 1 : 0;
  }
  return { windows: jitShares.length, settled: quiet >= QUIET_WINDOWS, jitShares };
}

/** What a settling took, in words for the report's notes. */
export function describeSettling(who: string, s: Settling, perWindow: string): string {
  const shares = s.jitShares.map((x) => `${round(x * 100, 1)} %`).join(", ");
  return s.settled
    ? `${who}: warmed up until the JIT took under ${JIT_SETTLED * 100} % of the CPU in ${QUIET_WINDOWS} windows in a row: ${s.windows} windows of ${perWindow} (JIT share per window: ${shares})`
    : `${who}: the JIT had not settled after ${s.windows} warm-up windows of ${perWindow} (JIT share per window: ${shares}); its figures include compilation`;
}

/** How often a process's CPU is read while waiting for it to go quiet, and what counts as quiet. */
const QUIET_POLL_MS = 50;
const QUIET_CORE_SHARE = 0.02;
const QUIET_POLLS = 2;
const QUIET_MOST_MS = 2000;

/**
 * Waits until the process has used under QUIET_CORE_SHARE of a core in QUIET_POLLS polls in a row, or `mostMs`.
 * After a slice of load a Bun process keeps working for a while: the collector sweeps and mimalloc's scavenger
 * returns freed pages. Counting that work with the slice that caused it — not with whichever slice comes next — is
 * why the bench's slices end here.
 */
export async function untilQuiet(pid: number, mostMs = QUIET_MOST_MS): Promise<{ ms: number; quiet: boolean }> {
  const t0 = performance.now();
  let quietPolls = 0;
  let last = threadCpu(pid);
  while (quietPolls < QUIET_POLLS && performance.now() - t0 < mostMs) {
    await Bun.sleep(QUIET_POLL_MS);
    const now = threadCpu(pid);
    quietPolls = cpuSince(last, now).total < QUIET_POLL_MS * 1e6 * QUIET_CORE_SHARE ? quietPolls + 1 : 0;
    last = now;
  }
  return { ms: Math.round(performance.now() - t0), quiet: quietPolls >= QUIET_POLLS };
}

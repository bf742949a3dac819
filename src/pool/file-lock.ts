/**
 * An advisory lock beside a credential file, so that two kiro-ts processes on one credentials folder (a blue/green
 * deploy, a second copy started by mistake) never refresh the same account at once: the second would present a
 * refresh token the first just rotated away, and Kiro would refuse it for good. A lock whose holder died (its pid
 * is gone, or it is older than any refresh takes) is taken over.
 */
import { open, readFile, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { alive } from "./files";

/** Longer than a refresh and its write-back can take (the refresh call's own timeout is 60 s). */
const STALE_MS = 90_000;
const RETRY_MS = 50;

export const lockPathOf = (path: string) => join(dirname(path), `.${basename(path)}.lock`);

/** Runs `work` holding the lock of `path`; waits up to `waitMs` for another holder, then runs anyway. */
export async function withFileLock<T>(path: string, work: () => Promise<T>, waitMs = STALE_MS): Promise<T> {
  const lock = lockPathOf(path);
  const held = await acquire(lock, Date.now() + waitMs);
  try {
    return await work();
  } finally {
    if (held) await rm(lock, { force: true }).catch(() => {});
  }
}

async function acquire(lock: string, deadline: number): Promise<boolean> {
  for (;;) {
    try {
      const file = await open(lock, "wx", 0o600);
      await file.writeFile(JSON.stringify({ pid: process.pid, at: Date.now() }));
      await file.close();
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A folder kiro-ts cannot write to: the write-back will say so; the refresh need not wait.
      if (code !== "EEXIST") return false;
    }
    if (await stale(lock)) {
      await rm(lock, { force: true }).catch(() => {});
      continue;
    }
    if (Date.now() >= deadline) return false;
    await Bun.sleep(RETRY_MS);
  }
}

async function stale(lock: string): Promise<boolean> {
  let holder: { pid?: unknown; at?: unknown };
  try {
    holder = JSON.parse(await readFile(lock, "utf8"));
  } catch {
    // Being written this very moment, or garbage: garbage is stale once it is old enough.
    return false;
  }
  if (typeof holder.at === "number" && Date.now() - holder.at > STALE_MS) return true;
  return typeof holder.pid === "number" && !alive(holder.pid);
}


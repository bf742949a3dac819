/**
 * One refresh of an account at a time across the cluster: a Redis lock per account, taken with SET NX PX and an
 * owner token of its own, kept alive while its holder works, and released only by that owner (a Lua script
 * compares before deleting, so a holder that outlived its expiry cannot free someone else's lock). A holder killed
 * with SIGKILL stops renewing it: the lock frees itself within LOCK_MS. Redis away: nobody is waited for (each
 * instance's file lock still keeps two processes on one folder apart).
 */
import { type RedisLink, RedisUnreachable } from "./redis-link";

/** How long a lock outlives a holder that stopped renewing it. */
export const LOCK_MS = 10_000;
const RENEW_MS = LOCK_MS / 4;
const POLL_MS = 50;
/** Longer than a refresh can take (its own timeout is 60 s): then the waiter refreshes anyway. */
const WAIT_MS = 90_000;

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) end return 0`;

export async function withRefreshLock<T>(link: RedisLink, key: string, work: () => Promise<T>): Promise<T> {
  const owner = crypto.randomUUID();
  const held = await acquire(link, key, owner);
  const renewal = held ? setInterval(() => void link.script(RENEW, [key], [owner, LOCK_MS]).catch(() => {}), RENEW_MS) : undefined;
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    if (held) await link.script(RELEASE, [key], [owner]).catch(() => {});
  }
}

async function acquire(link: RedisLink, key: string, owner: string): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      if ((await link.call((r) => r.send("SET", [key, owner, "NX", "PX", String(LOCK_MS)]))) === "OK") return true;
    } catch (e) {
      if (e instanceof RedisUnreachable) return false;
      throw e;
    }
    if (Date.now() >= deadline) return false;
    await Bun.sleep(POLL_MS);
  }
}

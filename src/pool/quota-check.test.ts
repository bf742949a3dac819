import { expect, test } from "bun:test";
import { GatewayError } from "../errors";
import type { Account } from "./account";
import { Pool } from "./pool";
import { QuotaChecks } from "./quota-check";
import { WaitingLine } from "./waiting-line";
import { quietLog as log, testAccount as account } from "./test-accounts";


test("quota checks in the background: never-checked first, one at a time, a dead or suspended account skipped", async () => {
  const [a, b, c, dead, suspended] = ["a", "b", "c", "dead", "suspended"].map(account) as [Account, Account, Account, Account, Account];
  dead.disable("invalid_refresh_token", "refused");
  suspended.disable("suspended", "Kiro suspended the account");
  b.recordCheck({ currentUsage: 1, usageLimit: 10, usagePercent: 10 }, undefined, Date.now() - 3_600_000);
  const pool = new Pool(log, [a, b, c, dead, suspended]);
  const order: string[] = [];
  let running = 0;
  let most = 0;
  const checks = new QuotaChecks(
    pool,
    async (x) => {
      most = Math.max(most, ++running);
      order.push(x.name);
      await Bun.sleep(1);
      x.recordCheck({ currentUsage: 2, usageLimit: 10, usagePercent: 20 });
      running--;
    },
    200,
    log,
    0,
  );
  checks.start();
  while (order.length < 3) await Bun.sleep(5);
  checks.stop();
  // a and c were never checked; b an hour ago.
  expect(order).toEqual(["a", "c", "b"]);
  expect(most).toBe(1);
});

test("the waiting line: first come first served; one that waits again keeps its place; leaving and closing", async () => {
  const line = new WaitingLine();
  const released: string[] = [];
  const forever = Date.now() + 60_000;
  const signal = new AbortController().signal;
  const wait = (name: string, since: number, s = signal) => line.wait(since, forever, s).then(() => released.push(name));
  const second = wait("second", 2);
  const first = wait("first", 1);
  const leaving = new AbortController();
  const left = line.wait(3, forever, leaving.signal).catch((e) => `left: ${e}`);
  expect(line.length).toBe(3);
  expect(line.longestWaitMs(1_001)).toBe(1_000);
  leaving.abort("gone");
  expect(await left).toBe("left: gone");
  line.wake();
  await Promise.all([first, second]);
  expect(released).toEqual(["first", "second"]);
  const closing = line.wait(4, forever, signal).catch((e: Error) => e.message);
  line.close(new GatewayError("unavailable", "shutting down"));
  expect(await closing).toBe("shutting down");
  expect(await line.wait(5, forever, signal).catch((e: Error) => e.message)).toBe("shutting down");
});

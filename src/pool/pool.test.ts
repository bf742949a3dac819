import { describe, expect, test } from "bun:test";
import type { Account } from "./account";
import { Pool } from "./pool";
import { quietLog as log, testAccount as account } from "./test-accounts";

const checked = (a: Account, used: number, limit: number) => a.recordCheck({ currentUsage: used, usageLimit: limit, usagePercent: (used / limit) * 100 });

describe("Pool.select", () => {
  test("least used first; ties keep pool order", () => {
    const [a, b, c] = ["a", "b", "c"].map(account) as [Account, Account, Account];
    const pool = new Pool(log, [a, b, c]);
    const order = Array.from({ length: 6 }, () => {
      const picked = pool.select()!;
      picked.recordAttempt();
      return picked.name;
    });
    expect(order).toEqual(["a", "b", "c", "a", "b", "c"]);
  });

  test("an account added to a busy pool takes its share, not every request until its count catches up", () => {
    const [a, b, c] = ["a", "b", "c"].map(account) as [Account, Account, Account];
    const now = Date.now();
    for (let i = 0; i < 5_000; i++) {
      a.recordAttempt(now - 3_600_000);
      b.recordAttempt(now - 3_600_000);
    }
    const pool = new Pool(log, [a, b, c]);
    const served = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const picked = pool.select(new Set(), now + i)!;
      picked.recordAttempt(now + i);
      served.set(picked.name, (served.get(picked.name) ?? 0) + 1);
    }
    expect(Object.fromEntries(served)).toEqual({ a: 10, b: 10, c: 10 });
    expect(a.counters.requests).toBe(5_010);
  });

  test("quota-aware: the lowest known usage ratio wins over request counts; unchecked accounts come after", () => {
    const [a, b, c] = ["a", "b", "c"].map(account) as [Account, Account, Account];
    checked(a, 40, 50);
    checked(b, 10, 50);
    for (let i = 0; i < 5; i++) b.recordAttempt();
    const pool = new Pool(log, [c, a, b]);
    expect(pool.select()!.name).toBe("b");
    expect(pool.select(new Set([b]))!.name).toBe("a");
    expect(pool.select(new Set([a, b]))!.name).toBe("c");
  });

  test("accounts about as used as each other (within 5 %) share the traffic by recent load", () => {
    const [a, b] = ["a", "b"].map(account) as [Account, Account];
    checked(a, 100, 1_000);
    checked(b, 101, 1_000);
    const pool = new Pool(log, [a, b]);
    const order = Array.from({ length: 4 }, () => {
      const picked = pool.select()!;
      picked.recordAttempt();
      return picked.name;
    });
    expect(order).toEqual(["a", "b", "a", "b"]);
  });

  test("cooling and disabled accounts are skipped until their time comes; then they recover by themselves", () => {
    const [a, b] = ["a", "b"].map(account) as [Account, Account];
    const pool = new Pool(log, [a, b]);
    const now = Date.now();
    a.cool(now + 1000, "429");
    b.disable("quota_exhausted", "used up", now + 2000);
    expect(pool.select(new Set(), now)).toBeUndefined();
    expect(pool.select(new Set(), now + 1500)?.name).toBe("a");
    expect(b.routable(now + 1500)).toBe(false);
    expect(b.routable(now + 2500)).toBe(true);
  });

  test("maxFailures in a row disable an account; a success in between resets the streak", () => {
    const a = account("a");
    a.recordFailure("x");
    a.recordSuccess();
    a.recordFailure("x");
    a.recordFailure("x");
    expect(a.state.kind).toBe("healthy");
    a.recordFailure("x");
    expect(a.state).toMatchObject({ kind: "disabled", why: "too_many_failures" });
    expect(a.counters.failures).toBe(4);
  });

  test("no account: 429 while accounts rest by themselves, 503 when only an administrator can help", () => {
    const [a, b] = ["a", "b"].map(account) as [Account, Account];
    const pool = new Pool(log, [a, b]);
    a.cool(Date.now() + 30_000, "429");
    b.disable("quota_exhausted", "used up", Date.now() + 90_000);
    const resting = pool.noAccountError();
    expect(resting.kind).toBe("rate_limited");
    expect(resting.detail.retryAfterSecs).toBeGreaterThan(25);
    expect(resting.message).toContain("1 cooling, 1 disabled: quota exhausted");
    b.disable("invalid_refresh_token", "dead");
    const stuck = pool.noAccountError();
    expect(stuck.kind).toBe("unavailable");
    expect(stuck.message).toContain("the first recovers at");
    expect(new Pool(log, []).noAccountError().message).toBe("no Kiro account is configured in the pool");
  });
});

describe("rests after trouble", () => {
  const restSecs = (a: Account, now: number) => Math.round(((a.availableAt ?? now) - now) / 1000);

  test("429s without Retry-After: 5 s, then doubling, capped at failureCooldownSecs; a success starts over", () => {
    const a = account("a");
    let now = Date.now();
    const rests = [1, 2, 3, 4, 5].map(() => {
      a.throttle("429", undefined, now);
      const rest = restSecs(a, now);
      now = a.availableAt!; // the next 429 comes once the rest is over
      return rest;
    });
    expect(rests).toEqual([5, 10, 20, 40, 60]);
    a.recordSuccess();
    a.throttle("429", undefined, now);
    expect(restSecs(a, now)).toBe(5);
    a.throttle("429", 42, now);
    expect(restSecs(a, now)).toBe(42);
  });

  test("429s for requests already in flight when the rest began do not lengthen it", () => {
    const a = account("a");
    const now = Date.now();
    for (let i = 0; i < 6; i++) a.throttle("429", undefined, now + i);
    expect(restSecs(a, now)).toBe(5);
  });

  test("failures are counted but not rested; maxFailures in a row disable", () => {
    const a = account("b"); // maxFailures: 3
    a.recordFailure("500");
    a.recordFailure("500");
    expect(a.state.kind).toBe("healthy");
    expect(a.counters.failures).toBe(2);
    a.recordFailure("500");
    expect(a.state).toMatchObject({ kind: "disabled", why: "too_many_failures" });
  });
});

import { describe, expect, test } from "bun:test";
import { authenticate, FailedAuthLimiter, Key, presentedKey } from "./auth";

describe("auth", () => {
  test("keys: exact match only, from x-api-key or Authorization", () => {
    const key = new Key("sk-abc");
    expect(key.matches("sk-abc")).toBe(true);
    expect(key.matches("sk-ab")).toBe(false);
    expect(key.matches("sk-abcd")).toBe(false);
    expect(key.matches(undefined)).toBe(false);
    expect(presentedKey(new Headers({ "x-api-key": " k1 " }))).toBe("k1");
    expect(presentedKey(new Headers({ authorization: "Bearer k2" }))).toBe("k2");
    expect(presentedKey(new Headers({ authorization: "k3" }))).toBe("k3");
    expect(presentedKey(new Headers())).toBeUndefined();
  });

  test("an address is locked out after N failures within the window, right key or not, then let go", () => {
    const limiter = new FailedAuthLimiter(3, 60_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) limiter.recordFailure("1.2.3.4", t0 + i);
    expect(limiter.lockedFor("1.2.3.4", t0 + 10)).toBe(60);
    expect(limiter.lockedFor("5.6.7.8", t0 + 10)).toBe(0);
    expect(limiter.lockedFor("1.2.3.4", t0 + 60_000)).toBe(0);
    limiter.recordFailure("1.2.3.4", t0 + 60_001);
    expect(limiter.lockedFor("1.2.3.4", t0 + 60_002)).toBe(0);
  });

  test("authenticate: 401 while counting, 429 once locked — for wrong keys only; the right key always passes", () => {
    const limiter = new FailedAuthLimiter(2, 60_000);
    const bad = new Headers({ "x-api-key": "wrong" });
    const good = new Headers({ "x-api-key": "right" });
    const right = new Key("right");
    expect(authenticate(limiter, () => "a", good, right)).toEqual({ ok: true });
    expect(authenticate(limiter, () => "a", bad, right)).toEqual({ ok: false, status: 401 });
    expect(authenticate(limiter, () => "a", bad, right)).toEqual({ ok: false, status: 401 });
    expect(authenticate(limiter, () => "a", bad, right)).toMatchObject({ ok: false, status: 429 });
    expect(authenticate(limiter, () => "a", good, right)).toEqual({ ok: true });
    expect(authenticate(limiter, () => "b", good, right)).toEqual({ ok: true });
    // The right key's requests are not counted: many of them never lock anyone out.
    for (let i = 0; i < 100; i++) authenticate(limiter, () => "c", good, right);
    expect(limiter.lockedFor("c")).toBe(0);
  });

  test("a flood of addresses is forgotten as its windows end, and never holds more than the bound", () => {
    const limiter = new FailedAuthLimiter(20, 60_000, 1_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 30_000; i++) limiter.recordFailure(`10.0.${i >> 8}.${i & 255}`, t0 + i);
    expect((limiter as unknown as { failures: Map<string, unknown> }).failures.size).toBe(1_000);
    limiter.recordFailure("192.0.2.1", t0 + 200_000);
    expect((limiter as unknown as { failures: Map<string, unknown> }).failures.size).toBe(1);
  });

});

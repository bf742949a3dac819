import { describe, expect, test } from "bun:test";
import { Logger } from "../log";
import { nextMonthUtc } from "./account";
import { loggedTestAccount, testAccount } from "./test-accounts";

const account = () => testAccount("a");

describe("rests", () => {
  test("a Retry-After of a day rests the account no longer than failureCooldownSecs", () => {
    const a = account();
    const now = Date.now();
    a.throttle("429", 86_400, now);
    expect(a.availableAt).toBe(now + 60_000);
  });
});

describe("the account owns its quota", () => {
  test("a quota check that finds it used up rests it until the reset date; quota back ends the rest", () => {
    const a = account();
    const reset = Math.floor(Date.now() / 1000) + 86_400;
    a.applyUsage({ currentUsage: 50, usageLimit: 50, usagePercent: 100, nextDateReset: reset });
    expect(a.state).toMatchObject({ kind: "disabled", why: "quota_exhausted", until: reset * 1000 });
    a.applyUsage({ currentUsage: 0, usageLimit: 50, usagePercent: 0, nextDateReset: reset });
    expect(a.state.kind).toBe("healthy");
  });

  test("the requests in flight that meet the same used-up quota disable the account once, in one log line", () => {
    const lines: string[] = [];
    const a = loggedTestAccount("a", new Logger("warn", (line) => lines.push(line)));
    const until = Date.now() + 86_400_000;
    for (let i = 0; i < 5; i++) a.exhaust("402: MONTHLY_REQUEST_COUNT", until);
    expect(lines.filter((l) => l.includes("account disabled"))).toHaveLength(1);
    a.disable("suspended", "403: account suspended");
    expect(a.state).toMatchObject({ kind: "disabled", why: "suspended" });
    expect(lines.filter((l) => l.includes("account disabled"))).toHaveLength(2);
  });

  test("exhausted without a date: the date of the last check, else the 1st of next month", () => {
    const a = account();
    a.exhaust("402");
    expect(a.availableAt).toBe(nextMonthUtc());
  });

  test("the caller carries the name, the credential with the given token, and the machine id", () => {
    const a = account();
    expect(a.caller("tok")).toEqual({ name: "a", credential: { refreshToken: "a".repeat(100), accessToken: "tok" }, machineId: a.machineId });
  });
});

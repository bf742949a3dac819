import { expect, test } from "bun:test";
import type { AccountInfo } from "../api/types";
import { percentOf, quotaOf, quotaTotals, usageTone } from "./quota";

const base: AccountInfo = { name: "a", healthy: true, request_count: 0, failure_count: 0, in_pool: true, state: "healthy" };

test("the server's usage wins over this browser's last check; a failed check tells nothing", () => {
  const withUsage = { ...base, usage: { currentUsage: 10, usageLimit: 50, usagePercent: 20, checkedAt: "" } };
  const check = { name: "a", healthy: true, currentUsage: 30, usageLimit: 50, usagePercent: 60 };
  expect(quotaOf(withUsage, check)).toMatchObject({ used: 10, limit: 50, remaining: 40, percent: 20 });
  expect(quotaOf(base, check)).toMatchObject({ used: 30, remaining: 20, percent: 60 });
  expect(quotaOf(base, { ...check, error: "expired" })).toBeUndefined();
  expect(quotaOf(base)).toBeUndefined();
  expect(quotaOf({ ...base, usage: { currentUsage: 0, usageLimit: 0, usagePercent: 0, checkedAt: "" } })).toBeUndefined();
});

test("totals add up the known accounts and count them", () => {
  const accounts = [
    { ...base, name: "a", usage: { currentUsage: 10, usageLimit: 50, usagePercent: 20, checkedAt: "" } },
    { ...base, name: "b" },
    { ...base, name: "c" },
  ];
  const totals = quotaTotals(accounts, { b: { name: "b", healthy: true, currentUsage: 60, usageLimit: 50, usagePercent: 100 } });
  expect(totals).toMatchObject({ used: 70, limit: 100, remaining: 30, percent: 70, checked: 2, total: 3 });
});

test("percent is capped at 100 and 0 without a limit; tones at 70 and 90", () => {
  expect(percentOf(60, 50)).toBe(100);
  expect(percentOf(5, 0)).toBe(0);
  expect([usageTone(69.9), usageTone(70), usageTone(90)]).toEqual(["ok", "warn", "high"]);
});

import { expect, test } from "bun:test";
import { GatewayError } from "../errors";
import { ClientKey } from "./keys";
import { DAY_MS } from "./rollup";
import type { StoredKey } from "./types";

const stored = (limits: StoredKey["limits"]): StoredKey => ({ id: "k1", name: "team", digest: "d", prefix: "sk-", createdAt: 0, disabled: false, limits });

/** The 429 `admit` throws at `now`, or undefined when it admits (and then releases the slot). */
function refusal(key: ClientKey, now: number): GatewayError | undefined {
  try {
    key.admit(now);
    key.release();
    return undefined;
  } catch (e) {
    return e as GatewayError;
  }
}

test("tokensPerDay refuses once the UTC day's tokens are used, until the next UTC day", () => {
  const morning = Date.UTC(2026, 11, 3, 9);
  const key = new ClientKey(stored({ tokensPerDay: 1000 }), morning);
  expect(refusal(key, morning)).toBeUndefined();
  key.used(600, 0, morning);
  expect(refusal(key, morning + 1)).toBeUndefined();
  key.used(600, 0, morning + 2);
  const refused = refusal(key, morning + 3_600_000);
  expect(refused?.kind).toBe("rate_limited");
  expect(refused?.message).toContain("1000 tokens per day (UTC)");
  // Until midnight UTC: 14 hours after 10:00.
  expect(refused?.detail.retryAfterSecs).toBe(14 * 3600);
  expect(refusal(key, Date.UTC(2026, 11, 3, 23, 59, 59))).toBeDefined();
  expect(refusal(key, Date.UTC(2026, 11, 4))).toBeUndefined();
  expect(key.day).toMatchObject({ since: Date.UTC(2026, 11, 4), tokens: 0, requests: 0 });
});

test("creditsPerMonth holds across the month's days and ends with the UTC month", () => {
  const start = Date.UTC(2026, 10, 28, 12);
  const key = new ClientKey(stored({ creditsPerMonth: 1 }), start, { month: { keyId: "k1", requests: 40, tokens: 9000, credits: 0.9 } });
  key.used(10, 0.2, start);
  // Days later, still November: the month's credits are spent, the day's tally starts afresh.
  const refused = refusal(key, start + 2 * DAY_MS);
  expect(refused?.message).toContain("1 credits per month (UTC)");
  expect(refused?.detail.retryAfterSecs).toBe((Date.UTC(2026, 11, 1) - (start + 2 * DAY_MS)) / 1000);
  expect(key.day.requests).toBe(0);
  expect(key.month).toMatchObject({ since: Date.UTC(2026, 10, 1), requests: 41, credits: 1.1 });
  expect(refusal(key, Date.UTC(2026, 11, 1))).toBeUndefined();
  expect(key.month).toMatchObject({ since: Date.UTC(2026, 11, 1), requests: 0, credits: 0 });
  // A request that ends in the new month counts there.
  key.used(5, 0.25, Date.UTC(2026, 11, 1, 0, 5));
  expect(key.month.credits).toBe(0.25);
});

import { describe, expect, test } from "bun:test";
import type { AccountInfo } from "../api/types";
import { type AccountsMeta, emptyAccountsMeta } from "../state/accounts-meta";
import { ACCOUNT_STATES, distinctValues, filterAccounts, isAccountState, NO_GROUP, noFilters, sortAccounts } from "./accounts-view";

const account = (name: string, extra: Partial<AccountInfo> = {}): AccountInfo => ({
  name,
  healthy: true,
  request_count: 0,
  failure_count: 0,
  in_pool: true,
  state: "healthy",
  ...extra,
});

const accounts = [
  account("acct-10", { provider: "Google", auth_method: "social", request_count: 5, email: "ten@example.com" }),
  account("acct-2", { provider: "Github", auth_method: "social", request_count: 50, state: "cooling", state_reason: "rate limited (429)" }),
  account("acct-1", { provider: "BuilderId", auth_method: "IdC", request_count: 5, state: "disabled", usage: { currentUsage: 40, usageLimit: 50, usagePercent: 80, checkedAt: "" } }),
];

const meta: AccountsMeta = {
  ...emptyAccountsMeta(),
  groups: [{ id: "g1", name: "Team A", order: 0, createdAt: 0 }],
  tags: [{ id: "t1", name: "paid", color: "#fff" }],
  metaByName: { "acct-10": { groupId: "g1", tagIds: ["t1"], notes: "Shared with Bob" }, "acct-2": { tagIds: ["t1"] } },
};
const context = { meta, checks: {} };
const names = (list: AccountInfo[]) => list.map((a) => a.name);

describe("filterAccounts", () => {
  test("no filters keep everything, in the given order", () => {
    expect(names(filterAccounts(accounts, noFilters(), context))).toEqual(["acct-10", "acct-2", "acct-1"]);
  });

  test("state, provider and auth method match exactly", () => {
    expect(names(filterAccounts(accounts, { ...noFilters(), state: "cooling" }, context))).toEqual(["acct-2"]);
    expect(names(filterAccounts(accounts, { ...noFilters(), provider: "BuilderId" }, context))).toEqual(["acct-1"]);
    expect(names(filterAccounts(accounts, { ...noFilters(), authMethod: "social" }, context))).toEqual(["acct-10", "acct-2"]);
  });

  test("group, 'no group' and tag come from the browser-local labels", () => {
    expect(names(filterAccounts(accounts, { ...noFilters(), groupId: "g1" }, context))).toEqual(["acct-10"]);
    expect(names(filterAccounts(accounts, { ...noFilters(), groupId: NO_GROUP }, context))).toEqual(["acct-2", "acct-1"]);
    expect(names(filterAccounts(accounts, { ...noFilters(), tagId: "t1" }, context))).toEqual(["acct-10", "acct-2"]);
  });

  test("search needs every word somewhere in name, email, reason or notes, ignoring case", () => {
    expect(names(filterAccounts(accounts, { ...noFilters(), search: "BOB shared" }, context))).toEqual(["acct-10"]);
    expect(names(filterAccounts(accounts, { ...noFilters(), search: "429" }, context))).toEqual(["acct-2"]);
    expect(names(filterAccounts(accounts, { ...noFilters(), search: "ten@ missing" }, context))).toEqual([]);
  });
});

describe("sortAccounts", () => {
  test("names sort naturally (acct-2 before acct-10)", () => {
    expect(names(sortAccounts(accounts, { key: "name", direction: "asc" }, context))).toEqual(["acct-1", "acct-2", "acct-10"]);
    expect(names(sortAccounts(accounts, { key: "name", direction: "desc" }, context))).toEqual(["acct-10", "acct-2", "acct-1"]);
  });

  test("equal values fall back to the name, whatever the direction", () => {
    expect(names(sortAccounts(accounts, { key: "requests", direction: "desc" }, context))).toEqual(["acct-2", "acct-1", "acct-10"]);
    expect(names(sortAccounts(accounts, { key: "requests", direction: "asc" }, context))).toEqual(["acct-1", "acct-10", "acct-2"]);
  });

  test("states order healthy → cooling → disabled; unknown quota goes last either way", () => {
    expect(names(sortAccounts(accounts, { key: "state", direction: "asc" }, context))).toEqual(["acct-10", "acct-2", "acct-1"]);
    expect(names(sortAccounts(accounts, { key: "usage", direction: "desc" }, context))[0]).toBe("acct-1");
    expect(names(sortAccounts(accounts, { key: "usage", direction: "asc" }, context))[0]).toBe("acct-1");
  });

  test("a suspended account sorts after the disabled ones; the filter offers every state the server reports, and only those", () => {
    const withSuspended = [account("acct-s", { state: "suspended" }), ...accounts];
    expect(names(sortAccounts(withSuspended, { key: "state", direction: "asc" }, context))).toEqual(["acct-10", "acct-2", "acct-1", "acct-s"]);
    expect(ACCOUNT_STATES).toEqual(["healthy", "cooling", "disabled", "suspended"]);
    expect(["suspended", "constructor", "all"].map(isAccountState)).toEqual([true, false, false]);
  });

  test("does not reorder its input", () => {
    sortAccounts(accounts, { key: "name", direction: "asc" }, context);
    expect(names(accounts)).toEqual(["acct-10", "acct-2", "acct-1"]);
  });
});

test("distinctValues lists each non-empty value once, sorted", () => {
  expect(distinctValues([...accounts, account("x", { provider: "Google" }), account("y")], "provider")).toEqual(["BuilderId", "Github", "Google"]);
});

import { describe, expect, test } from "bun:test";
import { formOf, keyRequest } from "./key-form";

describe("key form", () => {
  test("an empty form but for the name: any model, never expires, no limits", () => {
    expect(keyRequest({ ...formOf(), name: " alice " })).toEqual({ ok: true, request: { name: "alice", models: null, expiresAt: null, limits: {} } });
  });

  test("models by comma or line, limits where given, expiry as ISO", () => {
    const result = keyRequest({
      ...formOf(),
      name: "bob",
      models: "claude-sonnet-4-5*,\nclaude-haiku-4-5",
      expiresAt: "2027-01-01T00:00",
      requestsPerMinute: "60",
      creditsPerMonth: "12.5",
    });
    expect(result).toEqual({
      ok: true,
      request: { name: "bob", models: ["claude-sonnet-4-5*", "claude-haiku-4-5"], expiresAt: new Date(2027, 0, 1).toISOString(), limits: { requestsPerMinute: 60, creditsPerMonth: 12.5 } },
    });
  });

  test("what is wrong is named by its field", () => {
    expect(keyRequest(formOf())).toEqual({ ok: false, error: "keyNameRequired", field: "name" });
    expect(keyRequest({ ...formOf(), name: "x", concurrency: "1.5" })).toEqual({ ok: false, error: "keyBadWhole", field: "concurrency" });
    expect(keyRequest({ ...formOf(), name: "x", creditsPerMonth: "-1" })).toEqual({ ok: false, error: "keyBadNumber", field: "creditsPerMonth" });
    expect(keyRequest({ ...formOf(), name: "x", expiresAt: "soon" })).toEqual({ ok: false, error: "keyBadDate", field: "expiresAt" });
  });

  test("a key's form shows what it holds", () => {
    const form = formOf({
      id: "1", name: "c", prefix: "sk-kiro-ab", builtIn: false, createdAt: null, expiresAt: null, lastUsedAt: null, disabled: false,
      models: ["a", "b"], limits: { tokensPerDay: 1000 }, usage: { day: { requests: 0, tokens: 0, credits: 0 }, month: { requests: 0, tokens: 0, credits: 0 } },
    });
    expect(form).toMatchObject({ name: "c", models: "a, b", tokensPerDay: "1000", concurrency: "" });
  });
});

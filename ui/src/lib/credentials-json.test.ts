import { describe, expect, test } from "bun:test";
import { normalizeAuthMethod, parseCredentialsJson } from "./credentials-json";

describe("parseCredentialsJson", () => {
  test("a kiro-rs credential file fills one account and leaves the name for the user", () => {
    const parsed = parseCredentialsJson(
      JSON.stringify({ accessToken: "at", refreshToken: "rt", profileArn: "arn:aws:codewhisperer:us-east-1:1:profile/X", expiresAt: "2025-01-01T00:00:00Z", authMethod: "social", provider: "Google" }),
    );
    expect(parsed).toEqual({
      ok: true,
      accounts: [{ name: "", refreshToken: "rt", authMethod: "social", accessToken: "at", profileArn: "arn:aws:codewhisperer:us-east-1:1:profile/X", expiresAt: "2025-01-01T00:00:00Z", provider: "Google" }],
    });
  });

  test("a full export (a list with names) round-trips; items without a refresh token are skipped", () => {
    const parsed = parseCredentialsJson(
      JSON.stringify([
        { name: "a", refreshToken: "r1", authMethod: "IdC", clientId: "c", clientSecret: "s", region: "eu-central-1", _meta: { tags: [] } },
        { name: "b", healthy: true },
        { refreshToken: "r3" },
      ]),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.accounts.map((a) => a.name)).toEqual(["a", "account-3"]);
    expect(parsed.accounts[0]).toEqual({ name: "a", refreshToken: "r1", authMethod: "IdC", clientId: "c", clientSecret: "s", region: "eu-central-1" });
  });

  test("Kiro Account Manager exports: flat list and legacy nested form, named by email", () => {
    const flat = parseCredentialsJson(JSON.stringify([{ email: "x@example.com", refreshToken: "r", clientId: "c", clientSecret: "s" }]));
    expect(flat).toMatchObject({ ok: true, accounts: [{ name: "x@example.com", authMethod: "IdC" }] });
    const legacy = parseCredentialsJson(JSON.stringify({ version: 2, accounts: [{ email: "y@example.com", credentials: { refreshToken: "r2", region: "us-east-1" } }, { email: "z@example.com", credentials: { refreshToken: "r3" } }] }));
    expect(legacy).toMatchObject({ ok: true, accounts: [{ name: "y@example.com", refreshToken: "r2", authMethod: "social", region: "us-east-1" }, { name: "z@example.com" }] });
  });

  test("numeric expiresAt (seconds or ms) becomes RFC 3339", () => {
    const seconds = parseCredentialsJson(JSON.stringify({ refreshToken: "r", expiresAt: 1735689600 }));
    const ms = parseCredentialsJson(JSON.stringify({ refreshToken: "r", expiresAt: 1735689600000 }));
    expect(seconds).toMatchObject({ ok: true, accounts: [{ expiresAt: "2025-01-01T00:00:00.000Z" }] });
    expect(ms).toMatchObject({ ok: true, accounts: [{ expiresAt: "2025-01-01T00:00:00.000Z" }] });
  });

  test("says why nothing could be read", () => {
    expect(parseCredentialsJson("{not json")).toEqual({ ok: false, reason: "invalid_json" });
    expect(parseCredentialsJson('{"accessToken":"only"}')).toEqual({ ok: false, reason: "no_accounts" });
    expect(parseCredentialsJson("[]")).toEqual({ ok: false, reason: "no_accounts" });
    expect(parseCredentialsJson("42")).toEqual({ ok: false, reason: "no_accounts" });
  });
});

test("normalizeAuthMethod maps the spellings other tools use", () => {
  expect(normalizeAuthMethod("social", true)).toBe("social");
  expect(normalizeAuthMethod("IdC", false)).toBe("IdC");
  expect(normalizeAuthMethod("idc", false)).toBe("IdC");
  expect(normalizeAuthMethod("builder-id", false)).toBe("IdC");
  expect(normalizeAuthMethod("IAM Identity Center", false)).toBe("IdC");
  expect(normalizeAuthMethod(undefined, true)).toBe("IdC");
  expect(normalizeAuthMethod(undefined, false)).toBe("social");
});

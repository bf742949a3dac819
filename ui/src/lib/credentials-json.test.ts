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

  test("a kiro-rs API-key credential becomes an API-key request, alone or in a list", () => {
    expect(parseCredentialsJson('{"kiroApiKey":"ksk_abc","authMethod":"api_key"}')).toEqual({ ok: true, accounts: [{ name: "", kiroApiKey: "ksk_abc", authMethod: "api_key" }] });
    const list = parseCredentialsJson(
      JSON.stringify([
        { name: "work", kiroApiKey: " ksk_1 ", authMethod: "api_key", region: "us-east-1", expiresAt: "2030-01-01T00:00:00Z" },
        { name: "b", refreshToken: "r2", kiroApiKey: "ksk_2" },
        { kiroApiKey: "ksk_3" },
      ]),
    );
    // As in kiro-rs: a refresh token wins when no method is stated; a lone key means an API-key account.
    expect(list).toEqual({
      ok: true,
      accounts: [
        { name: "work", kiroApiKey: "ksk_1", authMethod: "api_key" },
        { name: "b", refreshToken: "r2", authMethod: "social" },
        { name: "account-3", kiroApiKey: "ksk_3", authMethod: "api_key" },
      ],
    });
  });

  test("an item that says api_key but has no key is named, not skipped", () => {
    expect(parseCredentialsJson('{"authMethod":"api_key","refreshToken":"rt"}')).toEqual({ ok: false, reason: "no_api_key", items: [1] });
    const list = parseCredentialsJson(JSON.stringify([{ name: "a", refreshToken: "r1" }, { name: "k", authMethod: "API key", kiroApiKey: "  " }, { name: "b" }, { authMethod: "apiKey" }]));
    expect(list).toEqual({ ok: false, reason: "no_api_key", items: [2, 4] });
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
  expect(normalizeAuthMethod("api_key", true)).toBe("api_key");
  expect(normalizeAuthMethod("apiKey", false)).toBe("api_key");
  expect(normalizeAuthMethod(undefined, true)).toBe("IdC");
  expect(normalizeAuthMethod(undefined, false)).toBe("social");
});

import { describe, expect, test } from "bun:test";
import type { AccountInfo } from "../api/types";
import { type AccountsMeta, emptyAccountsMeta } from "../state/accounts-meta";
import { parseCredentialsJson } from "./credentials-json";
import { basicRecord, exportFileName, pickFields, toCsv, toJson, withMeta } from "./export";

const info: AccountInfo = {
  name: "alice",
  healthy: true,
  request_count: 7,
  failure_count: 1,
  in_pool: true,
  provider: "Google",
  auth_method: "social",
  region: "us-east-1",
  state: "healthy",
  email: "alice@example.com",
};

const meta: AccountsMeta = {
  ...emptyAccountsMeta(),
  groups: [{ id: "g", name: "Team, A", order: 0, createdAt: 0 }],
  tags: [
    { id: "t1", name: "paid", color: "#000" },
    { id: "t2", name: "eu", color: "#000" },
  ],
  metaByName: { alice: { groupId: "g", tagIds: ["t1", "t2"], notes: 'says "hi"\nsecond line' } },
};

describe("export records", () => {
  test("basic carries the seed's fields in its order and no secrets", () => {
    const record = pickFields(basicRecord(info), "basic");
    expect(Object.keys(record)).toEqual(["name", "healthy", "requestCount", "failureCount", "inPool", "provider", "authMethod", "region"]);
    expect(record).toMatchObject({ name: "alice", requestCount: 7, failureCount: 1, inPool: true });
  });

  test("basic drops secrets even when the source has them; full keeps them", () => {
    const source = { name: "bob", healthy: false, requestCount: 0, failureCount: 3, inPool: false, refreshToken: "r-secret", clientSecret: "c-secret", expiresAt: "2030-01-01T00:00:00Z" };
    expect(JSON.stringify(pickFields(source, "basic"))).not.toContain("secret");
    expect(pickFields(source, "full")).toMatchObject({ refreshToken: "r-secret", clientSecret: "c-secret", expiresAt: "2030-01-01T00:00:00Z" });
  });

  test("JSON with labels adds _meta with names, not ids", () => {
    const [record] = JSON.parse(toJson(withMeta([pickFields(basicRecord(info), "basic")], meta)));
    expect(record._meta).toEqual({ group: "Team, A", tags: ["paid", "eu"], notes: 'says "hi"\nsecond line' });
  });

  test("an API-key account's full export keeps its key, and pasting it back reads the same account", () => {
    const source = { name: "work", healthy: true, requestCount: 0, failureCount: 0, inPool: true, authMethod: "api_key", kiroApiKey: "ksk_secret" };
    expect(JSON.stringify(pickFields(source, "basic"))).not.toContain("ksk_");
    const record = pickFields(source, "full");
    expect(record.kiroApiKey).toBe("ksk_secret");
    expect(parseCredentialsJson(toJson([record]))).toEqual({ ok: true, accounts: [{ name: "work", kiroApiKey: "ksk_secret", authMethod: "api_key" }] });
  });
});

describe("toCsv", () => {
  test("quotes what needs quoting, joins tags with ';', ends lines with CRLF", () => {
    const csv = toCsv(withMeta([pickFields(basicRecord(info), "basic")], meta), "basic", true);
    const [header, row, end] = csv.split("\r\n");
    expect(header).toBe("name,healthy,requestCount,failureCount,inPool,provider,authMethod,profileArn,region,group,tags,notes");
    expect(row).toBe('alice,true,7,1,true,Google,social,,us-east-1,"Team, A",paid;eu,"says ""hi""\nsecond line"');
    expect(end).toBe("");
  });

  test("full adds the secret columns after the basic ones", () => {
    const csv = toCsv([pickFields({ name: "x", refreshToken: "rt" }, "full")], "full", false);
    expect(csv.split("\r\n")[0]).toBe("name,healthy,requestCount,failureCount,inPool,provider,authMethod,profileArn,region,accessToken,refreshToken,csrfToken,clientId,clientSecret,expiresAt,kiroApiKey");
    expect(csv.split("\r\n")[1]).toBe("x,,,,,,,,,,rt,,,,,");
  });
});

test("file names follow the seed: kiro-accounts-{scope}-{date}.{format}", () => {
  expect(exportFileName("full", "csv", new Date(2025, 0, 9, 23, 59))).toBe("kiro-accounts-full-2025-01-09.csv");
  expect(exportFileName("basic", "json", new Date(2024, 11, 31))).toBe("kiro-accounts-basic-2024-12-31.json");
});

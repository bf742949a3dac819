/**
 * The admin API's shapes (admin/model.ts) and the status of each failure (admin/routes.ts): OpenAPI documents what
 * every route answers, the response schemas drop nothing the service returns, and a failure keeps the seed's status.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { accountInfo } from "../admin/accounts";
import { throttled } from "../simulator/replies";
import { post, startGateway, type Gateway } from "./harness";

let g: Gateway;
beforeAll(async () => {
  g = await startGateway({
    accounts: [
      { name: "alice", authMethod: "social", email: "alice@example.com", usageLimit: 50, currentUsage: 10, subscriptionTitle: "KIRO PRO" },
      { name: "bob", authMethod: "idc" },
      { name: "carol", authMethod: "api_key" },
    ],
    // A request that every account throttles is answered at once, not after waiting for one to come back.
    config: { queueWaitSecs: 0 },
  });
});
afterAll(() => g.stop());

const admin = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(g.url + path, {
    method,
    headers: { "content-type": "application/json", "x-api-key": g.adminKey },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as any };
};

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; const?: unknown };
type Operation = { responses: Record<string, { description?: string; content: { "application/json": { schema: Schema } } }> };

describe("OpenAPI", () => {
  // Each route, and a field of its data that only its own schema has.
  const ROUTES = [
    ["get", "/admin/pool/status", "requests_per_minute"],
    ["get", "/admin/accounts", "request_count"],
    ["post", "/admin/accounts", "in_pool"],
    ["post", "/admin/accounts/refresh", "message"],
    ["post", "/admin/accounts/check", "usagePercent"],
    ["post", "/admin/accounts/batch-check", "success_count"],
    ["post", "/admin/accounts/import-sso", "account"],
    ["post", "/admin/accounts/credentials", "refreshToken"],
    ["post", "/admin/reload", "updated"],
    ["get", "/admin/config", "failureCooldownSecs"],
  ] as const;

  test("/swagger/json documents what every admin route answers: the envelope with its data, and the refusals", async () => {
    const spec = (await (await fetch(g.url + "/swagger/json")).json()) as { paths: Record<string, Record<string, Operation>> };
    for (const [method, path, field] of ROUTES) {
      const { responses } = spec.paths[path]![method]!;
      const ok = responses["200"]!.content["application/json"].schema;
      expect(ok.properties!.success!.const).toBe(true);
      const data = ok.properties!.data!;
      expect(Object.keys((data.items ?? data).properties!)).toContain(field);
      expect(responses["200"]!.description).toContain("{success: false, error}");
      const refusals = path === "/admin/reload" || method === "get" ? ["401", "429"] : ["400", "401", "413", "429"];
      for (const status of refusals) {
        expect(responses[status]!.content["application/json"].schema.properties!.error!.type).toBe("string");
      }
    }
    const remove = spec.paths["/admin/accounts/remove"]!.post!.responses["200"]!.content["application/json"].schema;
    expect(remove.properties!.data!.type).toBe("null");
  });
});

describe("answers", () => {
  test("the response schemas drop nothing: each account is what the service shows, every optional field included", async () => {
    // Give the accounts every optional field: usage from a check; a use, and a rest with its reason, from a 429 each.
    await admin("POST", "/admin/accounts/batch-check", {});
    for (const name of ["alice", "bob", "carol"]) g.sim.enqueueFor(name, throttled(60));
    await post(g, "/v1/messages", { model: "claude-sonnet-4-6", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    const shown = JSON.parse(JSON.stringify(g.services.pool.accounts.map(accountInfo)));
    const alice = shown.find((a: { name: string }) => a.name === "alice");
    expect(Object.keys(alice)).toEqual(expect.arrayContaining(["email", "state_reason", "available_at", "usage", "last_used_at", "expires_at", "profile_arn"]));
    expect(Object.keys(alice.usage)).toEqual(expect.arrayContaining(["subscription", "nextResetDate", "checkedAt"]));

    expect((await admin("GET", "/admin/accounts")).json.data).toEqual(shown);
    expect((await admin("GET", "/admin/pool/status")).json.data.accounts).toEqual(shown);
  });

  test("the batch check's NDJSON lines are not the envelope and pass untouched", async () => {
    const res = await fetch(g.url + "/admin/accounts/batch-check", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": g.adminKey, accept: "application/x-ndjson" },
      body: JSON.stringify({ names: ["bob", "ghost"] }),
    });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ type: "done", success_count: 1, failed_count: 1 });
  });

  test("a credentials export keeps every field the file gives it", async () => {
    const { json } = await admin("POST", "/admin/accounts/credentials", { names: ["bob", "carol"] });
    const [bob, carol] = json.data;
    expect(Object.keys(bob)).toEqual(expect.arrayContaining(["authMethod", "refreshToken", "accessToken", "clientId", "clientSecret", "expiresAt"]));
    expect(carol).toMatchObject({ name: "carol", authMethod: "api_key", kiroApiKey: g.sim.account("carol")!.apiKey });
  });
});

describe("failure statuses", () => {
  test("what the service decides is HTTP 200 {success:false}: a refresh that Kiro refuses, an API key to refresh", async () => {
    g.sim.account("bob")!.revoke();
    const refused = await admin("POST", "/admin/accounts/refresh", { name: "bob" });
    expect(refused.status).toBe(200);
    expect(refused.json).toEqual({ success: false, error: expect.stringMatching(/^token refresh failed: /) });
    const keyed = await admin("POST", "/admin/accounts/refresh", { name: "carol" });
    expect(keyed).toEqual({ status: 200, json: { success: false, error: "account carol signs in with an API key: there is no token to refresh" } });
  });

  test("a body past 32 MiB is a 413 in the envelope", async () => {
    const res = await fetch(g.url + "/admin/accounts/check", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": g.adminKey },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 40; i++) controller.enqueue(new Uint8Array(1024 * 1024).fill(32));
          controller.close();
        },
      }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ success: false, error: expect.stringContaining("32 MiB") });
  });
});

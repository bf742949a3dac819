/**
 * Client keys, usage and the request log through HTTP, on both record stores: keys made, used, limited, changed
 * and deleted through the admin API; every request in the log and in usage; all of it surviving a restart.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { text } from "../simulator/replies";
import { testBackends, type TestDatabase } from "../records/test-backends";
import { post, startGateway, type Gateway } from "./harness";

const ask = (model = "claude-sonnet-4-5", extra: Record<string, unknown> = {}) => ({ model, max_tokens: 64, messages: [{ role: "user", content: "hi" }], ...extra });

async function admin(g: Gateway, method: "GET" | "POST", path: string, body?: unknown) {
  const res = await fetch(g.url + path, {
    method,
    headers: { "x-api-key": g.adminKey, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as { success: boolean; data?: any; error?: string } };
}

for (const { backend, make } of await testBackends()) {
  describe(`client keys and records on ${backend}`, () => {
    let db: TestDatabase;
    let g: Gateway;
    let alice: { id: string; key: string };

    beforeAll(async () => {
      db = await make();
      g = await startGateway({ config: { database: db.database }, accounts: [{ name: "acc-a", authMethod: "social" }] });
    });
    afterAll(async () => {
      await g.services.records.close();
      await g.stop();
      await db.drop();
    });

    test("a made key is shown once, works as x-api-key and as Bearer, and is listed without its secret", async () => {
      const made = await admin(g, "POST", "/admin/keys", { name: "alice", models: ["claude-sonnet-4-5*"], limits: { requestsPerMinute: 3 } });
      expect(made.status).toBe(200);
      expect(made.json.data).toMatchObject({ name: "alice", disabled: false, models: ["claude-sonnet-4-5*"], limits: { requestsPerMinute: 3 } });
      alice = { id: made.json.data.id, key: made.json.data.key };
      expect(alice.key).toStartWith(made.json.data.prefix);

      g.sim.enqueue(text("one", { credits: 0.5 }), text("two", { credits: 0.25 }));
      expect((await post(g, "/v1/messages", ask(), { "x-api-key": alice.key, "x-claude-code-session-id": "sess-1" })).status).toBe(200);
      const bearer = await fetch(`${g.url}/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/json" },
        body: JSON.stringify(ask("claude-sonnet-4-5-20250929", { stream: true })),
      });
      expect(bearer.status).toBe(200);
      expect(await bearer.text()).toContain("message_stop");

      const listed = await admin(g, "GET", "/admin/keys");
      expect(JSON.stringify(listed.json)).not.toContain(alice.key);
      const names = listed.json.data.map((k: { name: string }) => k.name);
      expect(names).toEqual(["default", "alice"]);
      const info = listed.json.data.find((k: { name: string }) => k.name === "alice");
      expect(info.usage.day).toMatchObject({ requests: 2 });
      expect(info.usage.month.credits).toBeCloseTo(0.75);
      expect(info.lastUsedAt).not.toBeNull();
    });

    test("a model the key may not use is 403 naming it; a limit reached is 429 with Retry-After", async () => {
      const denied = await post(g, "/v1/messages", ask("claude-haiku-4-5"), { "x-api-key": alice.key });
      expect(denied.status).toBe(403);
      expect(denied.json).toEqual({ type: "error", error: { type: "permission_error", message: expect.stringContaining("claude-haiku-4-5") } });
      // Three requests a minute: two answered, one refused by the model rule; the fourth is over.
      const limited = await post(g, "/v1/messages", ask(), { "x-api-key": alice.key });
      expect(limited.status).toBe(429);
      expect(limited.json.error.type).toBe("rate_limit_error");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      // The limit is the key's: config's key goes on, reported as `default`.
      g.sim.enqueue(text("three"));
      expect((await post(g, "/v1/messages", ask())).status).toBe(200);
    });

    test("disabled, expired and unknown keys are 401; a change takes effect on the next request", async () => {
      await admin(g, "POST", "/admin/keys/update", { id: alice.id, disabled: true, limits: {} });
      const disabled = await post(g, "/v1/messages", ask(), { "x-api-key": alice.key });
      expect(disabled.status).toBe(401);
      expect(disabled.json.error).toEqual({ type: "authentication_error", message: expect.stringContaining("disabled") });
      await admin(g, "POST", "/admin/keys/update", { id: alice.id, disabled: false, expiresAt: "2020-01-01T00:00:00Z" });
      expect((await post(g, "/v1/messages", ask(), { "x-api-key": alice.key })).json.error.message).toContain("expired");
      const back = await admin(g, "POST", "/admin/keys/update", { id: alice.id, expiresAt: null });
      expect(back.json.data).toMatchObject({ expiresAt: null, limits: {} });
      expect((await post(g, "/v1/models", undefined, { "x-api-key": alice.key })).status).not.toBe(401);
      expect((await post(g, "/v1/messages", ask(), { "x-api-key": `${alice.key}x` })).status).toBe(401);
      const taken = await admin(g, "POST", "/admin/keys", { name: "alice" });
      expect(taken.json).toEqual({ success: false, error: 'an API key named "alice" already exists' });
      expect((await admin(g, "POST", "/admin/keys/delete", { id: "default" })).json.success).toBe(false);
    });

    test("the request log: newest first, filtered, with attempts, credits, tokens, session and refusals (401s aside)", async () => {
      const page = await admin(g, "GET", `/admin/requests?key=${alice.id}&limit=3`);
      const items = page.json.data.items;
      // Newest first: the POST to /v1/models (404), the request over the limit (429), the model refused (403).
      expect(items.map((r: { status: number }) => r.status)).toEqual([404, 429, 403]);
      const answered = (await admin(g, "GET", `/admin/requests?key=${alice.id}&status=200`)).json.data.items;
      expect(answered.map((r: { stream: boolean }) => r.stream)).toEqual([true, false]);
      const first = answered[1];
      expect(first).toMatchObject({
        key: "alice", keyId: alice.id, account: "acc-a", route: "/v1/messages", model: "claude-sonnet-4-5", stream: false, status: 200,
        errorType: null, session: "sess-1", attempts: [{ account: "acc-a", outcome: "ok" }],
      });
      expect(first.credits).toBeCloseTo(0.5);
      expect(first.kiroModel).toBeString();
      expect(first.inputTokens).toBeGreaterThan(0);
      expect(first.outputTokens).toBeGreaterThan(0);
      expect(first.firstByteMs).toBeGreaterThanOrEqual(0);
      expect(first.durationMs).toBeGreaterThanOrEqual(first.firstByteMs);
      const refused = (await admin(g, "GET", `/admin/requests?key=${alice.id}&status=429`)).json.data.items;
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ errorType: "rate_limited", attempts: [] });
      expect((await admin(g, "GET", `/admin/requests?key=${alice.id}&status=403`)).json.data.items[0]).toMatchObject({ model: "claude-haiku-4-5", errorType: "permission" });
      expect((await admin(g, "GET", `/admin/requests?key=${alice.id}&status=401`)).json.data.items).toEqual([]);
      const defaults = (await admin(g, "GET", "/admin/requests?key=default")).json.data.items;
      expect(defaults[0]).toMatchObject({ key: "default", status: 200 });

      const one = await admin(g, "GET", `/admin/requests?key=${alice.id}&limit=1`);
      const older = await admin(g, "GET", `/admin/requests?key=${alice.id}&limit=1&before=${one.json.data.next}`);
      expect(older.json.data.items[0].id).toBeLessThan(one.json.data.items[0].id);

      // A page size, status or id out of range is refused naming the parameter (a fraction was a 500 once).
      for (const [query, message] of [
        ["limit=1.5", '"limit" must be a whole number from 1 to 500, got 1.5'],
        ["limit=0", '"limit" must be a whole number from 1 to 500, got 0'],
        ["status=99", '"status" must be a whole number from 100 to 999, got 99'],
        ["before=-1", '"before" must be a whole number 1 or more, got -1'],
      ]) {
        expect((await admin(g, "GET", `/admin/requests?${query}`)).json).toEqual({ success: false, error: message });
      }
      expect(await admin(g, "GET", "/admin/requests?limit=many")).toMatchObject({ status: 400, json: { success: false, error: expect.stringContaining("limit:") } });
    });

    test("usage by key, model and account, per hour, with totals", async () => {
      const byKey = (await admin(g, "GET", "/admin/usage?by=key&bucket=hour")).json.data;
      const total = byKey.totals.find((t: { key: string }) => t.key === "alice");
      expect(total).toMatchObject({ requests: 5, errors: 3 });
      expect(total.credits).toBeCloseTo(0.75);
      const series = byKey.series.find((s: { key: string }) => s.key === "alice");
      expect(series.points.reduce((n: number, p: { requests: number }) => n + p.requests, 0)).toBe(total.requests);
      // The last 7 days by default: the hours it starts and ends in are both there, in part.
      expect(series.points).toHaveLength(7 * 24 + 1);
      const byModel = (await admin(g, "GET", "/admin/usage?by=model&bucket=day")).json.data;
      expect(byModel.totals.map((t: { key: string }) => t.key)).toContain("claude-sonnet-4-5-20250929");
      const byAccount = (await admin(g, "GET", "/admin/usage?by=account&bucket=day")).json.data;
      // Three answered by the account; the refusals no account saw are "(none)".
      expect(byAccount.totals.find((t: { key: string }) => t.key === "acc-a").requests).toBe(3);
      expect(byAccount.totals.find((t: { key: string }) => t.key === "(none)").errors).toBeGreaterThanOrEqual(3);
      expect((await admin(g, "GET", "/admin/usage?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")).json.success).toBe(false);
    });

    test("after a restart keys and usage are still there, and a deleted key is refused at once", async () => {
      await g.services.records.close();
      await g.stop();
      g = await startGateway({ config: { database: db.database }, accounts: [{ name: "acc-a", authMethod: "social" }] });
      g.sim.enqueue(text("again"));
      expect((await post(g, "/v1/messages", ask(), { "x-api-key": alice.key })).status).toBe(200);
      const info = (await admin(g, "GET", "/admin/keys")).json.data.find((k: { name: string }) => k.name === "alice");
      expect(info.usage.day.requests).toBe(6);
      expect(info.usage.month.credits).toBeGreaterThan(0.75);
      expect((await admin(g, "POST", "/admin/keys/delete", { id: alice.id })).json).toEqual({ success: true, data: null });
      expect((await post(g, "/v1/messages", ask(), { "x-api-key": alice.key })).status).toBe(401);
      expect((await admin(g, "GET", "/admin/keys")).json.data.map((k: { name: string }) => k.name)).toEqual(["default"]);
      // Its usage stays, under the name it had.
      expect((await admin(g, "GET", "/admin/usage?by=key")).json.data.totals.map((t: { key: string }) => t.key)).toContain("alice");
    });

    test("admin endpoints take the admin key only", async () => {
      for (const path of ["/admin/keys", "/admin/usage", "/admin/requests"]) {
        const res = await fetch(g.url + path, { headers: { "x-api-key": g.apiKey } });
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ success: false });
      }
    });
  });
}

/**
 * The admin API endpoint by endpoint, with the seed's shapes, through real HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { suspended, throttled } from "../simulator/replies";
import { post, startGateway, type Gateway } from "./harness";

let g: Gateway;
beforeAll(async () => {
  g = await startGateway({
    accounts: [
      { name: "alice", authMethod: "social", email: "alice@example.com", usageLimit: 50, currentUsage: 10, subscriptionTitle: "KIRO PRO" },
      { name: "bob", authMethod: "idc", usageLimit: 100, currentUsage: 100 },
    ],
    // A request finding every account resting is refused at once rather than waiting for one.
    config: { queueWaitSecs: 0 },
  });
});
afterAll(() => g.stop());

const admin = async (method: string, path: string, body?: unknown, key?: string, headers: Record<string, string> = {}) => {
  const res = await fetch(g.url + path, {
    method,
    headers: { "content-type": "application/json", "x-api-key": key ?? g.adminKey, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: (() => { try { return JSON.parse(text); } catch { return undefined; } })() as any };
};

const ACCOUNT_INFO = {
  name: expect.any(String),
  healthy: expect.any(Boolean),
  request_count: expect.any(Number),
  failure_count: expect.any(Number),
  in_pool: expect.any(Boolean),
  state: expect.stringMatching(/^(healthy|cooling|disabled|suspended)$/),
};

describe("admin API", () => {
  test("a wrong admin key, no key, and the client key all get 401 (adminApiKey is set)", async () => {
    for (const key of ["wrong", "", g.apiKey]) {
      const res = await admin("GET", "/admin/accounts", undefined, key);
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ success: false, error: expect.stringContaining("invalid admin API key") });
    }
    const bearer = await fetch(g.url + "/admin/accounts", { headers: { authorization: `Bearer ${g.adminKey}` } });
    expect(bearer.status).toBe(200);
  });

  test("GET /admin/pool/status", async () => {
    await post(g, "/v1/messages", { model: "claude-sonnet-4-6", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    const res = await admin("GET", "/admin/pool/status");
    expect(res.status).toBe(200);
    expect(res.json.success).toBe(true);
    const d = res.json.data;
    expect(d).toMatchObject({ total_accounts: 2, healthy_accounts: 2, cooling_accounts: 0, disabled_accounts: 0, suspended_accounts: 0, total_requests: 1 });
    expect(d.requests_per_minute).toHaveLength(60);
    expect(d.requests_per_minute.at(-1).count).toBe(1);
    expect(d.accounts[0]).toMatchObject(ACCOUNT_INFO);
    expect(d.accounts[0]).toMatchObject({ name: "alice", auth_method: "social", profile_arn: expect.stringMatching(/^arn:aws:codewhisperer:/) });
  });

  test("GET /admin/accounts never shows a token", async () => {
    const res = await admin("GET", "/admin/accounts");
    expect(res.json.data.map((a: { name: string }) => a.name)).toEqual(["alice", "bob"]);
    for (const name of ["alice", "bob"]) {
      const s = g.sim.account(name)!;
      expect(res.text).not.toContain(s.refreshToken);
      for (const t of s.accessTokens.keys()) expect(res.text).not.toContain(t);
    }
  });

  test("check: quota from getUsageLimits; a used-up account rests until its reset date", async () => {
    const used = g.sim.account("alice")!.currentUsage;
    const alice = await admin("POST", "/admin/accounts/check", { name: "alice" });
    expect(alice.json).toEqual({
      success: true,
      data: { name: "alice", healthy: true, subscription: "KIRO PRO", currentUsage: used, usageLimit: 50, usagePercent: (used / 50) * 100, nextResetDate: expect.any(Number) },
    });
    const bob = await admin("POST", "/admin/accounts/check", { name: "bob" });
    expect(bob.json.data).toMatchObject({ name: "bob", healthy: false, currentUsage: 100, usageLimit: 100, usagePercent: 100 });
    const info = (await admin("GET", "/admin/accounts")).json.data.find((a: { name: string }) => a.name === "bob");
    expect(info).toMatchObject({ state: "disabled", state_reason: expect.stringContaining("quota"), available_at: expect.any(String) });
    expect(info.usage).toMatchObject({ currentUsage: 100, usageLimit: 100 });
    // Quota back (reset early): the next check ends the rest.
    g.sim.account("bob")!.currentUsage = 0;
    expect((await admin("POST", "/admin/accounts/check", { name: "bob" })).json.data.healthy).toBe(true);
  });

  test("check of an unknown account: success false naming it", async () => {
    const res = await admin("POST", "/admin/accounts/check", { name: "nobody" });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ success: false, error: "account not found: nobody" });
  });

  test("batch-check: JSON summary, and NDJSON progress to 100 %", async () => {
    const whole = await admin("POST", "/admin/accounts/batch-check", { names: ["alice", "bob", "ghost"] });
    expect(whole.json.data.success_count).toBe(2);
    expect(whole.json.data.failed_count).toBe(1);
    expect(whole.json.data.results.find((r: { name: string }) => r.name === "ghost")).toMatchObject({ healthy: false, error: "account not found" });

    const streamed = await admin("POST", "/admin/accounts/batch-check", {}, undefined, { accept: "application/x-ndjson" });
    expect(streamed.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = streamed.text.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["progress", "progress", "done"]);
    expect(lines.slice(0, 2).map((l) => [l.done, l.total])).toEqual([[1, 2], [2, 2]]);
    expect(lines[2]).toMatchObject({ success_count: 2, failed_count: 0 });
  });

  test("add: writes the file, refreshes the token, refuses duplicates", async () => {
    const newcomer = g.sim.addAccount({ name: "carol", authMethod: "social" });
    const res = await admin("POST", "/admin/accounts", { name: "carol", refreshToken: newcomer.refreshToken, provider: "Github" });
    expect(res.json.success).toBe(true);
    expect(res.json.data).toMatchObject({ ...ACCOUNT_INFO, name: "carol", in_pool: true, auth_method: "social", provider: "Github", state: "healthy" });
    const file = JSON.parse(await Bun.file(g.credentialFile("carol")).text());
    expect(file.refreshToken).toBe(newcomer.refreshToken);
    expect(file.accessToken).toBeString();

    expect((await admin("POST", "/admin/accounts", { name: "carol", refreshToken: "x".repeat(120) })).json).toEqual({
      success: false,
      error: 'an account named "carol" already exists',
    });
    expect((await admin("POST", "/admin/accounts", { name: "carol2", refreshToken: newcomer.refreshToken })).json.error).toBe(
      "an account with this refresh token already exists",
    );
    const dead = await admin("POST", "/admin/accounts", { name: "dead", refreshToken: "d".repeat(120) });
    expect(dead.status).toBe(200);
    expect(dead.json.success).toBe(false);
    expect(dead.json.error).toContain("the credential does not work");
    expect(await readdir(g.dir)).not.toContain("dead.json");
    expect((await admin("POST", "/admin/accounts", { name: "../evil", refreshToken: "e".repeat(120) })).json.success).toBe(false);
  });

  test("add an API-key account: proven by a quota check, written in the kiro-rs shape, duplicates refused", async () => {
    const keyed = g.sim.addAccount({ name: "dana", authMethod: "api_key" });
    const res = await admin("POST", "/admin/accounts", { name: "dana", kiroApiKey: keyed.apiKey });
    expect(res.json.data).toMatchObject({ ...ACCOUNT_INFO, name: "dana", in_pool: true, auth_method: "api_key", state: "healthy" });
    expect(JSON.parse(await Bun.file(g.credentialFile("dana")).text())).toEqual({ kiroApiKey: keyed.apiKey, authMethod: "api_key" });
    expect(g.sim.requests.at(-1)).toMatchObject({ path: "/getUsageLimits", status: 200, account: "dana" });
    expect(res.text).not.toContain(keyed.apiKey!);

    expect((await admin("POST", "/admin/accounts", { name: "dana2", kiroApiKey: keyed.apiKey })).json.error).toBe("an account with this API key already exists");
    const bogus = await admin("POST", "/admin/accounts", { name: "bogus", kiroApiKey: "ksk_not-a-key" });
    expect(bogus.json.error).toContain("the credential does not work");
    expect(await readdir(g.dir)).not.toContain("bogus.json");
    expect((await admin("POST", "/admin/accounts", { name: "neither" })).json.error).toBe("refreshToken is required (or kiroApiKey, for an API-key account)");
    expect((await admin("POST", "/admin/accounts", { name: "half", authMethod: "api_key" })).json.error).toBe("kiroApiKey is required for an API-key account");
    await admin("POST", "/admin/accounts/remove", { name: "dana", delete_file: true });
  });

  test("refresh (forced) and reset", async () => {
    const before = g.sim.account("alice")!.refreshCount;
    expect((await admin("POST", "/admin/accounts/refresh", { name: "alice" })).json).toEqual({ success: true, data: { success: true, message: "token refreshed" } });
    expect(g.sim.account("alice")!.refreshCount).toBe(before + 1);

    g.sim.enqueueFor("alice", throttled(60));
    g.sim.enqueueFor("bob", throttled(60));
    g.sim.enqueueFor("carol", throttled(60));
    await post(g, "/v1/messages", { model: "claude-sonnet-4-6", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    expect(g.services.pool.get("alice")!.state.kind).toBe("cooling");
    expect((await admin("POST", "/admin/accounts/reset", { name: "alice" })).json).toEqual({ success: true, data: null });
    expect(g.services.pool.get("alice")!.state.kind).toBe("healthy");
  });

  test("a suspended account is state suspended with its own count, not disabled; only a reset brings it back", async () => {
    const names = (await admin("GET", "/admin/accounts")).json.data.map((a: { name: string }) => a.name) as string[];
    for (const name of names) await admin("POST", "/admin/accounts/reset", { name });
    const first = g.services.pool.select()!.name;
    g.sim.enqueueFor(first, suspended());
    expect((await post(g, "/v1/messages", { model: "claude-sonnet-4-6", max_tokens: 10, messages: [{ role: "user", content: "x" }] })).status).toBe(200);
    const info = (await admin("GET", "/admin/accounts")).json.data.find((a: { name: string }) => a.name === first);
    expect(info).toMatchObject({ ...ACCOUNT_INFO, healthy: false, state: "suspended", state_reason: expect.stringContaining("suspended") });
    expect(info).not.toHaveProperty("available_at");
    const status = (await admin("GET", "/admin/pool/status")).json.data;
    expect(status).toMatchObject({ suspended_accounts: 1, disabled_accounts: 0, healthy_accounts: names.length - 1 });
    expect((await admin("POST", "/admin/accounts/reset", { name: first })).json).toEqual({ success: true, data: null });
    expect((await admin("GET", "/admin/pool/status")).json.data).toMatchObject({ suspended_accounts: 0, healthy_accounts: names.length });
  });

  test("credentials export holds the secrets; it is logged without them", async () => {
    const res = await admin("POST", "/admin/accounts/credentials", { names: ["alice"] });
    expect(res.json.data).toEqual([
      expect.objectContaining({ name: "alice", inPool: true, authMethod: "social", refreshToken: g.sim.account("alice")!.refreshToken, accessToken: expect.any(String) }),
    ]);
    const logged = g.logLines.find((l) => l.includes("credentials exported"));
    expect(logged).toContain("accounts=alice");
    expect(logged).not.toContain(g.sim.account("alice")!.refreshToken);
  });

  test("config: the settings without secrets", async () => {
    const res = await admin("GET", "/admin/config");
    expect(res.json.data).toEqual({ host: "127.0.0.1", port: 0, region: "us-east-1", kiroVersion: "0.8.0", credentialsDir: g.dir, failureCooldownSecs: 30, maxFailures: 5 });
    expect(res.text).not.toContain(g.apiKey);
    expect(res.text).not.toContain(g.adminKey);
  });

  test("import-sso: the seven steps against the simulator give a working IdC account", async () => {
    const ssoToken = g.sim.createSsoToken("dave@example.com");
    const res = await admin("POST", "/admin/accounts/import-sso", { name: "dave", ssoToken });
    expect(res.json.success).toBe(true);
    expect(res.json.data.account).toMatchObject({ name: "dave", auth_method: "IdC", provider: "BuilderId", state: "healthy" });
    expect(res.json.data).toMatchObject({ currentUsage: expect.any(Number), usageLimit: expect.any(Number) });
    const file = JSON.parse(await Bun.file(g.credentialFile("dave")).text());
    expect(file).toMatchObject({ authMethod: "IdC", clientId: expect.any(String), clientSecret: expect.any(String), refreshToken: expect.any(String) });

    const bad = await admin("POST", "/admin/accounts/import-sso", { name: "eve", ssoToken: "not-a-real-sso-token" });
    expect(bad.json.success).toBe(false);
    expect(bad.json.error).toContain('step "3 validate SSO token"');
  }, 20_000);

  test("remove, with its file", async () => {
    expect((await admin("POST", "/admin/accounts/remove", { name: "carol", delete_file: true })).json).toEqual({ success: true, data: null });
    expect(await readdir(g.dir)).not.toContain("carol.json");
    expect(g.services.pool.get("carol")).toBeUndefined();
  });

  test("a bad body is a 400 envelope naming the field; OpenAPI lists the admin routes", async () => {
    const res = await admin("POST", "/admin/accounts/check", { nom: "x" });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ success: false, error: "name: field required" });
    const spec = await (await fetch(g.url + "/swagger/json")).json() as { paths: Record<string, unknown> };
    for (const p of ["/admin/pool/status", "/admin/accounts", "/admin/accounts/batch-check", "/admin/accounts/import-sso", "/v1/messages"]) {
      expect(Object.keys(spec.paths)).toContain(p);
    }
  });
});

describe("hostile admin requests", () => {
  test("unknown admin paths and methods: 404 in the envelope", async () => {
    for (const [method, path] of [["PUT", "/admin/accounts"], ["POST", "/admin/pool/status"], ["GET", "/admin/nothing"]] as const) {
      const res = await admin(method, path);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ success: false, error: `no admin endpoint ${method} ${path}` });
    }
  });

  test("a stranger's body is never read: 401 whatever it holds", async () => {
    for (const body of ["{not json", JSON.stringify({ name: 5 }), "[".repeat(100_000)]) {
      const res = await fetch(g.url + "/admin/accounts", { method: "POST", headers: { "x-api-key": "a-stranger" }, body });
      expect(res.status).toBe(401);
    }
  });

  test("bad bodies are 400s naming the problem: not an object, too deep, not JSON, empty", async () => {
    const raw = (path: string, body: string) =>
      fetch(g.url + path, { method: "POST", headers: { "x-api-key": g.adminKey, "content-type": "application/json" }, body }).then(async (r) => ({
        status: r.status,
        text: await r.text(),
      }));
    const notObject = await raw("/admin/accounts/credentials", '"x"');
    expect(notObject.status).toBe(400);
    expect(JSON.parse(notObject.text)).toEqual({ success: false, error: "body: expected object" });
    expect(notObject.text).not.toContain(g.services.pool.accounts[0]!.credential.refreshToken!);
    const deep = await raw("/admin/accounts/check", `{"name":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    expect(deep.status).toBe(400);
    expect(JSON.parse(deep.text).error).toBe("the request body nests arrays and objects deeper than 128 levels");
    expect(JSON.parse((await raw("/admin/accounts/check", "{nope")).text).error).toBe("the request body is not valid JSON");
    expect(JSON.parse((await raw("/admin/accounts/check", "")).text).error).toBe("the request body is empty; send a JSON object");
  });
});

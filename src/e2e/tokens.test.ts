/**
 * The token lifecycle as a user sees it: credential files on disk, refresh before expiry, one refresh for many
 * concurrent requests, rotated refresh tokens written back merged, forced refresh on "bearer token invalid".
 */
import { afterEach, describe, expect, test } from "bun:test";
import { stat } from "node:fs/promises";
import { invalidBearer, text } from "../simulator/replies";
import { post, startGateway, type Gateway } from "./harness";

const hello = { model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "hello" }] };
const expired = { expiresAt: "2020-01-01T00:00:00Z", accessToken: "stale-token-from-last-year", note: "my own key", nested: { keep: [1, 2] } };
const readJson = async (path: string) => JSON.parse(await Bun.file(path).text());

let g: Gateway;
afterEach(() => g.stop());

describe("token refresh", () => {
  test("an expired token is refreshed before use; the file keeps unknown keys, gains the rotated token, stays 0600", async () => {
    g = await startGateway({ credentialExtras: expired });
    const sim = g.sim.account("solo")!;
    const before = sim.refreshToken;
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    expect(sim.refreshCount).toBe(1);

    const file = await readJson(g.credentialFile("solo"));
    expect(file.refreshToken).toBe(sim.refreshToken);
    expect(file.refreshToken).not.toBe(before);
    expect(file.accessToken).not.toBe(expired.accessToken);
    expect(Date.parse(file.expiresAt)).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(file.note).toBe("my own key");
    expect(file.nested).toEqual({ keep: [1, 2] });
    expect(file.machineId).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(g.credentialFile("solo"))).mode & 0o777).toBe(0o600);
    // The chat call used the new token.
    const chat = g.sim.requests.find((r) => r.path.endsWith("/generateAssistantResponse"))!;
    expect(chat.headers.authorization).toBe(`Bearer ${file.accessToken}`);
  });

  test("20 concurrent requests on an expired token: exactly one refresh", async () => {
    g = await startGateway({ credentialExtras: expired });
    const results = await Promise.all(Array.from({ length: 20 }, () => post(g, "/v1/messages", hello)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(g.sim.account("solo")!.refreshCount).toBe(1);
    expect(g.sim.requests.filter((r) => r.path.endsWith("/refreshToken"))).toHaveLength(1);
  });

  test("a token within 10 minutes of expiry is refreshed; a fresh one is not", async () => {
    g = await startGateway({ credentialExtras: { expiresAt: new Date(Date.now() + 5 * 60_000).toISOString() } });
    await post(g, "/v1/messages", hello);
    await post(g, "/v1/messages", hello);
    expect(g.sim.account("solo")!.refreshCount).toBe(1);
  });

  test("Kiro says 'bearer token invalid': one forced refresh, then the request succeeds", async () => {
    g = await startGateway();
    const sim = g.sim.account("solo")!;
    sim.expireAccessTokens();
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    expect(sim.refreshCount).toBe(1);
    const chats = g.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse"));
    expect(chats.map((c) => c.status)).toEqual([403, 200]);
  });

  test("a scripted 403 'bearer invalid' twice on one account: refresh once, then give up on it", async () => {
    g = await startGateway();
    g.sim.enqueue(invalidBearer(), invalidBearer());
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(502);
    expect(res.json.error.message).toContain("refused the access token");
    expect(g.sim.account("solo")!.refreshCount).toBe(1);
  });

  test("IdC accounts refresh through OIDC /token with their client id and secret", async () => {
    g = await startGateway({ accounts: [{ name: "builder", authMethod: "idc" }], credentialExtras: { expiresAt: "2020-01-01T00:00:00Z" } });
    g.sim.enqueue(text("hi from IdC"));
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    const refresh = g.sim.requests.find((r) => r.path.endsWith("/token"))!;
    const account = g.sim.account("builder")!;
    expect(refresh.body).toMatchObject({ grantType: "refresh_token", clientId: account.clientId, clientSecret: account.clientSecret });
    expect(g.sim.requests.some((r) => r.path.endsWith("/refreshToken"))).toBe(false);
    // An IdC account never sends a profile ARN (Kiro answers 403 to it).
    const chat = g.sim.requests.find((r) => r.path.endsWith("/generateAssistantResponse"))!;
    expect((chat.body as Record<string, unknown>).profileArn).toBeUndefined();
    expect((await readJson(g.credentialFile("builder"))).refreshToken).toBe(account.refreshToken);
  });

  test("single-file mode (kiro-rs credentials.json) refreshes and writes back the same file", async () => {
    g = await startGateway({ layout: "file", credentialExtras: expired });
    expect((await post(g, "/v1/messages", hello)).status).toBe(200);
    const file = await readJson(g.credentialFile("solo"));
    expect(file.refreshToken).toBe(g.sim.account("solo")!.refreshToken);
    expect(file.note).toBe("my own key");
  });
});

describe("regions (user-demand §3a item 10: token, profile ARN and hosts must share a region)", () => {
  test("refresh goes to the credential's own region; API calls to its profile ARN's region", async () => {
    g = await startGateway({
      regionInPath: true,
      accounts: [{ name: "eu", authMethod: "social", profileArn: "arn:aws:codewhisperer:eu-central-1:123456789012:profile/ABCDEFGHIJKL" }],
      credentialExtras: { expiresAt: "2020-01-01T00:00:00Z", region: "eu-central-1" },
    });
    expect((await post(g, "/v1/messages", hello)).status).toBe(200);
    const paths = g.sim.requests.map((r) => r.path);
    expect(paths).toEqual(["/auth/eu-central-1/refreshToken", "/q/eu-central-1/generateAssistantResponse"]);
  });

  test("without any, the config's region is used", async () => {
    g = await startGateway({ regionInPath: true, accounts: [{ name: "plain", authMethod: "idc" }], credentialExtras: { expiresAt: "2020-01-01T00:00:00Z", region: undefined } });
    expect((await post(g, "/v1/messages", hello)).status).toBe(200);
    expect(g.sim.requests.map((r) => r.path)).toEqual(["/oidc/us-east-1/token", "/q/us-east-1/generateAssistantResponse"]);
  });
});

describe("API-key credentials (kiro-rs `kiroApiKey`, kiro-protocol.md §1.10)", () => {
  test("the key is the bearer token, marked tokentype: API_KEY; nothing is refreshed and the file is never rewritten", async () => {
    g = await startGateway({ accounts: [{ name: "keyed", authMethod: "api_key" }] });
    const file = g.credentialFile("keyed");
    const before = await Bun.file(file).text();
    const key = g.sim.account("keyed")!.apiKey!;
    expect(JSON.parse(before)).toEqual({ kiroApiKey: key, authMethod: "api_key" });

    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    const check = await fetch(`${g.url}/admin/accounts/check`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": g.adminKey },
      body: JSON.stringify({ name: "keyed" }),
    });
    expect(check.status).toBe(200);
    const refresh = await fetch(`${g.url}/admin/accounts/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": g.adminKey },
      body: JSON.stringify({ name: "keyed" }),
    });
    expect(await refresh.json()).toEqual({ success: false, error: "account keyed signs in with an API key: there is no token to refresh" });
    const exported = await fetch(`${g.url}/admin/accounts/credentials`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": g.adminKey },
      body: "{}",
    });
    expect(((await exported.json()) as { data: Array<Record<string, unknown>> }).data[0]).toMatchObject({ name: "keyed", authMethod: "api_key", kiroApiKey: key });

    const calls = g.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse") || r.path.endsWith("/getUsageLimits"));
    expect(calls.map((r) => [r.status, r.headers.authorization, r.headers.tokentype])).toEqual([
      [200, `Bearer ${key}`, "API_KEY"],
      [200, `Bearer ${key}`, "API_KEY"],
    ]);
    expect(g.sim.requests.some((r) => r.path.endsWith("/refreshToken") || r.path.endsWith("/token"))).toBe(false);
    expect(await Bun.file(file).text()).toBe(before);
    expect(g.logLines.join("\n")).not.toContain(key);
  });

  test("a key replaced in its file is taken on reload", async () => {
    g = await startGateway({ accounts: [{ name: "keyed", authMethod: "api_key" }] });
    const fresh = g.sim.addAccount({ name: "renewed", authMethod: "api_key" }).apiKey!;
    await Bun.write(g.credentialFile("keyed"), JSON.stringify({ kiroApiKey: fresh, authMethod: "api_key" }));
    const reload = await fetch(`${g.url}/admin/reload`, { method: "POST", headers: { "x-api-key": g.adminKey } });
    expect(((await reload.json()) as any).data).toEqual({ added: [], removed: [], updated: ["keyed"] });
    expect((await post(g, "/v1/messages", hello)).status).toBe(200);
    expect(g.sim.requests.findLast((r) => r.path.endsWith("/generateAssistantResponse"))!.headers.authorization).toBe(`Bearer ${fresh}`);
  });

  test("a refused key counts as a failure, and the request moves to another account", async () => {
    g = await startGateway({ accounts: [{ name: "keyed", authMethod: "api_key" }, { name: "other", authMethod: "social" }] });
    g.sim.account("keyed")!.revoke();
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    const chats = g.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse"));
    expect(chats.map((r) => [r.account, r.status])).toEqual([
      ["keyed", 403],
      ["other", 200],
    ]);
    expect(g.services.pool.get("keyed")!.counters.consecutiveFailures).toBe(1);
  });
});

test("kiro-rs's KIRO_API_KEY variable is one more account, with no file: reload keeps it, removing it deletes nothing", async () => {
  g = await startGateway({
    accounts: [{ name: "filed", authMethod: "social" }],
    environment: (sim) => ({ KIRO_API_KEY: sim.addAccount({ name: "from-env", authMethod: "api_key" }).apiKey! }),
  });
  expect(g.services.pool.accounts.map((a) => a.name)).toEqual(["KIRO_API_KEY", "filed"]);
  expect((await post(g, "/v1/messages", hello)).status).toBe(200);
  expect(g.sim.requests.find((r) => r.path.endsWith("/generateAssistantResponse"))!.account).toBe("from-env");

  const admin = (path: string, body: unknown) =>
    fetch(`${g.url}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": g.adminKey }, body: JSON.stringify(body) });
  expect(((await (await admin("/admin/reload", {})).json()) as any).data).toEqual({ added: [], removed: [], updated: [] });
  // The credential files; the pool's state file comes and goes on its own schedule.
  const files = async () => (await Array.fromAsync(new Bun.Glob("*.json").scan({ cwd: g.dir }))).sort();
  const before = await files();
  expect(((await (await admin("/admin/accounts/remove", { name: "KIRO_API_KEY", delete_file: true })).json()) as any).success).toBe(true);
  expect(g.services.pool.accounts.map((a) => a.name)).toEqual(["filed"]);
  expect(await files()).toEqual(before);
});

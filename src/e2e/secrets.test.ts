/**
 * A whole session at debug log level — refreshes, chats, admin calls, an SSO import, a credentials export,
 * failures — and not one token, key or secret in the log.
 */
import { afterAll, expect, test } from "bun:test";
import { invalidBearer, throttled } from "../simulator/replies";
import { post, startGateway, type Gateway } from "./harness";

let g: Gateway;
afterAll(() => g.stop());

test("no token or key ever reaches the log, even at debug level", async () => {
  g = await startGateway({
    logLevel: "debug",
    accounts: [
      { name: "social", authMethod: "social" },
      { name: "idc", authMethod: "idc" },
    ],
    credentialExtras: { expiresAt: "2020-01-01T00:00:00Z" },
  });
  const adminCall = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(g.url + path, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json", "x-api-key": g.adminKey, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).then((r) => r.text());
  const hello = { model: "claude-sonnet-4-6", max_tokens: 32, messages: [{ role: "user", content: "hi" }] };

  await post(g, "/v1/messages", hello);
  await post(g, "/v1/messages", { ...hello, stream: true });
  g.sim.enqueue(invalidBearer(), throttled(5));
  await post(g, "/v1/messages", hello);
  await post(g, "/v1/messages", hello, { "x-api-key": "wrong-key-attempt" });
  await adminCall("/admin/accounts/refresh", { name: "idc" });
  await adminCall("/admin/accounts/batch-check", {});
  const sso = g.sim.createSsoToken("sso@example.com");
  await adminCall("/admin/accounts/import-sso", { name: "imported", ssoToken: sso });
  const fresh = g.sim.addAccount({ name: "added", authMethod: "social" });
  await adminCall("/admin/accounts", { name: "added", refreshToken: fresh.refreshToken });
  await adminCall("/admin/accounts/credentials", {});
  await adminCall("/admin/accounts", undefined, { "x-api-key": g.apiKey });

  const log = g.logLines.join("\n");
  expect(g.logLines.length).toBeGreaterThan(10);
  expect(log).toContain("token refreshed");
  const secrets = [g.apiKey, g.adminKey, sso];
  for (const name of ["social", "idc", "added"]) {
    const a = g.sim.account(name)!;
    secrets.push(a.refreshToken, ...a.accessTokens.keys());
    if (a.clientSecret) secrets.push(a.clientSecret);
  }
  for (const a of g.services.pool.accounts) {
    const c = a.credential;
    for (const v of [c.accessToken, c.refreshToken, c.clientSecret]) if (v) secrets.push(v);
  }
  expect(g.services.pool.get("imported")).toBeDefined();
  for (const secret of secrets) expect(log).not.toContain(secret);
  // Not even a long prefix of one (a truncated token in a message would still leak most of it).
  for (const secret of secrets) expect(log).not.toContain(secret.slice(0, 24));
}, 30_000);

/**
 * Many accounts behind one gateway: traffic spread, failover inside one request, quota rests, dead refresh
 * tokens, and what the client hears when no account can serve.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { internal, quotaExhausted, text, throttled } from "../simulator/replies";
import { post, startGateway, type Gateway } from "./harness";

const hello = { model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "hello" }] };
const three = [
  { name: "a", authMethod: "social" as const },
  { name: "b", authMethod: "social" as const },
  { name: "c", authMethod: "idc" as const },
];
const chatsBy = (g: Gateway) => {
  const counts: Record<string, number> = {};
  for (const r of g.sim.requests) if (r.path.endsWith("/generateAssistantResponse") && r.account) counts[r.account] = (counts[r.account] ?? 0) + 1;
  return counts;
};

let g: Gateway;
afterEach(() => g.stop());

describe("the pool", () => {
  test("traffic is spread over three accounts, sequential and concurrent", async () => {
    g = await startGateway({ accounts: three });
    for (let i = 0; i < 6; i++) expect((await post(g, "/v1/messages", hello)).status).toBe(200);
    expect(chatsBy(g)).toEqual({ a: 2, b: 2, c: 2 });
    g.sim.clearRequests();
    await Promise.all(Array.from({ length: 30 }, () => post(g, "/v1/messages", hello)));
    expect(chatsBy(g)).toEqual({ a: 10, b: 10, c: 10 });
  });

  test("a 429 on one account: the same request succeeds on another, and that account cools down (Retry-After, at most failureCooldownSecs)", async () => {
    g = await startGateway({ accounts: three });
    g.sim.enqueueFor("a", throttled(45));
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    const a = g.services.pool.get("a")!;
    expect(a.state.kind).toBe("cooling");
    // Kiro asked for 45 s; the harness's failureCooldownSecs is 30.
    expect(a.availableAt! - Date.now()).toBeGreaterThan(25_000);
    expect(a.availableAt! - Date.now()).toBeLessThanOrEqual(30_000);
    g.sim.clearRequests();
    for (let i = 0; i < 4; i++) await post(g, "/v1/messages", hello);
    expect(chatsBy(g).a).toBeUndefined();
  });

  test("a 402 leaves the account exhausted until its reset date, and it is skipped", async () => {
    g = await startGateway({ accounts: three });
    g.sim.enqueueFor("b", quotaExhausted());
    for (let i = 0; i < 3; i++) expect((await post(g, "/v1/messages", hello)).status).toBe(200);
    const b = g.services.pool.get("b")!;
    expect(b.state).toMatchObject({ kind: "disabled", why: "quota_exhausted" });
    const firstOfNextMonth = new Date(b.availableAt!);
    expect(firstOfNextMonth.getUTCDate()).toBe(1);
    expect(firstOfNextMonth.getTime()).toBeGreaterThan(Date.now());
    g.sim.clearRequests();
    for (let i = 0; i < 4; i++) await post(g, "/v1/messages", hello);
    expect(chatsBy(g).b).toBeUndefined();
  });

  test("a 402 after a quota check: the account rests until the reset date Kiro reported", async () => {
    const reset = Math.floor(Date.now() / 1000) + 5 * 86400;
    g = await startGateway({ accounts: [{ name: "a", authMethod: "social", nextDateReset: reset }, { name: "b", authMethod: "social" }] });
    await fetch(g.url + "/admin/accounts/check", { method: "POST", headers: { "x-api-key": g.adminKey, "content-type": "application/json" }, body: '{"name":"a"}' });
    g.sim.enqueueFor("a", quotaExhausted());
    for (let i = 0; i < 2; i++) expect((await post(g, "/v1/messages", hello)).status).toBe(200);
    expect(g.services.pool.get("a")!.availableAt).toBe(reset * 1000);
  });

  test("invalid_grant: that account is disabled for good, the others serve", async () => {
    g = await startGateway({ accounts: three, credentialExtras: { expiresAt: "2020-01-01T00:00:00Z" } });
    g.sim.account("a")!.revoke();
    const results = await Promise.all(Array.from({ length: 6 }, () => post(g, "/v1/messages", hello)));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(g.services.pool.get("a")!.state).toMatchObject({ kind: "disabled", why: "invalid_refresh_token" });
    expect(g.services.pool.get("a")!.availableAt).toBeUndefined();
    expect(chatsBy(g).a).toBeUndefined();
  });

  test("every account throttled, and no wait allowed: 429 rate_limit_error naming when the first recovers", async () => {
    g = await startGateway({ accounts: three, config: { queueWaitSecs: 0 } });
    g.sim.enqueue(throttled(30), throttled(60), throttled(90));
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(429);
    expect(res.json.error.type).toBe("rate_limit_error");
    const again = await post(g, "/v1/messages", hello);
    expect(again.status).toBe(429);
    expect(again.json.error.message).toMatch(/no Kiro account can serve now \(3 cooling\); the first recovers at \d{4}-\d\d-\d\dT/);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(20);
    expect(Number(again.headers.get("retry-after"))).toBeLessThanOrEqual(30);
  });

  test("every account's refresh token dead: 503 saying an administrator must act", async () => {
    g = await startGateway({ accounts: three.slice(0, 2), credentialExtras: { expiresAt: "2020-01-01T00:00:00Z" } });
    g.sim.account("a")!.revoke();
    g.sim.account("b")!.revoke();
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(503);
    expect(res.json.error.message).toContain("2 disabled: invalid refresh token");
    expect(res.json.error.message).toContain("an administrator must reset or replace them");
  });

  test("5xx on one account fails over; the failure is counted against that account", async () => {
    g = await startGateway({ accounts: three });
    g.sim.enqueueFor("a", internal());
    g.sim.enqueue(text("served"));
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    expect(g.services.pool.get("a")!.counters.failures).toBe(1);
  });

  test("long texts, kept as the client's bytes, reach the account that answers after a failover exactly as sent", async () => {
    // Long enough to be kept (http/verbatim.ts), with escapes, non-ASCII text and an emoji, so byte offsets differ from characters.
    const long = (tag: string) => `${tag} naïve café 東京 🚀 "quoted"\n\tline\\path `.repeat(40);
    const body = {
      model: "claude-sonnet-4-6",
      max_tokens: 64,
      system: [{ type: "text", text: long("system") }],
      messages: [
        { role: "user", content: [{ type: "text", text: long("question") }] },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Read", input: { file_path: "/a.ts" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: long("file") }, { type: "text", text: "Go on." }] },
      ],
      tools: [{ name: "Read", description: long("tool"), input_schema: { type: "object", properties: { file_path: { type: "string" } } } }],
    };
    for (const stream of [false, true]) {
      if (stream) await g.stop();
      g = await startGateway({ accounts: three });
      g.sim.enqueueFor("a", throttled(5));
      const res = await post(g, "/v1/messages", { ...body, stream });
      expect(res.status).toBe(200);
      const sent = g.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse"));
      expect(sent.length).toBe(2);
      // The two attempts carried the same conversation, and in it every long text as the client wrote it.
      const conversations = sent.map((r) => JSON.stringify((r.body as { conversationState: unknown }).conversationState));
      expect(conversations[1]).toBe(conversations[0]!);
      for (const tag of ["system", "question", "file", "tool"]) expect(JSON.stringify(sent[1]!.body)).toContain(JSON.stringify(long(tag)).slice(1, -1));
    }
  });

  test("counters survive a restart (state file beside the credentials)", async () => {
    g = await startGateway({ accounts: three });
    for (let i = 0; i < 3; i++) await post(g, "/v1/messages", hello);
    await g.services.stateFile.save();
    const { createServices } = await import("../services");
    const again = await createServices({ config: g.services.config, log: g.services.log, credentialsFile: "" });
    expect(again.pool.accounts.map((a) => a.counters.requests)).toEqual([1, 1, 1]);
  });
});

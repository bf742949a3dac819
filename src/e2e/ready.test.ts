/**
 * GET /ready for load balancers, Docker health checks and systemd: 200 while at least one account could serve a
 * request, 503 with the reason while none could. /health stays liveness: 200 whatever the accounts do.
 */
import { afterEach, expect, test } from "bun:test";
import { throttled } from "../simulator/replies";
import { post, startGateway, type Gateway } from "./harness";

const hello = { model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "hello" }] };

let g: Gateway;
afterEach(() => g.stop());

const ready = async () => {
  const res = await fetch(`${g.url}/ready`);
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as { status: string; reason?: string } };
};

test("ready with a usable account; unready while every account rests, naming when the first recovers; ready again after", async () => {
  g = await startGateway({ accounts: [{ name: "a", authMethod: "social" }], config: { queueWaitSecs: 0 } });
  expect(await ready()).toMatchObject({ status: 200, body: { status: "ready" } });
  g.sim.enqueue(throttled(40));
  expect((await post(g, "/v1/messages", hello)).status).toBe(429);
  const resting = await ready();
  expect(resting.status).toBe(503);
  expect(resting.body.status).toBe("unavailable");
  expect(resting.body.reason).toMatch(/no Kiro account can serve now \(1 cooling\); the first recovers at \d{4}-/);
  expect(Number(resting.retryAfter)).toBeGreaterThan(20);
  expect((await fetch(`${g.url}/health`)).status).toBe(200);
  g.services.pool.get("a")!.reset();
  expect((await ready()).status).toBe(200);
});

test("unready when the only refresh token is dead: an administrator must act", async () => {
  g = await startGateway({ accounts: [{ name: "a", authMethod: "social" }], credentialExtras: { expiresAt: "2020-01-01T00:00:00Z" } });
  g.sim.account("a")!.revoke();
  expect((await post(g, "/v1/messages", hello)).status).toBe(503);
  const dead = await ready();
  expect(dead.status).toBe(503);
  expect(dead.body.reason).toContain("1 disabled: invalid refresh token");
  expect(dead.body.reason).toContain("an administrator must reset or replace them");
});

test("unready with no account at all", async () => {
  g = await startGateway({ accounts: [] });
  expect(await ready()).toMatchObject({ status: 503, body: { reason: "no Kiro account is configured in the pool" } });
});

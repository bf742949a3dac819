/**
 * recordRequests through HTTP: by default a request reaches the request log; with `false` it is answered, its key's
 * limits still hold, and neither the request log nor usage gets anything.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { text } from "../simulator/replies";
import { post, startGateway, type Gateway } from "./harness";

const ask = { model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }] };

async function admin(g: Gateway, method: "GET" | "POST", path: string, body?: unknown) {
  const res = await fetch(g.url + path, {
    method,
    headers: { "x-api-key": g.adminKey, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: any }).data;
}

const running: Gateway[] = [];
afterAll(async () => {
  for (const g of running) {
    await g.services.records.close();
    await g.stop();
  }
});

async function gateway(config: Record<string, unknown>): Promise<Gateway> {
  const g = await startGateway({ config });
  running.push(g);
  return g;
}

describe("recordRequests", () => {
  test("by default, an answered request is in the request log and in usage", async () => {
    const g = await gateway({});
    g.sim.enqueue(text("recorded"));
    expect((await post(g, "/v1/messages", ask)).status).toBe(200);
    await g.services.records.flush();
    const log = await admin(g, "GET", "/admin/requests");
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ key: "default", model: "claude-sonnet-4-5", status: 200 });
    expect((await admin(g, "GET", "/admin/usage?by=key")).totals).toMatchObject([{ key: "default", requests: 1 }]);
  });

  test("false: the request is answered and the key's limit holds, but the request log and usage stay empty", async () => {
    const g = await gateway({ recordRequests: false });
    const made = await admin(g, "POST", "/admin/keys", { name: "bob", limits: { requestsPerMinute: 1 } });
    g.sim.enqueue(text("not recorded"));
    const answered = await post(g, "/v1/messages", ask, { "x-api-key": made.key });
    expect(answered.status).toBe(200);
    expect(JSON.stringify(answered.json)).toContain("not recorded");
    expect((await post(g, "/v1/messages", ask, { "x-api-key": made.key })).status).toBe(429);
    await g.services.records.flush();
    expect((await admin(g, "GET", "/admin/requests")).items).toEqual([]);
    expect((await admin(g, "GET", "/admin/usage?by=key")).totals).toEqual([]);
    // The key's own counters still count its requests (the refused one too, as when recording), and when.
    const bob = (await admin(g, "GET", "/admin/keys")).find((k: { name: string }) => k.name === "bob");
    expect(bob.usage.day.requests).toBe(2);
    expect(bob.lastUsedAt).not.toBeNull();
  });
});

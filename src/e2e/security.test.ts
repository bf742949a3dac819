/**
 * Letting no one in: guessing keys is slowed, the client key stays out of /admin, no CORS, and the UI has a CSP.
 */
import { afterEach, expect, test } from "bun:test";
import { startGateway, type Gateway } from "./harness";

let g: Gateway;
afterEach(() => g.stop());

test("20 wrong keys from one address: then 429 with Retry-After for wrong keys, while the right key still passes, on /v1 and /admin", async () => {
  g = await startGateway();
  const get = (path: string, key: string) => fetch(g.url + path, { headers: { "x-api-key": key } });
  for (let i = 0; i < 20; i++) expect((await get("/v1/models", `guess-${i}`)).status).toBe(401);
  const locked = await get("/v1/models", "guess-20");
  expect(locked.status).toBe(429);
  expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(50);
  expect(((await locked.json()) as any).error.type).toBe("rate_limit_error");
  const lockedAdmin = await get("/admin/accounts", "guess-21");
  expect(lockedAdmin.status).toBe(429);
  expect(await lockedAdmin.json()).toEqual({ success: false, error: expect.stringContaining("too many failed authentication attempts") });
  // Behind a proxy every client shares this address: the right keys are never turned away.
  expect((await get("/v1/models", g.apiKey)).status).toBe(200);
  expect((await get("/admin/accounts", g.adminKey)).status).toBe(200);
  const post = await fetch(g.url + "/v1/messages/count_tokens", {
    method: "POST",
    headers: { "x-api-key": g.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ model: "claude-sonnet-4-6", messages: [{ role: "user", content: "hi" }] }),
  });
  expect(post.status).toBe(200);
  // Health needs no key and stays reachable.
  expect((await fetch(g.url + "/health")).status).toBe(200);
});

test("X-Forwarded-For names the client only when the peer is a trusted proxy", async () => {
  const guess = (key: string, forwardedFor: string) =>
    fetch(g.url + "/v1/models", { headers: { "x-api-key": key, "x-forwarded-for": forwardedFor } });
  g = await startGateway({ config: { trustedProxies: ["127.0.0.1", "::1"] } });
  for (let i = 0; i < 20; i++) expect((await guess(`guess-${i}`, "203.0.113.9")).status).toBe(401);
  expect((await guess("guess-20", "203.0.113.9")).status).toBe(429);
  // Another client behind the same proxy is counted on its own.
  expect((await guess("guess-21", "198.51.100.4")).status).toBe(401);
  await g.stop();

  // Untrusted: the header is anyone's to forge, so the peer's address counts.
  g = await startGateway();
  for (let i = 0; i < 20; i++) expect((await guess(`guess-${i}`, `203.0.113.${i}`)).status).toBe(401);
  expect((await guess("guess-20", "198.51.100.4")).status).toBe(429);
});

test("no CORS headers anywhere, the admin API included", async () => {
  g = await startGateway();
  const preflight = await fetch(g.url + "/admin/accounts", {
    method: "OPTIONS",
    headers: { origin: "https://evil.example", "access-control-request-method": "GET", "access-control-request-headers": "x-api-key" },
  });
  expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  const res = await fetch(g.url + "/admin/accounts", { headers: { origin: "https://evil.example", "x-api-key": g.adminKey } });
  expect(res.status).toBe(200);
  expect(res.headers.get("access-control-allow-origin")).toBeNull();
});

test("the UI page is served with a Content-Security-Policy", async () => {
  g = await startGateway();
  const res = await fetch(g.url + "/");
  expect(res.headers.get("content-security-policy")).toContain("default-src");
});

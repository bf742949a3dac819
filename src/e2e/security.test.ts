/**
 * Letting no one in: guessing keys is slowed, the client key stays out of /admin, no CORS, and the UI has a CSP.
 */
import { afterEach, expect, test } from "bun:test";
import { startGateway, type Gateway } from "./harness";

let g: Gateway;
afterEach(() => g.stop());

test("20 wrong keys from one address: then 429 with Retry-After, even for the right key, on /v1 and /admin", async () => {
  g = await startGateway();
  const get = (path: string, key: string) => fetch(g.url + path, { headers: { "x-api-key": key } });
  for (let i = 0; i < 20; i++) expect((await get("/v1/models", `guess-${i}`)).status).toBe(401);
  const locked = await get("/v1/models", g.apiKey);
  expect(locked.status).toBe(429);
  expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(50);
  expect(((await locked.json()) as any).error.type).toBe("rate_limit_error");
  const admin = await get("/admin/accounts", g.adminKey);
  expect(admin.status).toBe(429);
  expect(await admin.json()).toEqual({ success: false, error: expect.stringContaining("too many failed authentication attempts") });
  // Health needs no key and stays reachable.
  expect((await fetch(g.url + "/health")).status).toBe(200);
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

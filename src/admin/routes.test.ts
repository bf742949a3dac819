/**
 * The admin routes' failure table, driven through `app.handle` with a stand-in for the services (the e2e tests
 * cover the routes against a real pool and Kiro simulator).
 */
import { expect, test } from "bun:test";
import { TrustedProxies } from "../http/address";
import { FailedAuthLimiter } from "../http/auth";
import { BodyBudget } from "../http/body";
import { KeyGuard } from "../http/guard";
import { Logger } from "../log";
import type { Services } from "../services";
import { adminRoutes } from "./routes";

const KEY = "admin-unit-test-key";

function app(config: Record<string, unknown>) {
  const lines: string[] = [];
  const log = new Logger("info", (line) => lines.push(line));
  const guard = new KeyGuard({
    limiter: new FailedAuthLimiter(),
    proxies: new TrustedProxies(),
    log,
    adminKey: KEY,
    // Admin routes ask neither the client keys nor the request log.
    clients: {} as never,
    recorder: {} as never,
    bodies: { maxBytes: 1024 * 1024, budget: new BodyBudget(8 * 1024 * 1024) },
  });
  const services = { config, log, pool: { accounts: [], get: () => undefined } } as unknown as Services;
  const handle = (method: string, path: string, body?: unknown) =>
    adminRoutes(services, guard).handle(
      new Request(`http://localhost${path}`, {
        method,
        headers: { "x-api-key": KEY, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
  return { handle, lines };
}

const CONFIG = { host: "127.0.0.1", port: 8990, region: "us-east-1", kiroVersion: "0.8.0", failureCooldownSecs: 30, maxFailures: 5 };

test("an account the service cannot find is the seed's HTTP 200 {success:false}", async () => {
  const res = await app(CONFIG).handle("POST", "/admin/accounts/reset", { name: "nobody" });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ success: false, error: "account not found: nobody" });
});

test("an answer that does not match its schema is a 500 that shows none of its values, to the caller or the log", async () => {
  const { handle, lines } = app({ ...CONFIG, kiroVersion: { secret: "sk-do-not-show-0123" } });
  const res = await handle("GET", "/admin/config");
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ success: false, error: "the answer does not match its schema" });
  expect(lines.join("\n")).toContain("admin endpoint failed");
  expect(lines.join("\n")).not.toContain("sk-do-not-show");
});

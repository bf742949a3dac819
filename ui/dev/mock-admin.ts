/**
 * A stand-in for kiro-ts's admin API, for developing the UI and for browser tests that need many accounts:
 * `bun ui/dev/mock-admin.ts [--accounts 1500] [--port 8990] [--key admin-dev]`.
 * It speaks the admin contract (envelopes, 401, NDJSON batch-check) over an in-memory pool, and serves the
 * built UI from ui/dist through the same uiPlugin as the binary. No Kiro, no files, nothing persisted.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { collectUiAssets } from "../../scripts/ui-assets";
import { uiPlugin } from "../../src/admin/ui";
import type { AccountInfo, AddAccountRequest, CheckAccountResponse, PoolStatus } from "../src/api/types";
import { ROUTES } from "../src/routes";

export interface MockAdminOptions {
  accounts: number;
  adminKey: string;
  /** How long each quota check takes, so progress bars have something to show. */
  checkDelayMs?: number;
  port?: number;
}

interface MockAccount extends AccountInfo {
  refreshToken?: string;
  kiroApiKey?: string;
  clientId?: string;
  clientSecret?: string;
}

const PROVIDERS = [
  { provider: "Google", auth_method: "social" },
  { provider: "Github", auth_method: "social" },
  { provider: "BuilderId", auth_method: "IdC" },
] as const;

/** A small deterministic generator, so screenshots and tests see the same pool every run. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function generateAccounts(count: number, now: number): MockAccount[] {
  const random = seeded(42);
  return Array.from({ length: count }, (_, i) => {
    const { provider, auth_method } = PROVIDERS[i % PROVIDERS.length] ?? PROVIDERS[0];
    const name = count <= 3 ? ["alice-google", "bob-github", "carol-builder-id"][i] ?? `account-${i + 1}` : `account-${String(i + 1).padStart(4, "0")}`;
    const state = i % 25 === 24 ? "disabled" : i % 10 === 9 ? "cooling" : i % 100 === 50 ? "suspended" : "healthy";
    const limit = [50, 550, 1000][i % 3] ?? 50;
    const used = Math.round(random() * limit);
    const account: MockAccount = {
      name,
      healthy: state === "healthy",
      request_count: Math.round(random() * 500),
      failure_count: state === "healthy" ? 0 : Math.round(random() * 5) + 1,
      in_pool: true,
      auth_method,
      provider,
      email: `${name}@example.com`,
      region: i % 7 === 6 ? "eu-central-1" : "us-east-1",
      state,
      expires_at: new Date(now + Math.round(random() * 3_600_000)).toISOString(),
      refreshToken: `mock-refresh-${i}`,
    };
    if (state === "cooling") {
      account.state_reason = "rate limited by Kiro (429)";
      account.available_at = new Date(now + 30_000 + Math.round(random() * 300_000)).toISOString();
    }
    if (state === "disabled") account.state_reason = "refresh token rejected (invalid_grant)";
    if (state === "suspended") account.state_reason = "Kiro suspended the account (HTTP 403): Your User ID temporarily is suspended.";
    // A rotated token whose file could not be written (a full disk, a read-only folder): the server keeps retrying.
    if (i % 100 === 1) account.credential_saved = false;
    if (i % 2 === 0) {
      account.usage = {
        subscription: "KIRO FREE",
        currentUsage: used,
        usageLimit: limit,
        usagePercent: Math.min(100, (used / limit) * 100),
        checkedAt: new Date(now).toISOString(),
      };
    }
    return account;
  });
}

const ok = (data: unknown) => Response.json({ success: true, data });
const fail = (error: string) => Response.json({ success: false, error });

const publicInfo = ({ refreshToken: _r, kiroApiKey: _k, clientId: _c, clientSecret: _s, ...info }: MockAccount): AccountInfo => info;

/** The admin API over an in-memory pool; `handle` answers `/admin/*` requests. */
export function createMockAdmin(options: MockAdminOptions) {
  const started = Date.now();
  const accounts = generateAccounts(options.accounts, started);
  const random = seeded(7);
  const perMinute = Array.from({ length: 60 }, (_, i) => ({
    t: Math.floor(started / 60_000) * 60_000 - (59 - i) * 60_000,
    count: Math.round(random() * 40 + (i > 40 ? 30 : 5)),
  }));
  const delay = options.checkDelayMs ?? 120;
  const find = (name: string) => accounts.find((a) => a.name === name);

  const check = async (name: string): Promise<CheckAccountResponse> => {
    await Bun.sleep(delay);
    const account = find(name);
    if (!account) return { name, healthy: false, currentUsage: 0, usageLimit: 0, usagePercent: 0, error: "账号不存在" };
    if (account.state === "disabled" || account.state === "suspended") return { name, healthy: false, currentUsage: 0, usageLimit: 0, usagePercent: 0, error: account.state_reason };
    const limit = account.usage?.usageLimit ?? 50;
    const used = Math.min(limit, (account.usage?.currentUsage ?? 0) + 1);
    account.usage = { subscription: "KIRO FREE", currentUsage: used, usageLimit: limit, usagePercent: (used / limit) * 100, checkedAt: new Date().toISOString() };
    return { name, healthy: true, subscription: "KIRO FREE", currentUsage: used, usageLimit: limit, usagePercent: (used / limit) * 100 };
  };

  const status = (): PoolStatus => ({
    total_accounts: accounts.length,
    healthy_accounts: accounts.filter((a) => a.state === "healthy").length,
    cooling_accounts: accounts.filter((a) => a.state === "cooling").length,
    disabled_accounts: accounts.filter((a) => a.state === "disabled").length,
    suspended_accounts: accounts.filter((a) => a.state === "suspended").length,
    total_requests: accounts.reduce((sum, a) => sum + a.request_count, 0),
    requests_per_minute: perMinute,
    waiting_requests: 0,
    longest_wait_secs: 0,
    accounts: accounts.map(publicInfo),
  });

  async function handle(request: Request): Promise<Response> {
    if (request.headers.get("x-api-key") !== options.adminKey) {
      return Response.json({ success: false, error: "Invalid admin API key" }, { status: 401 });
    }
    const path = new URL(request.url).pathname;
    const body = request.method === "POST" ? ((await request.json().catch(() => ({}))) as Record<string, unknown>) : {};
    const name = typeof body.name === "string" ? body.name : "";
    switch (`${request.method} ${path}`) {
      case "GET /admin/pool/status":
        return ok(status());
      case "GET /admin/accounts":
        return ok(accounts.map(publicInfo));
      // No client keys: the dashboard's key panels read this list.
      case "GET /admin/keys":
        return ok([]);
      case "GET /admin/config":
        return ok({ host: "127.0.0.1", port: options.port ?? 0, region: "us-east-1", kiroVersion: "0.8.0", credentialsDir: "credentials", failureCooldownSecs: 60, maxFailures: 5 });
      case "POST /admin/accounts": {
        const add = body as unknown as AddAccountRequest;
        if (!add.name?.trim()) return fail("账号名称不能为空");
        // The server's rule: an API key with no refresh token and no stated method is an API-key account.
        const apiKey = add.authMethod === "api_key" || (add.authMethod === undefined && add.kiroApiKey !== undefined && !add.refreshToken);
        if (apiKey && !add.kiroApiKey?.trim()) return fail("kiroApiKey is required for an API-key account");
        if (!apiKey && !add.refreshToken?.trim()) return fail("Refresh Token 不能为空");
        if (find(add.name)) return fail(`an account named "${add.name}" already exists`);
        const secret = apiKey ? "kiroApiKey" : "refreshToken";
        if (accounts.some((a) => a[secret] === add[secret])) return fail(`an account with this ${apiKey ? "API key" : "refresh token"} already exists`);
        const account: MockAccount = {
          name: add.name,
          healthy: true,
          request_count: 0,
          failure_count: 0,
          in_pool: add.addToPool !== false,
          auth_method: apiKey ? "api_key" : (add.authMethod ?? "social"),
          provider: add.provider,
          region: add.region ?? "us-east-1",
          state: "healthy",
          // An API key is never refreshed, so it has no expiry.
          expires_at: apiKey ? undefined : new Date(Date.now() + 3_600_000).toISOString(),
          refreshToken: apiKey ? undefined : add.refreshToken,
          kiroApiKey: apiKey ? add.kiroApiKey : undefined,
          clientId: add.clientId,
          clientSecret: add.clientSecret,
        };
        accounts.push(account);
        return ok(publicInfo(account));
      }
      case "POST /admin/accounts/remove": {
        const index = accounts.findIndex((a) => a.name === name);
        if (index >= 0) accounts.splice(index, 1);
        return ok(null);
      }
      case "POST /admin/accounts/refresh": {
        const account = find(name);
        if (!account) return fail(`账号不存在: ${name}`);
        if (account.state === "disabled") return fail(`Token 刷新失败: ${account.state_reason}`);
        account.expires_at = new Date(Date.now() + 3_600_000).toISOString();
        return ok({ success: true, message: "Token 刷新成功" });
      }
      case "POST /admin/accounts/reset": {
        const account = find(name);
        if (account) Object.assign(account, { state: "healthy", healthy: true, failure_count: 0, state_reason: undefined, available_at: undefined });
        return ok(null);
      }
      case "POST /admin/accounts/check":
        return ok(await check(name));
      case "POST /admin/accounts/batch-check": {
        const names = Array.isArray(body.names) ? body.names.filter((n): n is string => typeof n === "string") : [];
        if (!(request.headers.get("accept") ?? "").includes("application/x-ndjson")) {
          const results = [];
          for (const n of names) results.push(await check(n));
          const failed = results.filter((r) => r.error).length;
          return ok({ results, success_count: results.length - failed, failed_count: failed });
        }
        const encoder = new TextEncoder();
        const stream = new ReadableStream<Uint8Array>({
          async start(controller) {
            const results: CheckAccountResponse[] = [];
            for (const n of names) {
              const result = await check(n);
              results.push(result);
              controller.enqueue(encoder.encode(`${JSON.stringify({ type: "progress", done: results.length, total: names.length, result })}\n`));
            }
            const failed = results.filter((r) => r.error).length;
            controller.enqueue(encoder.encode(`${JSON.stringify({ type: "done", results, success_count: results.length - failed, failed_count: failed })}\n`));
            controller.close();
          },
        });
        return new Response(stream, { headers: { "content-type": "application/x-ndjson" } });
      }
      case "POST /admin/accounts/import-sso": {
        if (!name.trim()) return fail("账号名称不能为空");
        if (typeof body.ssoToken !== "string" || body.ssoToken.length < 8) return fail("SSO token invalid");
        if (find(name)) return fail(`an account named "${name}" already exists`);
        const account: MockAccount = {
          name,
          healthy: true,
          request_count: 0,
          failure_count: 0,
          in_pool: body.addToPool !== false,
          auth_method: "IdC",
          provider: "BuilderId",
          email: `${name}@example.com`,
          region: typeof body.region === "string" ? body.region : "us-east-1",
          state: "healthy",
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          refreshToken: `sso-${name}`,
        };
        accounts.push(account);
        return ok({ account: publicInfo(account), email: account.email, subscription: "KIRO FREE", currentUsage: 0, usageLimit: 50 });
      }
      case "POST /admin/accounts/credentials": {
        const names = Array.isArray(body.names) && body.names.length > 0 ? new Set(body.names) : null;
        return ok(
          accounts
            .filter((a) => !names || names.has(a.name))
            .map((a) => ({
              name: a.name,
              healthy: a.healthy,
              requestCount: a.request_count,
              failureCount: a.failure_count,
              inPool: a.in_pool,
              authMethod: a.auth_method,
              provider: a.provider,
              region: a.region,
              refreshToken: a.refreshToken,
              kiroApiKey: a.kiroApiKey,
              accessToken: `mock-access-${a.name}`,
              clientId: a.clientId,
              clientSecret: a.clientSecret,
              expiresAt: a.expires_at,
            })),
        );
      }
      default:
        return Response.json({ success: false, error: `no such admin endpoint: ${request.method} ${path}` }, { status: 404 });
    }
  }

  return { handle, accounts };
}

/** The mock API plus the built UI on one port, like the real binary. */
export async function startMockServer(options: MockAdminOptions) {
  const admin = createMockAdmin(options);
  const dist = resolve(import.meta.dir, "..", "dist");
  const ui = uiPlugin(await collectUiAssets(dist, Object.values(ROUTES)));
  const server = Bun.serve({
    port: options.port ?? 0,
    hostname: "127.0.0.1",
    fetch: (request) => (new URL(request.url).pathname.startsWith("/admin/") ? admin.handle(request) : ui.handle(request)),
  });
  return { url: server.url.toString(), server, admin };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { accounts: { type: "string", default: "3" }, port: { type: "string", default: "8990" }, key: { type: "string", default: "admin-dev" } },
  });
  const { url } = await startMockServer({ accounts: Number(values.accounts), port: Number(values.port), adminKey: values.key ?? "admin-dev" });
  console.log(`mock admin API and UI (${values.accounts} accounts; UI from ${join("ui", "dist")})\n  URL        ${url}\n  Admin key  ${values.key}`);
}

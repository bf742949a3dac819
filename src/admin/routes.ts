/**
 * The admin REST API of the seed (kiro-protocol.md §8.1), endpoint for endpoint: `{success, data | error}`
 * envelopes (HTTP 200 for logical errors), snake_case AccountInfo, camelCase check results. Guarded by
 * adminApiKey (or apiKey when none is set).
 */
import { type TSchema, Type as t } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { GatewayError } from "../errors";
import { describeValidation } from "../http/body";
import { type KeyGuard, thrownBy } from "../http/guard";
import type { Credential } from "../kiro/credential";
import { importFromSsoToken } from "../kiro/sso";
import type { Services } from "../services";
import { accountInfo, addAccount, bounded, checkAccount, credentialsExport, poolStatus, type CheckResult } from "./accounts";

const ok = <T>(data: T) => ({ success: true as const, data });
const failure = (error: string) => ({ success: false as const, error });
const envelope = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const Name = t.Object({ name: t.String({ minLength: 1 }) });
const Names = t.Object({ names: t.Optional(t.Array(t.String())) });
const AddAccount = t.Object({
  name: t.String({ minLength: 1 }),
  /** Required, unless the account signs in with a Kiro API key (`kiroApiKey`, authMethod api_key). */
  refreshToken: t.Optional(t.String({ minLength: 1 })),
  kiroApiKey: t.Optional(t.String({ minLength: 1 })),
  accessToken: t.Optional(t.String()),
  csrfToken: t.Optional(t.String()),
  clientId: t.Optional(t.String()),
  clientSecret: t.Optional(t.String()),
  region: t.Optional(t.String()),
  profileArn: t.Optional(t.String()),
  expiresAt: t.Optional(t.String()),
  authMethod: t.Optional(t.String()),
  provider: t.Optional(t.String()),
  email: t.Optional(t.String()),
  addToPool: t.Optional(t.Boolean()),
});
const Remove = t.Object({ name: t.String({ minLength: 1 }), delete_file: t.Optional(t.Boolean()) });
const ImportSso = t.Object({
  name: t.String({ minLength: 1 }),
  ssoToken: t.String({ minLength: 1 }),
  region: t.Optional(t.String({ minLength: 1 })),
  addToPool: t.Optional(t.Boolean()),
});
const BATCH_CONCURRENCY = 4;

export function adminRoutes(s: Services, guard: KeyGuard) {
  const account = (name: string) => {
    const a = s.pool.get(name);
    if (!a) throw new AdminFailure(`account not found: ${name}`);
    return a;
  };
  const body = <S extends TSchema>(schema: S) => guard.jsonBody(schema, "admin");

  return new Elysia({ name: "admin", prefix: "/admin" })
    .use(guard.plugin)
    .onError(({ code, error, set }) => {
      const cause = thrownBy(code, error);
      if (cause instanceof GatewayError) {
        const status = ADMIN_STATUS[cause.kind] ?? 500;
        set.status = status;
        const res = envelope(status, failure(cause.message));
        if (cause.detail.retryAfterSecs) res.headers.set("retry-after", String(cause.detail.retryAfterSecs));
        return res;
      }
      if (cause instanceof AdminFailure) {
        // Elysia keeps the error's 500 for a returned 200 Response unless the status is set here too.
        set.status = 200;
        return envelope(200, failure(cause.message));
      }
      if (cause instanceof AdminHttpError) {
        set.status = cause.status;
        const res = envelope(cause.status, failure(cause.message));
        if (cause.retryAfterSecs) res.headers.set("retry-after", String(cause.retryAfterSecs));
        return res;
      }
      if (code === "VALIDATION") return envelope(400, failure(describeValidation(error.all, error.message)));
      if (code === "PARSE") return envelope(400, failure("the request body is not valid JSON"));
      s.log.error("admin endpoint failed", { error: error instanceof Error ? error.message : String(error) });
      return envelope(500, failure(error instanceof Error ? error.message : String(error)));
    })
    .guard(
      { key: "admin" },
      (app) =>
        app
          .get("/pool/status", () => ok(poolStatus(s)), { detail: { summary: "Pool status, per-account state and the last hour's traffic" } })
          .get("/accounts", () => ok(s.pool.accounts.map(accountInfo)), { detail: { summary: "Every account" } })
          .post(
            "/accounts",
            async ({ body }) => {
              const { name, addToPool, ...fields } = body;
              const authMethod = fields.authMethod ?? (fields.kiroApiKey && !fields.refreshToken ? "api_key" : "social");
              const credential: Credential = { ...fields, authMethod };
              for (const k of Object.keys(credential)) if (credential[k] === undefined || credential[k] === "") delete credential[k];
              try {
                return ok(accountInfo(await addAccount(s, name, credential, addToPool ?? true)));
              } catch (e) {
                throw new AdminFailure((e as Error).message);
              }
            },
            {
              ...body(AddAccount),
              detail: { summary: "Add an account (written to its own credential file)" },
            },
          )
          .post(
            "/accounts/remove",
            async ({ body }) => {
              const removed = s.pool.remove(body.name);
              if (removed && body.delete_file && removed.source.index === undefined && !removed.source.environment) {
                await s.store.remove(removed.source.path);
              }
              s.log.info("account removed", { account: body.name, fileDeleted: !!(removed && body.delete_file) });
              return ok(null);
            },
            { ...body(Remove), detail: { summary: "Remove an account" } },
          )
          .post(
            "/accounts/refresh",
            async ({ body }) => {
              const a = account(body.name);
              if (!a.refreshable) throw new AdminFailure(`account ${a.name} signs in with an API key: there is no token to refresh`);
              try {
                await a.refresh(true);
              } catch (e) {
                throw new AdminFailure(`token refresh failed: ${(e as Error).message}`);
              }
              if (a.state.kind === "cooling") a.reset();
              return ok({ success: true, message: "token refreshed" });
            },
            { ...body(Name), detail: { summary: "Force a token refresh" } },
          )
          .post(
            "/accounts/reset",
            ({ body }) => {
              account(body.name).reset();
              return ok(null);
            },
            { ...body(Name), detail: { summary: "Mark an account healthy and forget its failure streak" } },
          )
          .post("/accounts/check", async ({ body }) => ok(await checkAccount(s, account(body.name))), {
            ...body(Name),
            detail: { summary: "Check an account's quota (getUsageLimits)" },
          })
          .post(
            "/accounts/batch-check",
            async ({ body, request }) => {
              const names = body.names ?? s.pool.accounts.map((a) => a.name);
              const run = (onResult: (r: CheckResult) => void) =>
                bounded(names, BATCH_CONCURRENCY, async (name): Promise<CheckResult> => {
                  const a = s.pool.get(name);
                  return a ? checkAccount(s, a) : { name, healthy: false, currentUsage: 0, usageLimit: 0, usagePercent: 0, error: "account not found" };
                }, onResult);
              const summary = (results: CheckResult[]) => ({
                results,
                success_count: results.filter((r) => !r.error).length,
                failed_count: results.filter((r) => r.error).length,
              });
              if (!(request.headers.get("accept") ?? "").includes("application/x-ndjson")) return ok(summary(await run(() => {})));
              // NDJSON progress, one line per finished account, for a progress bar.
              const encoder = new TextEncoder();
              let done = 0;
              const stream = new ReadableStream<Uint8Array>({
                async start(controller) {
                  const line = (o: unknown) => controller.enqueue(encoder.encode(JSON.stringify(o) + "\n"));
                  const results = await run((result) => line({ type: "progress", done: ++done, total: names.length, result }));
                  line({ type: "done", ...summary(results) });
                  controller.close();
                },
              });
              return new Response(stream, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-cache" } });
            },
            { ...body(Names), detail: { summary: "Check many accounts; NDJSON progress with Accept: application/x-ndjson" } },
          )
          .post(
            "/accounts/import-sso",
            async ({ body }) => {
              const region = body.region ?? "us-east-1";
              if (s.pool.get(body.name)) throw new AdminFailure(`an account named "${body.name}" already exists`);
              let tokens;
              try {
                tokens = await importFromSsoToken(s.upstream, body.ssoToken, region);
              } catch (e) {
                throw new AdminFailure((e as Error).message);
              }
              let a;
              try {
                a = await addAccount(s, body.name, { ...tokens, authMethod: "IdC", provider: "BuilderId" }, body.addToPool ?? true);
              } catch (e) {
                throw new AdminFailure((e as Error).message);
              }
              const check = await checkAccount(s, a);
              return ok({
                account: accountInfo(a),
                ...(a.credential.email ? { email: a.credential.email } : {}),
                ...(check.subscription ? { subscription: check.subscription } : {}),
                currentUsage: check.currentUsage,
                usageLimit: check.usageLimit,
              });
            },
            {
              ...body(ImportSso),
              detail: { summary: "Import an account from an x-amz-sso_authn cookie" },
            },
          )
          .post(
            "/accounts/credentials",
            ({ body }) => {
              const wanted = body.names?.length ? new Set(body.names) : undefined;
              const accounts = s.pool.accounts.filter((a) => !wanted || wanted.has(a.name));
              // The one answer that holds secrets: say so in the log (names only).
              s.log.warn("credentials exported", { accounts: accounts.map((a) => a.name).join(",") });
              return ok(accounts.map(credentialsExport));
            },
            { ...body(Names), detail: { summary: "Export credentials (with secrets) for backup or migration" } },
          )
          .post("/reload", async () => ok(await s.reloader.reload()), {
            detail: { summary: "Re-read the credential files: accounts added, removed or replaced without a restart (also on SIGHUP)" },
          })
          .get(
            "/config",
            () => {
              const c = s.config;
              return ok({
                host: c.host,
                port: c.port,
                region: c.region,
                kiroVersion: c.kiroVersion,
                ...(c.credentialsDir ? { credentialsDir: c.credentialsDir } : {}),
                failureCooldownSecs: c.failureCooldownSecs,
                maxFailures: c.maxFailures,
              });
            },
            { detail: { summary: "The configuration in force, without secrets" } },
          )
          // GET is named apart because the UI's GET /* would otherwise take it.
          .get("/*", noRoute, { detail: { hide: true } })
          .all("/*", noRoute, { detail: { hide: true } }),
    );
}

const noRoute = ({ request }: { request: Request }): never => {
  throw new AdminHttpError(404, `no admin endpoint ${request.method} ${new URL(request.url).pathname}`);
};

/** The statuses of the edge's refusals: the key, the lock-out, a body that cannot be read. */
const ADMIN_STATUS: Partial<Record<GatewayError["kind"], number>> = { authentication: 401, rate_limited: 429, invalid_request: 400 };

/** A logical admin error: HTTP 200 with `{success:false, error}`, as the seed answers. */
class AdminFailure extends Error {}

/** An admin error with its own status (401, 404, 429), still in the envelope. */
class AdminHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSecs?: number,
  ) {
    super(message);
  }
}

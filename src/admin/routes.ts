/**
 * The admin REST API of the seed (kiro-protocol.md §8.1), endpoint for endpoint: HTTP only. The shapes are in
 * model.ts, the work in accounts.ts; failures are GatewayErrors rendered once, in the `{success, error}` envelope.
 * Guarded by adminApiKey (or apiKey when none is set).
 */
import { type TSchema, Type as t } from "@sinclair/typebox";
import { Elysia, ValidationError } from "elysia";
import { type ErrorKind, GatewayError } from "../errors";
import { describeValidation } from "../http/body";
import { type KeyGuard, thrownBy } from "../http/guard";
import type { Services } from "../services";
import {
  accountInfo,
  addAccount,
  batchCheck,
  checkAccount,
  exportCredentials,
  findAccount,
  importSso,
  poolStatus,
  refreshAccount,
  removeAccount,
  serverConfig,
} from "./accounts";
import * as m from "./model";

const ok = <T>(data: T) => ({ success: true as const, data });
const failure = (error: string) => ({ success: false as const, error });
/** For a handler that returns a Response too: Elysia's types accept `Promise<envelope> | Response`, not a promise of both. */
const answer = async <T>(data: Promise<T>) => ok(await data);

export function adminRoutes(s: Services, guard: KeyGuard) {
  /** Route options for a route that takes `request` as its body and answers `data`. */
  const takes = <R extends TSchema, D extends TSchema>(request: R, data: D) => ({
    ...guard.jsonBody(request, "admin"),
    response: m.answersWithBody(data),
  });

  return new Elysia({ name: "admin", prefix: "/admin" })
    .use(guard.plugin)
    .onError(({ code, error, request, set }) => {
      const { status, message, retryAfterSecs } = failureOf(code, error);
      if (status === 500) s.log.error("admin endpoint failed", { path: new URL(request.url).pathname, error: message });
      // Elysia keeps the error's own status for a returned Response unless it is set here too.
      set.status = status;
      const res = Response.json(failure(message), { status });
      if (retryAfterSecs) res.headers.set("retry-after", String(retryAfterSecs));
      return res;
    })
    .guard({ key: "admin" }, (app) =>
      app
        .get("/pool/status", () => ok(poolStatus(s)), {
          response: m.answers(m.PoolStatus),
          detail: { summary: "Pool status, per-account state and the last hour's traffic" },
        })
        .get("/accounts", () => ok(s.pool.accounts.map(accountInfo)), {
          response: m.answers(t.Array(m.AccountInfo)),
          detail: { summary: "Every account" },
        })
        .post("/accounts", async ({ body }) => ok(accountInfo(await addAccount(s, body))), {
          ...takes(m.AddAccount, m.AccountInfo),
          detail: { summary: "Add an account (written to its own credential file)" },
        })
        .post("/accounts/remove", async ({ body }) => {
          await removeAccount(s, body.name, body.delete_file ?? false);
          return ok(null);
        }, {
          ...takes(m.RemoveAccount, t.Null()),
          detail: { summary: "Remove an account" },
        })
        .post("/accounts/refresh", async ({ body }) => ok(await refreshAccount(s, body.name)), {
          ...takes(m.Name, m.RefreshResult),
          detail: { summary: "Force a token refresh" },
        })
        .post("/accounts/reset", ({ body }) => {
          findAccount(s, body.name).reset();
          return ok(null);
        }, {
          ...takes(m.Name, t.Null()),
          detail: { summary: "Mark an account healthy and forget its failure streak" },
        })
        .post("/accounts/check", async ({ body }) => ok(await checkAccount(s, findAccount(s, body.name))), {
          ...takes(m.Name, m.CheckResult),
          detail: { summary: "Check an account's quota (getUsageLimits)" },
        })
        .post(
          "/accounts/batch-check",
          ({ body, request }) => {
            const names = body.names ?? s.pool.accounts.map((a) => a.name);
            if (!(request.headers.get("accept") ?? "").includes("application/x-ndjson")) return answer(batchCheck(s, names));
            // NDJSON progress, one line per finished account, for a progress bar; Elysia passes a Response unchecked.
            let done = 0;
            return ndjson(async (line) => {
              const summary = await batchCheck(s, names, (result) => line({ type: "progress", done: ++done, total: names.length, result }));
              line({ type: "done", ...summary });
            });
          },
          {
            ...takes(m.Names, m.BatchCheckSummary),
            detail: { summary: "Check many accounts; NDJSON progress with Accept: application/x-ndjson" },
          },
        )
        .post("/accounts/import-sso", async ({ body }) => ok(await importSso(s, body)), {
          ...takes(m.ImportSso, m.ImportSsoResult),
          detail: { summary: "Import an account from an x-amz-sso_authn cookie" },
        })
        .post("/accounts/credentials", ({ body }) => ok(exportCredentials(s, body.names)), {
          ...takes(m.Names, t.Array(m.CredentialsExport)),
          detail: { summary: "Export credentials (with secrets) for backup or migration" },
        })
        .post("/reload", async () => ok(await s.reloader.reload()), {
          response: m.answers(m.ReloadResult),
          detail: { summary: "Re-read the credential files: accounts added, removed or replaced without a restart (also on SIGHUP)" },
        })
        .get("/config", () => ok(serverConfig(s)), {
          response: m.answers(m.ServerConfig),
          detail: { summary: "The configuration in force, without secrets" },
        })
        // GET is named apart because the UI's GET /* would otherwise take it.
        .get("/*", noRoute, { detail: { hide: true } })
        .all("/*", noRoute, { detail: { hide: true } }),
    );
}

/** A path nobody serves answers itself: thrown, it would meet the app's own not-found answer first. */
const noRoute = ({ request }: { request: Request }) =>
  Response.json(failure(`no admin endpoint ${request.method} ${new URL(request.url).pathname}`), { status: 404 });

/** A streamed answer of JSON lines, written by `write` through `line`. */
function ndjson(write: (line: (o: unknown) => void) => Promise<void>): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      await write((o) => controller.enqueue(encoder.encode(JSON.stringify(o) + "\n")));
      controller.close();
    },
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-cache" } });
}

/**
 * An admin failure's status and words, decided here only. The seed answers what the service decides — an account
 * not found or already there, a credential or a refresh that does not work — with HTTP 200 `{success:false}`. The
 * edge's refusals keep a status: a wrong key, a lock-out or a full house, a body too large (by kind), a body that
 * cannot be read (Elysia's parse and validation); and a path nobody serves is a 404 (noRoute). Anything else is a
 * fault of ours.
 */
const REFUSAL_STATUS: Partial<Record<ErrorKind, number>> = { authentication: 401, rate_limited: 429, request_too_large: 413 };

function failureOf(code: unknown, error: unknown): { status: number; message: string; retryAfterSecs?: number } {
  const cause = thrownBy(code, error);
  if (cause instanceof GatewayError) {
    // The guard reads the key and the body in Elysia's parse stage: an invalid request from there is an unreadable body.
    const status = REFUSAL_STATUS[cause.kind] ?? (code === "PARSE" ? 400 : 200);
    return { status, message: cause.message, retryAfterSecs: cause.detail.retryAfterSecs };
  }
  if (error instanceof ValidationError) {
    // An answer that does not match its schema: its values (secrets, maybe) stay out of the message and the log.
    if (error.type === "response") return { status: 500, message: "the answer does not match its schema" };
    return { status: 400, message: describeValidation(error.all, error.message) };
  }
  if (code === "PARSE") return { status: 400, message: "the request body is not valid JSON" };
  return { status: 500, message: error instanceof Error ? error.message : String(error) };
}

/**
 * The admin REST API of the seed (kiro-protocol.md §8.1), endpoint for endpoint: HTTP only. The shapes are in
 * model.ts, the work in accounts.ts; failures are GatewayErrors rendered once, in the `{success, error}` envelope.
 * Guarded by adminApiKey (or apiKey when none is set).
 */
import { type TSchema, Type as t } from "@sinclair/typebox";
import { Elysia } from "elysia";
import type { KeyGuard } from "../http/guard";
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
import { failure, ok, renderAdminError } from "./envelope";
import * as m from "./model";

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
    .onError(renderAdminError(s.log))
    // Covers every route after it; a guard with a callback would make Elysia build each route twice (~3 ms of a start).
    .guard({ key: "admin" })
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
    .all("/*", noRoute, { detail: { hide: true } });
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

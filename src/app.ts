/**
 * Builds the Elysia app from its areas; no listen, so tests call `app.handle(new Request(…))`.
 */
import { Elysia } from "elysia";
import { keyRoutes } from "./admin/keys";
import { adminRoutes } from "./admin/routes";
import { usageRoutes } from "./admin/usage";
import { metricsRoutes } from "./metrics/routes";
import { openApiDocument } from "./admin/openapi";
import { uiPlugin } from "./admin/ui";
import { anthropicRoutes } from "./anthropic/routes";
import { errorResponse } from "./anthropic/errors";
import { noRouteError } from "./anthropic/misroute";
import { GatewayError } from "./errors";
import { TrustedProxies } from "./http/address";
import { BodyBudget, BodyError, CollectionPacer } from "./http/body";
import { KeyGuard } from "./http/guard";
import { openaiRoutes } from "./openai/routes";
import type { Services } from "./services";

/** Anthropic's own limit for a Messages request (32 MB); Claude Code sends some over 20 MB. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export const VERSION: string = (await import("../package.json")).version;

export function buildApp(s: Services) {
  const guard = new KeyGuard({
    limiter: s.authLimiter,
    proxies: new TrustedProxies(s.config.trustedProxies),
    log: s.log,
    adminKey: s.config.adminApiKey ?? s.config.apiKey,
    clients: s.records.keys,
    recorder: s.records.recorder,
    bodies: { maxBytes: MAX_BODY_BYTES, budget: new BodyBudget(s.config.maxBodyBytesInFlight), collections: new CollectionPacer() },
    ...(s.cluster.keyLimits ? { sharedLimits: s.cluster.keyLimits } : {}),
  });
  return new Elysia()
    .onRequest(({ request }) => {
      const length = Number(request.headers.get("content-length"));
      if (length > MAX_BODY_BYTES) {
        return errorResponse(new GatewayError("request_too_large", new BodyError({ kind: "too_large", bytes: length, limit: MAX_BODY_BYTES }).message));
      }
    })
    // The API reference page at /swagger comes with the embedded UI.
    .use(openApiDocument({ info: { title: "kiro-ts", version: VERSION, description: "Anthropic Messages API answered through Kiro accounts" } }))
    // A path nobody serves (the UI's misses included): say which base URL the client should have used.
    .onError(({ code, request }) => (code === "NOT_FOUND" ? errorResponse(noRouteError(s.log, request.method, request.url)) : undefined))
    .get("/health", () => ({ status: "ok", version: VERSION, accounts: s.pool.accounts.length }))
    // Readiness, for load balancers and health checks: 503 with the reason while no account could serve a request.
    // Redis away is no reason (the instance serves with its own state), but it is said.
    .get("/ready", () => {
      const why = s.pool.unreadiness();
      const cluster = s.cluster.status();
      const shared = cluster.mode === "alone" ? {} : { cluster };
      if (!why) return { status: "ready", accounts: s.pool.accounts.length, ...shared };
      const retryAfter = why.detail.retryAfterSecs;
      return new Response(JSON.stringify({ status: "unavailable", reason: why.message, ...shared }), {
        status: 503,
        headers: { "content-type": "application/json", ...(retryAfter !== undefined ? { "retry-after": String(retryAfter) } : {}) },
      });
    })
    // A recorded request's response has left: its status (and what was thrown) go on its record.
    // Every answer passes here, errors rendered by an area included (afterResponse sees only Elysia's default status
    // for those), so the record gets the status the client got. Global, so it covers the areas' own error hooks.
    .mapResponse({ as: "global" }, (context) => {
      const { request, responseValue, set } = context;
      const error = (context as { error?: unknown }).error;
      // An error passes twice: first bare, then as the response its area rendered.
      if (responseValue === undefined && error !== undefined) return;
      const status = responseValue instanceof Response ? responseValue.status : Number(set.status ?? 200);
      s.records.recorder.responded(request, status, error);
    })
    .use(anthropicRoutes(s, guard))
    .use(openaiRoutes(s, guard))
    .use(keyRoutes(s, guard))
    .use(usageRoutes(s, guard))
    .use(metricsRoutes(s.metrics, guard, s.log))
    .use(adminRoutes(s, guard))
    .use(uiPlugin());
}

export type App = ReturnType<typeof buildApp>;

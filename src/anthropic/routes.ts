/**
 * The client-facing Anthropic API over HTTP: /v1/models, /v1/messages (streamed or not),
 * /v1/messages/count_tokens. Every route takes the client key; every error leaves as an Anthropic error body.
 */
import { Elysia } from "elysia";
import { GatewayError } from "../errors";
import { describeValidation } from "../http/body";
import { type KeyGuard, thrownBy } from "../http/guard";
import type { Services } from "../services";
import { convertRequest, PASSED_THROUGH } from "./convert";
import { countTokens } from "./count";
import { errorResponse } from "./errors";
import { answerMessages } from "./messages";
import { noRouteError } from "./misroute";
import { modelListBody } from "./models";
import { CountTokensRequest, MessagesRequest } from "./schemas";

/** The status proxies log for a request whose client went away before the answer (nginx's 499). */
const CLIENT_CLOSED_REQUEST = 499;

export function anthropicRoutes(s: Services, guard: KeyGuard) {
  const noRoute = ({ request }: { request: Request }): never => {
    throw noRouteError(s.log, request.method, request.url);
  };

  return new Elysia({ name: "anthropic" })
    .use(guard.plugin)
    .onError(({ code, error, request }) => {
      const cause = thrownBy(code, error);
      if (cause instanceof GatewayError) return errorResponse(cause);
      if (code === "VALIDATION") {
        return errorResponse(new GatewayError("invalid_request", describeValidation(error.all, error.message)));
      }
      if (code === "PARSE") return errorResponse(new GatewayError("invalid_request", "the request body is not valid JSON"));
      // The client left before the reply began (Esc in Claude Code) and its abort ended the upstream call: nothing
      // failed, and nobody will read this answer.
      if (request.signal.aborted) {
        s.log.debug("the client left before the reply began", { path: new URL(request.url).pathname });
        return new Response(null, { status: CLIENT_CLOSED_REQUEST });
      }
      s.log.error("unexpected error", { path: new URL(request.url).pathname, error: error instanceof Error ? error.stack ?? error.message : String(error) });
      return errorResponse(new GatewayError("internal", "kiro-ts failed unexpectedly; the details are in its log"));
    })
    // Claude Code's start-up probes (kiro-protocol-2026.md §9): answered, so it sees a gateway that is there.
    .head("/claude/api/hello", () => new Response(null, { status: 200 }))
    // Covers every route after it; a guard with a callback would make Elysia build each route twice.
    .guard({ key: "client" })
    // Both SDKs list models here (openai's base URL ends in /v1), so one body carries both shapes.
    .get("/v1/models", () => modelListBody(s.models.table))
    .post(
      "/v1/messages/count_tokens",
      async ({ body }) => {
        // The same checks as /v1/messages: a request that can be counted is one that can be sent. Only the
        // fields count_tokens validates go in (an unchecked metadata.user_id of 5 would reach string code).
        const { model, messages, system, tools, thinking } = body;
        convertRequest({ model, messages, system, tools, thinking, max_tokens: 1 }, { models: s.models.table });
        return { input_tokens: await countTokens(body, s) };
      },
      guard.jsonBody(CountTokensRequest, "client"),
    )
    .post(
      "/v1/messages",
      ({ body, request, server, client }) => {
        // Long replies must not be cut by the server's idle timeout; pings keep proxies in between awake.
        server?.timeout(request, 0);
        return answerMessages(s, body, { signal: request.signal, headers: request.headers, observer: client });
      },
      guard.jsonBody(MessagesRequest, "client", PASSED_THROUGH),
    )
    // Anything else under /v1 answers like the Anthropic API rather than with a bare "NOT_FOUND"; GET is named
    // apart because the UI's GET /* would otherwise take it.
    .get("/v1/*", noRoute, { detail: { hide: true } })
    .all("/v1/*", noRoute, { detail: { hide: true } });
}

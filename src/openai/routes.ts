/**
 * The OpenAI API over HTTP: POST /v1/chat/completions and POST /v1/responses, streamed or not. Both take the client
 * key (Authorization: Bearer, as OpenAI clients send it, or x-api-key) through the shared guard, which checks it
 * before the body is read; every error leaves as an OpenAI error body. GET /v1/models is served by the Anthropic
 * routes, in a body both SDKs read.
 */
import { Elysia } from "elysia";
import { GatewayError } from "../errors";
import { describeValidation } from "../http/body";
import { type KeyGuard, thrownBy } from "../http/guard";
import type { Services } from "../services";
import { answerChat, answerResponses, type OpenAICall } from "./answer";
import { ECHOED_AS_SENT } from "./echo";
import { openaiErrorResponse } from "./errors";
import { CHAT_PASSED_THROUGH, keptStrings, RESPONSES_PASSED_THROUGH } from "./passed-through";
import { ChatCompletionsRequest, ResponsesRequest } from "./schemas";

/** The status proxies log for a request whose client went away before the answer (nginx's 499). */
const CLIENT_CLOSED_REQUEST = 499;

export function openaiRoutes(s: Services, guard: KeyGuard) {
  return new Elysia({ name: "openai" })
    .use(guard.plugin)
    .onError(({ code, error, request }) => {
      const cause = thrownBy(code, error);
      if (cause instanceof GatewayError) return openaiErrorResponse(cause);
      if (code === "VALIDATION") return openaiErrorResponse(new GatewayError("invalid_request", describeValidation(error.all, error.message)));
      if (code === "PARSE") return openaiErrorResponse(new GatewayError("invalid_request", "the request body is not valid JSON"));
      if (request.signal.aborted) {
        s.log.debug("the client left before the reply began", { path: new URL(request.url).pathname });
        return new Response(null, { status: CLIENT_CLOSED_REQUEST });
      }
      s.log.error("unexpected error", { path: new URL(request.url).pathname, error: error instanceof Error ? error.stack ?? error.message : String(error) });
      return openaiErrorResponse(new GatewayError("internal", "kiro-ts failed unexpectedly; the details are in its log"));
    })
    // Covers every route after it; a guard with a callback would make Elysia build each route twice.
    .guard({ key: "client" })
    .post(
      "/v1/chat/completions",
      ({ body, request, server, client }) => {
        // Long replies must not be cut by the server's idle timeout; pings keep proxies in between awake.
        server?.timeout(request, 0);
        return answerChat(s, body, callOf(request, client, body, body.messages));
      },
      guard.jsonBody(ChatCompletionsRequest, "client", CHAT_PASSED_THROUGH),
    )
    .post(
      "/v1/responses",
      ({ body, request, server, client }) => {
        server?.timeout(request, 0);
        return answerResponses(s, body, callOf(request, client, body, body.input));
      },
      guard.jsonBody(ResponsesRequest, "client", RESPONSES_PASSED_THROUGH, ECHOED_AS_SENT),
    );
}

/** What either answer takes from its request: the client's signal and headers, its record, the body's kept strings. */
function callOf(request: Request, client: OpenAICall["observer"] | undefined, body: object, items: unknown): OpenAICall {
  return { signal: request.signal, headers: request.headers, ...(client ? { observer: client } : {}), ...keptStrings(body, items) };
}

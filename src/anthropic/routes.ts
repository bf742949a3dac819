/**
 * The client-facing Anthropic API: /v1/models, /v1/messages (streamed or not), /v1/messages/count_tokens.
 * Every route checks the client key; every error leaves as an Anthropic error body.
 */
import type { TSchema } from "@sinclair/typebox";
import type { Server } from "bun";
import { Elysia } from "elysia";
import { authenticate } from "../auth";
import { BodyError, describeValidation, jsonBodyReader } from "../body";
import { GatewayError } from "../errors";
import { generateAssistantResponse } from "../kiro/chat";
import { HeaderBlocks } from "../kiro/eventstream";
import { webSearch } from "../kiro/mcp";
import { resolveModel } from "../kiro/models";
import { openReply } from "../kiro/reply";
import { Watchdog } from "../kiro/watchdog";
import type { Services } from "../services";
import { conversationJson, convertRequest } from "./convert";
import { countTokens } from "./count";
import { errorResponse } from "./errors";
import { noRouteError } from "./misroute";
import { answerOf, jsonMessage, sseResponse, type Reply } from "./respond";
import { CountTokensRequest, MessagesRequest } from "./schemas";
import { StreamTranslator } from "./stream";
import { estimateInputTokens } from "./tokens";
import { webSearchEvents, webSearchQuery } from "./web-search";

export function anthropicRoutes(s: Services) {
  const headerBlocks = new HeaderBlocks();
  // A POST is checked when its body is read, before the guard runs: the guard then need not check it again.
  const passed = new WeakSet<Request>();
  const requireKey = (request: Request, server: Server<unknown> | null) => {
    if (passed.has(request)) return;
    const outcome = authenticate(s.authLimiter, server?.requestIP(request)?.address ?? "unknown", request.headers, s.config.apiKey);
    if (outcome.ok) return void passed.add(request);
    s.log.info("rejected a request with a wrong or missing API key", { path: new URL(request.url).pathname, status: outcome.status });
    throw outcome.status === 429
      ? new GatewayError("rate_limited", "too many failed authentication attempts from this address; wait and retry", { retryAfterSecs: outcome.retryAfterSecs })
      : new GatewayError("authentication", "invalid x-api-key");
  };
  /** The key before the body (src/body.ts says why Elysia does not read it): a stranger's body is never parsed. */
  const jsonBody = (schema: TSchema) => {
    const read = jsonBodyReader(schema);
    return async ({ request, server }: { request: Request; server: Server<unknown> | null }) => {
      requireKey(request, server);
      try {
        return await read(request);
      } catch (e) {
        throw e instanceof BodyError ? new GatewayError("invalid_request", e.message) : e;
      }
    };
  };

  const noRoute = ({ request }: { request: Request }): never => {
    throw noRouteError(s.log, request.method, request.url);
  };

  return new Elysia({ name: "anthropic" })
    .onError(({ code, error, request }) => {
      // What the body reader throws arrives wrapped in Elysia's ParseError.
      const cause = code === "PARSE" ? error.cause : error;
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
    .guard(
      {
        beforeHandle({ request, server }) {
          requireKey(request, server);
        },
      },
      (app) =>
        app
          .get("/v1/models", () => {
            const listed = s.models.table.listed;
            return {
              data: listed.map((m) => ({ type: "model" as const, ...m })),
              has_more: false,
              first_id: listed[0]?.id ?? null,
              last_id: listed.at(-1)?.id ?? null,
            };
          })
          .post(
            "/v1/messages/count_tokens",
            async ({ body }) => {
              // The same checks as /v1/messages: a request that can be counted is one that can be sent. Only the
              // fields count_tokens validates go in (an unchecked metadata.user_id of 5 would reach string code).
              const { model, messages, system, tools, thinking } = body;
              convertRequest({ model, messages, system, tools, thinking, max_tokens: 1 }, { models: s.models.table });
              return { input_tokens: await countTokens(body, s) };
            },
            { body: CountTokensRequest, parse: jsonBody(CountTokensRequest) },
          )
          .post(
            "/v1/messages",
            async ({ body, request, server }) => {
              const query = webSearchQuery(body);
              if (query !== undefined) return searchTheWeb(s, body, query, request.signal);
              const converted = convertRequest(body, { models: s.models.table });
              const kiroJson = conversationJson(converted.conversationState);
              s.log.debug("messages request", {
                model: body.model,
                kiroModel: converted.kiroModelId,
                stream: !!body.stream,
                messages: body.messages.length,
                tools: body.tools?.length ?? 0,
                kiroBytes: kiroJson.length,
              });
              // Aborted when the client disconnects, or when our response stream is cancelled.
              const upstream = new AbortController();
              const signal = AbortSignal.any([request.signal, upstream.signal]);
              // Long replies must not be cut by the server's idle timeout; pings keep proxies in between awake.
              server?.timeout(request, 0);
              const inputTokens = whileUpstreamWorks(() => estimateInputTokens(body));
              const opened = await s.pool.send(signal, async (account, accessToken) => {
                const watchdog = new Watchdog(s.config.firstEventTimeoutSecs * 1000);
                try {
                  const body = await generateAssistantResponse(
                    s.upstream,
                    { credential: { ...account.credential, accessToken }, machineId: account.machineId },
                    kiroJson,
                    AbortSignal.any([signal, watchdog.signal]),
                  );
                  const onSkip = (reason: string) => s.log.warn("skipped a corrupt frame", { account: account.name, reason });
                  const reply = await openReply(body, { onSkip, watchdog, headerBlocks });
                  watchdog.streaming(s.config.streamIdleTimeoutSecs * 1000);
                  return reply;
                } catch (e) {
                  watchdog.stop();
                  throw e;
                }
              });
              const reply: Reply = { ...opened, abort: () => upstream.abort() };
              const translator = new StreamTranslator({
                model: body.model,
                thinking: converted.thinking,
                inputTokens: await inputTokens,
                contextWindow: converted.contextWindow,
                toolNames: converted.toolNames,
              });
              return body.stream ? sseResponse(translator, reply, s.log) : jsonMessage(translator, reply, s.log);
            },
            { body: MessagesRequest, parse: jsonBody(MessagesRequest) },
          )
          // Anything else under /v1 answers like the Anthropic API rather than with a bare "NOT_FOUND"; GET is named
          // apart because the UI's GET /* would otherwise take it.
          .get("/v1/*", noRoute, { detail: { hide: true } })
          .all("/v1/*", noRoute, { detail: { hide: true } }),
    );
}

/** Claude Code's WebSearch: Kiro's search runs on an account from the pool, and the answer is made from its hits. */
async function searchTheWeb(s: Services, body: MessagesRequest, query: string, signal: AbortSignal) {
  // An unknown model is refused here as on any other request, though the search itself needs none.
  resolveModel(body.model, s.models.table);
  s.log.debug("web search", { model: body.model, stream: !!body.stream });
  const hits = await s.pool.send(signal, (account, accessToken) =>
    webSearch(s.upstream, { credential: { ...account.credential, accessToken }, machineId: account.machineId }, query, signal),
  );
  return answerOf(webSearchEvents({ model: body.model, query, hits, inputTokens: estimateInputTokens(body) }), !!body.stream);
}



/** The status proxies log for a request whose client went away before the answer (nginx's 499). */
const CLIENT_CLOSED_REQUEST = 499;

/**
 * Runs `work` when the event loop is next free, which is after the upstream request has gone out: work that only
 * the reply needs (the input estimate walks every character of the body) then overlaps Kiro's time to answer
 * instead of adding to it. Never an unhandled rejection, even when nobody awaits the result.
 */
function whileUpstreamWorks<T>(work: () => T): Promise<T> {
  const result = new Promise<T>((resolve, reject) =>
    setImmediate(() => {
      try {
        resolve(work());
      } catch (e) {
        reject(e);
      }
    }),
  );
  result.catch(() => {});
  return result;
}

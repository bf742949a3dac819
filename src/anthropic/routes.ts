/**
 * The client-facing Anthropic API: /v1/models, /v1/messages (streamed or not), /v1/messages/count_tokens.
 * Every route checks the client key; every error leaves as an Anthropic error body.
 */
import { Elysia } from "elysia";
import { authenticate } from "../auth";
import { GatewayError } from "../errors";
import { generateAssistantResponse } from "../kiro/chat";
import { MODELS, resolveModel } from "../kiro/models";
import { openReply } from "../kiro/reply";
import { Watchdog } from "../kiro/watchdog";
import type { Services } from "../services";
import { convertRequest } from "./convert";
import { countTokens } from "./count";
import { describeValidation, errorResponse } from "./errors";
import { jsonMessage, sseResponse, type Reply } from "./respond";
import { CountTokensRequest, MessagesRequest } from "./schemas";
import { StreamTranslator } from "./stream";
import { estimateInputTokens } from "./tokens";

export function anthropicRoutes(s: Services) {
  return new Elysia({ name: "anthropic" })
    .onError(({ code, error, request }) => {
      if (error instanceof GatewayError) return errorResponse(error);
      if (code === "VALIDATION") {
        return errorResponse(new GatewayError("invalid_request", describeValidation(error.all, error.message)));
      }
      if (code === "PARSE") return errorResponse(new GatewayError("invalid_request", "the request body is not valid JSON"));
      if (code === "NOT_FOUND") return errorResponse(new GatewayError("not_found", `no route ${request.method} ${new URL(request.url).pathname}`));
      s.log.error("unexpected error", { path: new URL(request.url).pathname, error: error instanceof Error ? error.stack ?? error.message : String(error) });
      return errorResponse(new GatewayError("internal", "kiro-ts failed unexpectedly; the details are in its log"));
    })
    .guard(
      {
        beforeHandle({ request, server }) {
          const outcome = authenticate(s.authLimiter, server?.requestIP(request)?.address ?? "unknown", request.headers, s.config.apiKey);
          if (outcome.ok) return;
          s.log.info("rejected a request with a wrong or missing API key", { path: new URL(request.url).pathname, status: outcome.status });
          return outcome.status === 429
            ? errorResponse(new GatewayError("rate_limited", "too many failed authentication attempts from this address; wait and retry", { retryAfterSecs: outcome.retryAfterSecs }))
            : errorResponse(new GatewayError("authentication", "invalid x-api-key"));
        },
      },
      (app) =>
        app
          .get("/v1/models", () => ({
            data: MODELS.map((m) => ({ type: "model" as const, ...m })),
            has_more: false,
            first_id: MODELS[0]?.id ?? null,
            last_id: MODELS.at(-1)?.id ?? null,
          }))
          .post(
            "/v1/messages/count_tokens",
            async ({ body }) => {
              resolveModel(body.model);
              return { input_tokens: await countTokens(body, s) };
            },
            { body: CountTokensRequest },
          )
          .post(
            "/v1/messages",
            async ({ body, request, server }) => {
              const converted = convertRequest(body);
              const conversationJson = JSON.stringify(converted.conversationState);
              s.log.debug("messages request", {
                model: body.model,
                kiroModel: converted.kiroModelId,
                stream: !!body.stream,
                messages: body.messages.length,
                tools: body.tools?.length ?? 0,
                kiroBytes: conversationJson.length,
              });
              // Aborted when the client disconnects, or when our response stream is cancelled.
              const upstream = new AbortController();
              const signal = AbortSignal.any([request.signal, upstream.signal]);
              // Long replies must not be cut by the server's idle timeout; pings keep proxies in between awake.
              server?.timeout(request, 0);
              const opened = await s.pool.send(signal, async (account, accessToken) => {
                const watchdog = new Watchdog(s.config.firstEventTimeoutSecs * 1000);
                try {
                  const body = await generateAssistantResponse(
                    s.upstream,
                    { credential: { ...account.credential, accessToken }, machineId: account.machineId },
                    conversationJson,
                    AbortSignal.any([signal, watchdog.signal]),
                  );
                  const onSkip = (reason: string) => s.log.warn("skipped a corrupt frame", { account: account.name, reason });
                  const reply = await openReply(body, { onSkip, watchdog });
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
                inputTokens: estimateInputTokens(body),
                contextWindow: converted.contextWindow,
                toolNames: converted.toolNames,
              });
              return body.stream ? sseResponse(translator, reply, s.log) : jsonMessage(translator, reply, s.log);
            },
            { body: MessagesRequest },
          ),
    );
}

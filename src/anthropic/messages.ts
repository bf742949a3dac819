/**
 * One /v1/messages request, apart from HTTP: a web search is answered by Kiro's search; anything else is
 * converted to a Kiro conversation, sent through the pool (failover before the first byte), translated, and
 * written as SSE or folded into one message.
 */
import { webSearch } from "../kiro/mcp";
import type { Services } from "../services";
import { conversationJson, convertRequest } from "./convert";
import { checkMaxTokens } from "./max-tokens";
import { answerOf, streamMessage, TranslatedReply } from "./respond";
import type { MessageResponse, MessagesRequest } from "./schemas";
import { StreamTranslator } from "./stream";
import { estimateInputTokens } from "./tokens";
import { webSearchEvents, webSearchQuery } from "./web-search";

export interface MessagesCall {
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
}

export async function answerMessages(s: Services, body: MessagesRequest, call: MessagesCall): Promise<Response | MessageResponse> {
  const query = webSearchQuery(body);
  if (query !== undefined) return searchTheWeb(s, body, query, call.signal);
  const reply = await sendMessages(s, body, call);
  return body.stream ? streamMessage(reply, s.log) : reply.message();
}

/**
 * The path every front shares: an Anthropic-shaped request converted to a Kiro conversation, sent through the
 * pool (failover before the first byte), and opened as a translated reply.
 */
export async function sendMessages(s: Services, body: MessagesRequest, { signal: clientSignal }: MessagesCall): Promise<TranslatedReply> {
  checkMaxTokens(body.max_tokens, body.model, s.models.table);
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
  const signal = AbortSignal.any([clientSignal, upstream.signal]);
  const inputTokens = whileUpstreamWorks(() => estimateInputTokens(body));
  const opened = await s.pool.send(signal, (account, accessToken) => s.chat.open(account.caller(accessToken), kiroJson, signal));
  const translator = new StreamTranslator({
    model: body.model,
    thinking: converted.thinking,
    inputTokens: await inputTokens,
    contextWindow: converted.contextWindow,
    toolNames: converted.toolNames,
  });
  return new TranslatedReply(translator, { ...opened, abort: () => upstream.abort() }, s.log);
}

/** Claude Code's WebSearch: Kiro's search runs on an account from the pool, and the answer is made from its hits. */
async function searchTheWeb(s: Services, body: MessagesRequest, query: string, signal: AbortSignal) {
  // An unknown model, or max_tokens above its limit, is refused here as on any other request, though the search needs neither.
  checkMaxTokens(body.max_tokens, body.model, s.models.table);
  s.log.debug("web search", { model: body.model, stream: !!body.stream });
  const hits = await s.pool.send(signal, (account, accessToken) => webSearch(s.upstream, account.caller(accessToken), query, signal));
  return answerOf(webSearchEvents({ model: body.model, query, hits, inputTokens: estimateInputTokens(body) }), !!body.stream);
}

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

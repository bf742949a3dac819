/**
 * One OpenAI request, apart from HTTP: converted in to an Anthropic request, sent down the path every front shares
 * (sendMessages: convert, pool with failover, Kiro call, translated reply), and the reply's events rendered out by
 * this front's writers — as SSE while they arrive, or folded into one JSON answer.
 */
import { checkMaxTokens } from "../anthropic/max-tokens";
import { type MessagesCall, sendMessages } from "../anthropic/messages";
import { TextDelta } from "../anthropic/output";
import { type AnsweredReply, PING_AFTER_MS } from "../anthropic/respond";
import type { MessagesRequest, StreamEvent } from "../anthropic/schemas";
import { jsonAnswer } from "../http/json-answer";
import { type SseFormat, sseResponse } from "../http/sse";
import type { Services } from "../services";
import { ChatChunkWriter, ChatFolder } from "./chat-reply";
import { chatToMessages } from "./chat-request";
import { Echo } from "./echo";
import { openaiErrorBody } from "./errors";
import type { Origins } from "./origins";
import { ResponsesWriter } from "./responses-reply";
import { responsesToMessages } from "./responses-request";
import type { ChatCompletionChunk, ChatCompletionsRequest, ResponsesEvent, ResponsesRequest } from "./schemas";

/** What the shared path is told of the HTTP request: the client's signal, headers and the request log's observer. */
export type OpenAICall = Omit<MessagesCall, "complete" | "sessionKey">;

const hex = () => crypto.randomUUID().replaceAll("-", "");
const unixNow = () => Math.floor(Date.now() / 1000);

/** A comment line: every SSE parser passes over it. */
const PING = ": ping\n\n";

/** Chat Completions' SSE: bare `data:` lines, an error object as the last words, `data: [DONE]` at the end. */
const CHAT_SSE: SseFormat<ChatCompletionChunk> = {
  encode: (chunk) => `data: ${JSON.stringify(chunk)}\n\n`,
  ping: PING,
  failure: (e) => `data: ${JSON.stringify(openaiErrorBody(e))}\n\n`,
  done: "data: [DONE]\n\n",
};

export async function answerChat(s: Services, body: ChatCompletionsRequest, call: OpenAICall): Promise<Response> {
  const { request, stop, budgetField, origins } = chatToMessages(body);
  const opts = { id: `chatcmpl-${hex()}`, model: body.model, created: unixNow(), stop, includeUsage: body.stream_options?.include_usage === true };
  const writer = new ChatChunkWriter(opts);
  const reply = await send(s, request, withSession(call, body.prompt_cache_key), budgetField, "messages", origins);
  if (body.stream === true) return sseResponse(rendered(reply, writer), CHAT_SSE, { log: s.log, pingAfterMs: PING_AFTER_MS, onLeave: () => reply.leave() });
  return jsonAnswer([JSON.stringify(await reply.fold(new ChatFolder(writer, opts)))]);
}

export async function answerResponses(s: Services, body: ResponsesRequest, call: OpenAICall): Promise<Response> {
  const { request, tools, compaction, budgetField, origins } = responsesToMessages(body);
  const echo = new Echo(body);
  const writer = new ResponsesWriter({ id: `resp_${hex()}`, model: body.model, createdAt: unixNow(), tools, compaction, echo: echo.values, quiet: body.stream !== true });
  // A streamed freeform call is shown as it is written: the writer decodes its text from the fragments.
  const streamedTools = body.stream === true ? tools.customNames() : undefined;
  const reply = await send(s, request, { ...withSession(call, body.prompt_cache_key), ...(streamedTools?.size ? { streamedTools } : {}) }, budgetField, "input", origins);
  if (body.stream === true) {
    const format: SseFormat<ResponsesEvent> = {
      encode: (event) => `event: ${event.type}\ndata: ${echo.eventJson(event)}\n\n`,
      ping: PING,
      failure: (e) => format.encode(writer.failed(e)),
    };
    return sseResponse(rendered(reply, writer), format, { log: s.log, pingAfterMs: PING_AFTER_MS, onLeave: () => reply.leave() });
  }
  return jsonAnswer(echo.responsePieces(await reply.fold(writer)));
}

/**
 * The shared path, its errors in the client's terms: the output budget checked under the field the client named it
 * (the shared path's own check then passes), and a block the converter refuses named by the OpenAI field it came
 * from; `list` is the request's conversation field.
 */
async function send(s: Services, request: MessagesRequest, call: MessagesCall, budgetField: string, list: string, origins: Origins) {
  try {
    checkMaxTokens(request.max_tokens, request.model, s.models.table, budgetField);
    return await sendMessages(s, request, call);
  } catch (e) {
    throw origins.inClientTerms(e, request, list);
  }
}

/** OpenAI's prompt_cache_key names the client's conversation, which keeps it on one account (session affinity). */
const withSession = (call: OpenAICall, key: string | null | undefined): MessagesCall => (key ? { ...call, sessionKey: key } : call);

/** A front's writer: what it renders of each event. */
interface EventWriter<T> {
  push(event: StreamEvent): T[];
}

/**
 * The reply's batches of events as the writer renders them, one block's texts in a batch joined (joinTexts): a
 * stream's. A non-streamed answer folds the events where they lie (AnsweredReply.fold), the texts as they came. The
 * writer itself is given, not a closure over it made per request (src/jit.ts says why).
 */
async function* rendered<T>(reply: AnsweredReply, writer: EventWriter<T>): AsyncGenerator<T[]> {
  for await (const batch of reply.events()) {
    const out: T[] = [];
    for (const e of joinTexts(batch)) for (const item of writer.push(e)) out.push(item);
    yield out;
  }
}

type TextDeltaEvent = Extract<StreamEvent, { type: "content_block_delta" }> & { delta: { type: "text_delta" } };
/** Thinking stays one delta per Kiro event, as the Anthropic writer keeps it (kiro-protocol-2026.md, conformance test 10). */
const isText = (e: StreamEvent): e is TextDeltaEvent => e.type === "content_block_delta" && e.delta.type === "text_delta";

/**
 * One block's text deltas that follow each other in a batch (one read of Kiro's reply), as one: a chunk or event
 * then carries what arrived at once, not each Kiro frame's few words in 150–200 bytes of envelope. The client reads
 * the same text at the same moment (the Anthropic writer joins them as bytes, output.ts's writeSSE).
 */
export function joinTexts(batch: readonly StreamEvent[]): readonly StreamEvent[] {
  let joined: StreamEvent[] | undefined;
  for (let i = 0; i < batch.length; ) {
    const e = batch[i]!;
    let end = i + 1;
    if (isText(e)) while (end < batch.length && isText(batch[end]!) && (batch[end] as TextDeltaEvent).index === e.index) end++;
    if (end - i > 1) {
      joined ??= batch.slice(0, i);
      const text = (batch.slice(i, end) as TextDeltaEvent[]).map((t) => t.delta.text).join("");
      joined.push({ type: "content_block_delta", index: (e as TextDeltaEvent).index, delta: new TextDelta(text) });
    } else joined?.push(e);
    i = end;
  }
  return joined ?? batch;
}

/**
 * One /v1/messages request, apart from HTTP: a web search is answered by Kiro's search; anything else is
 * converted to a Kiro conversation, sent through the pool, translated, and written as SSE or folded into one
 * message. A stream can move to another account until its first byte; a non-streaming answer until it is complete.
 */
import { GatewayError } from "../errors";
import { jsonAnswer } from "../http/json-answer";
import { restoreVerbatim, type Verbatim, verbatimOf } from "../http/verbatim";
import { Invocation } from "../kiro/chat";
import { webSearch } from "../kiro/mcp";
import type { OpenedReply } from "../kiro/reply";
import type { Account } from "../pool/account";
import { type AttemptObserver, BrokenReply, type WaitPolicy } from "../pool/pool";
import type { Services } from "../services";
import type { ConvertedRequest } from "./convert";
import { checkMaxTokens } from "./max-tokens";
import { type AnsweredReply, answerOf, CompletedReply, type ReplyObserver, streamMessage, TranslatedReply } from "./respond";
import { MessageFolder } from "./output";
import { KiroPlan } from "./plan";
import type { MessageResponse, MessagesRequest } from "./schemas";
import { conversationIdOf, sessionKeyOf } from "./session";
import { StreamTranslator } from "./stream";
import { estimateInputTokens } from "./tokens";
import { isWebSearch, webSearchEvents, webSearchQuery } from "./web-search";

export interface MessagesCall {
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  /**
   * Read the whole reply before answering (default: when `stream` is not true). Until then nothing has reached the
   * client, so a failure anywhere in the reply — cut, Kiro's exception, a stall — moves it to another account.
   */
  complete?: boolean;
  /** The request's headers: the session (affinity) and the context-1m beta are read from them. */
  headers?: Headers;
  /** The conversation this request belongs to, when the front knows it (OpenAI's prompt_cache_key). */
  sessionKey?: string;
  /** Told what happens to the request (the request log's record): its Kiro model, attempts and replies. */
  observer?: RequestObserver;
  /** The strings another front's body reader kept as the client's text, now in `body` (OpenAI's converted request). */
  verbatim?: Verbatim;
  /** Tools whose calls stream as Kiro writes them (TranslatorOptions.streamedTools); every other call comes whole. */
  streamedTools?: ReadonlySet<string>;
}

export interface RequestObserver extends AttemptObserver, ReplyObserver {
  sending(kiroModel: string): void;
}

export async function answerMessages(s: Services, body: MessagesRequest, call: MessagesCall): Promise<Response | MessageResponse> {
  // A web search reads its query from the message: the strings the body reader kept as text are read here.
  const query = webSearchQuery(isWebSearch(body) ? restoreVerbatim(body) : body);
  if (query !== undefined) return searchTheWeb(s, restoreVerbatim(body), query, call.signal, call.observer);
  const reply = await sendMessages(s, body, call);
  return body.stream ? streamMessage(reply, s.log) : jsonAnswer([JSON.stringify(await reply.fold(new MessageFolder()))]);
}

/**
 * The path every front shares: an Anthropic-shaped request converted to a Kiro conversation, sent through the
 * pool, and answered as translated events: opened (a stream) or read to the end (`complete`).
 */
export async function sendMessages(
  s: Services,
  body: MessagesRequest,
  { signal: clientSignal, complete = !body.stream, headers, sessionKey = sessionKeyOf(body, headers), observer, verbatim, streamedTools }: MessagesCall,
): Promise<AnsweredReply> {
  if (verbatim && !verbatimOf(body)) verbatim.attach(body);
  checkMaxTokens(body.max_tokens, body.model, s.models.table);
  const plan = new KiroPlan(body, {
    conversationId: sessionKey ? conversationIdOf(sessionKey) : undefined,
    oneM: /context-1m/i.test(headers?.get("anthropic-beta") ?? ""),
    sendMaxTokens: s.config.kiroMaxTokens === "clamp",
    cachePoints: s.config.kiroCachePoints,
  });
  const first = plan.for(s.models.table);
  if (s.log.enabled("debug")) {
    s.log.debug("messages request", {
      model: body.model,
      kiroModel: first.converted.kiroModelId,
      stream: !!body.stream,
      messages: body.messages.length,
      tools: body.tools?.length ?? 0,
      kiroChars: first.chat.conversation.reduce((n, piece) => n + piece.length, 0),
    });
  }
  const invocation = new Invocation();
  // Aborted when the client disconnects, or when our response stream is cancelled. The client's signal is followed
  // by a listener: AbortSignal.any costs ~1 µs more.
  const upstream = new AbortController();
  const signal = upstream.signal;
  if (clientSignal.aborted) upstream.abort(clientSignal.reason);
  else clientSignal.addEventListener("abort", () => upstream.abort(clientSignal.reason));
  const abortUpstream = () => upstream.abort();
  const inputTokens = whileUpstreamWorks(() => estimateInputTokens(body));
  const translated = (opened: OpenedReply, converted: ConvertedRequest) => {
    const translator = new StreamTranslator({
      model: body.model,
      thinking: converted.thinking,
      inputTokens: inputTokens(),
      contextWindow: converted.contextWindow,
      toolNames: converted.toolNames,
      ...(body.stop_sequences ? { stopSequences: body.stop_sequences } : {}),
      ...(streamedTools ? { streamedTools } : {}),
    });
    return new TranslatedReply(translator, { first: opened.first, rest: opened.rest, abort: abortUpstream }, s.log, observer);
  };
  const deadline = new FirstByteDeadline(s.config.firstByteTimeoutSecs, upstream);
  const attempt = async (account: Account, accessToken: string): Promise<AnsweredReply> => {
    // Each account is routed by its own catalog (§7); a model other than the one asked is said at info.
    const { converted, chat } = plan.for(s.models.forAccount(account.name));
    observer?.sending(converted.kiroModelId);
    if (converted.asked !== converted.kiroModelId) {
      s.log.info("another model serves the one asked for", { asked: body.model, served: converted.kiroModelId, account: account.name });
    }
    if (sessionKey) s.sessions.remember(sessionKey, account.name);
    const reply = await translated(await s.chat.open(account.caller(accessToken), chat, signal, invocation), converted);
    if (!complete) return reply;
    try {
      return await deadline.flowing(() => CompletedReply.read(reply));
    } catch (e) {
      if (signal.aborted || deadline.passed || !(e instanceof GatewayError)) throw e;
      throw new BrokenReply(e);
    }
  };
  try {
    const prefer = sessionKey ? s.sessions.accountOf(sessionKey) : undefined;
    return await s.pool.send(signal, attempt, { wait: waitPolicy(s), prefer, observer });
  } catch (e) {
    throw deadline.missed !== undefined && signal.reason === deadline.missed ? deadline.missed : e;
  } finally {
    deadline.stop();
    // No attempt sends the request again: the client's bytes of its long strings can go now, not at a collection.
    verbatimOf(body)?.release();
  }
}

/** How long a request may wait for an account to come back, when none can serve now. */
const waitPolicy = (s: Services): WaitPolicy => ({ waitSecs: s.config.queueWaitSecs, maxQueued: s.config.maxQueued });

/**
 * firstByteTimeoutSecs: however many accounts are tried and waited for, a reply begins within it, or the client
 * hears why not. A reply already flowing is not cut by it (a long non-streaming answer takes what it takes), but
 * once it has passed, a reply that breaks is not tried again.
 */
class FirstByteDeadline {
  /** What the request ends with when the deadline aborted it; made only then (an Error costs its stack trace). */
  missed: GatewayError | undefined;
  passed = false;
  private reading = false;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(secs: number, upstream: AbortController) {
    this.timer = setTimeout(() => {
      this.passed = true;
      if (this.reading) return;
      this.missed = new GatewayError("timeout", `no Kiro reply began within ${secs} s (firstByteTimeoutSecs), across every account tried and waited for`);
      upstream.abort(this.missed);
    }, secs * 1000);
  }

  async flowing<T>(read: () => Promise<T>): Promise<T> {
    this.reading = true;
    try {
      return await read();
    } finally {
      this.reading = false;
    }
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** Claude Code's WebSearch: Kiro's search runs on an account from the pool, and the answer is made from its hits. */
async function searchTheWeb(s: Services, body: MessagesRequest, query: string, signal: AbortSignal, observer?: AttemptObserver) {
  // An unknown model, or max_tokens above its limit, is refused here as on any other request, though the search needs neither.
  checkMaxTokens(body.max_tokens, body.model, s.models.table);
  s.log.debug("web search", { model: body.model, stream: !!body.stream });
  const hits = await s.pool.send(signal, (account, accessToken) => webSearch(s.upstream, account.caller(accessToken), query, signal), {
    wait: waitPolicy(s),
    ...(observer ? { observer } : {}),
  });
  return answerOf(webSearchEvents({ model: body.model, query, hits, inputTokens: estimateInputTokens(body) }), !!body.stream);
}

/**
 * Runs `work` when the event loop is next free, which is after the upstream request has gone out: work that only
 * the reply needs (the input estimate walks every character of the body) then overlaps Kiro's time to answer
 * instead of adding to it. The function returned gives its result, doing the work then if it has not run yet (and
 * throwing what it throws); no promise is made, so nothing is left to reject unheard.
 */
function whileUpstreamWorks<T>(work: () => T): () => T {
  let done = false;
  let result: T;
  const early = setImmediate(() => {
    try {
      result = work();
      done = true;
    } catch {
      // Asked for, the work runs again and throws there.
    }
  });
  return () => {
    if (done) return result;
    clearImmediate(early);
    result = work();
    done = true;
    return result;
  };
}

/**
 * The one place that turns a Kiro reply into the client's answer: the same translated events either written as
 * SSE while they arrive (stream=true) or folded into one JSON message (stream=false). Nothing buffers the reply.
 */
import { GatewayError } from "../errors";
import type { OpenedReply } from "../kiro/reply";
import type { KiroEvent } from "../kiro/types";
import type { Logger } from "../log";
import { errorBody } from "./errors";
import { encodeSSE, MessageFolder } from "./output";
import type { MessageResponse, StreamEvent } from "./schemas";
import type { StreamTranslator } from "./stream";

/** A reply whose first events were already read (to fail over before anything reached the client). */
export interface Reply extends OpenedReply {
  /** Aborts the upstream call: the download stops at once, whatever is pending. */
  abort(): void;
}

/** Upstream silence after which a ping is sent (kiro-protocol.md §5.1). */
export const PING_AFTER_MS = 25_000;

/**
 * The translated events of a reply. A reply that fails — Kiro's exception, or a stream cut after it began — ends
 * in a thrown GatewayError, which each writer renders in its own way.
 */
async function* translate(t: StreamTranslator, reply: Reply, log: Logger, clientGone = () => false): AsyncGenerator<StreamEvent[]> {
  yield t.start();
  const push = (events: KiroEvent[]) => events.flatMap((e) => t.push(e));
  yield push(reply.first);
  try {
    for (;;) {
      const next = await reply.rest.next();
      if (next.done) break;
      yield push(next.value);
    }
  } catch (e) {
    // We stopped the download because the client left: nothing failed, and nobody is there to tell.
    if (clientGone()) return;
    log.warn("reply failed after streaming began", { error: (e as Error).message });
    throw e;
  }
  yield t.finish();
}

const encoder = new TextEncoder();

export function sseResponse(t: StreamTranslator, reply: Reply, log: Logger, pingAfterMs = PING_AFTER_MS): Response {
  let clientGone = false;
  const events = translate(t, reply, log, () => clientGone);
  let lastWrite = Date.now();
  let ticker: ReturnType<typeof setInterval> | undefined;
  const stop = () => clearInterval(ticker);

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      ticker = setInterval(() => {
        if (Date.now() - lastWrite < pingAfterMs) return;
        lastWrite = Date.now();
        controller.enqueue(encoder.encode(encodeSSE({ type: "ping" })));
      }, Math.max(50, pingAfterMs / 5));
    },
    async pull(controller) {
      try {
        // A batch can translate to nothing (metering, text held back for tag detection): read on until
        // something is written, or Bun will not ask again until the next ping.
        for (;;) {
          const next = await events.next();
          if (clientGone) return;
          if (next.done) {
            stop();
            controller.close();
            return;
          }
          if (next.value.length === 0) continue;
          let text = "";
          for (const e of next.value) text += encodeSSE(e);
          lastWrite = Date.now();
          controller.enqueue(encoder.encode(text));
          return;
        }
      } catch (e) {
        stop();
        // The client left while we waited: the stream is cancelled, and there is nobody to tell.
        if (clientGone) return;
        // Streaming has begun: a failure ends it with an Anthropic error event, never a hang or a silent truncation.
        const failure = e instanceof GatewayError ? e : unexpected(e, log);
        controller.enqueue(encoder.encode(encodeSSE(errorBody(failure.kind, failure.message))));
        controller.close();
      }
    },
    cancel() {
      // The client left: abort the upstream download at once (a pending read would otherwise finish first).
      clientGone = true;
      stop();
      reply.abort();
      events.return(undefined).catch(() => {});
    },
  });

  return new Response(body, { headers: SSE_HEADERS });
}

function unexpected(e: unknown, log: Logger): GatewayError {
  log.error("unexpected error while streaming", { error: e instanceof Error ? e.stack ?? e.message : String(e) });
  return new GatewayError("internal", "kiro-ts failed unexpectedly; the details are in its log");
}

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" };

/** An answer whose events are all known at once (the web search), as SSE or folded into one message. */
export function answerOf(events: readonly StreamEvent[], stream: boolean): Response | MessageResponse {
  if (stream) return new Response(events.map(encodeSSE).join(""), { headers: SSE_HEADERS });
  const folder = new MessageFolder();
  for (const e of events) folder.push(e);
  return folder.result();
}

export async function jsonMessage(t: StreamTranslator, reply: Reply, log: Logger): Promise<MessageResponse> {
  const folder = new MessageFolder();
  for await (const batch of translate(t, reply, log)) for (const e of batch) folder.push(e);
  return folder.result();
}

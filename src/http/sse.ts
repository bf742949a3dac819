/**
 * Server-sent events for every front: a reply's batches of events written as they arrive, pulled by the client's
 * reading (backpressure), with a keep-alive when the upstream is silent and the upstream aborted at once when the
 * client leaves. What the events look like on the wire is the front's own format.
 */
import { GatewayError } from "../errors";
import type { Logger } from "../log";

export interface SseFormat<E> {
  /** The text of one event. */
  encode(event: E): string;
  /** A keep-alive the client's parser passes over. */
  ping: string;
  /** The last words of a stream that failed after it began. */
  failure(e: GatewayError): string;
  /** Written after the last event of a stream that ended well (OpenAI's `data: [DONE]`). */
  done?: string;
}

export interface SseOptions {
  log: Logger;
  /** Upstream silence after which a ping is sent. */
  pingAfterMs: number;
  /** The client left: stop the upstream at once. */
  onLeave(): void;
}

export const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" };

const encoder = new TextEncoder();

export function sseResponse<E>(events: AsyncGenerator<E[]>, format: SseFormat<E>, { log, pingAfterMs, onLeave }: SseOptions): Response {
  let clientGone = false;
  let lastWrite = Date.now();
  let ticker: ReturnType<typeof setInterval> | undefined;
  const stop = () => clearInterval(ticker);

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      ticker = setInterval(() => {
        if (Date.now() - lastWrite < pingAfterMs) return;
        lastWrite = Date.now();
        controller.enqueue(encoder.encode(format.ping));
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
            if (format.done) controller.enqueue(encoder.encode(format.done));
            controller.close();
            return;
          }
          if (next.value.length === 0) continue;
          let text = "";
          for (const e of next.value) text += format.encode(e);
          lastWrite = Date.now();
          controller.enqueue(encoder.encode(text));
          return;
        }
      } catch (e) {
        stop();
        // The client left while we waited: the stream is cancelled, and there is nobody to tell.
        if (clientGone) return;
        // Streaming has begun: a failure ends it with an error event, never a hang or a silent truncation.
        controller.enqueue(encoder.encode(format.failure(e instanceof GatewayError ? e : unexpected(e, log))));
        controller.close();
      }
    },
    cancel() {
      // The client left: abort the upstream download at once (a pending read would otherwise finish first).
      clientGone = true;
      stop();
      onLeave();
      events.return(undefined).catch(() => {});
    },
  });

  return new Response(body, { headers: SSE_HEADERS });
}

/** A failure of kiro-ts itself: the log gets the detail, the client the advice to read it. */
export function unexpected(e: unknown, log: Logger): GatewayError {
  log.error("unexpected error while streaming", { error: e instanceof Error ? e.stack ?? e.message : String(e) });
  return new GatewayError("internal", "kiro-ts failed unexpectedly; the details are in its log");
}

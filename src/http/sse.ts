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
  /** Writes one event in place of encode, when some of its bytes can go out as they came (a text's JSON literal). */
  write?(event: E, chunk: SseChunk): void;
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

/**
 * The bytes of one write: text, encoded once per run of it, and bytes copied in as they are (a text's JSON literal
 * as Kiro wrote it), straight from where they lie.
 */
export class SseChunk {
  private buf: Buffer | undefined;
  private at = 0;
  private text = "";

  /** `expected`: the bytes it will likely hold (the last write's), so that its buffer is made once, to size. */
  constructor(private readonly expected = 0) {}

  write(text: string): void {
    this.text += text;
  }

  /** Copies all of `bytes` (a small constant: set takes it whole, with no view to make). */
  put(bytes: Uint8Array): void {
    if (this.text !== "") this.settle();
    this.room(bytes.length);
    this.buf!.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** Copies `bytes` from `start` to `end`. */
  copy(bytes: Uint8Array, start: number, end: number): void {
    if (this.text !== "") this.settle();
    this.room(end - start);
    this.at += Buffer.prototype.copy.call(bytes, this.buf!, this.at, start, end);
  }

  bytes(): Uint8Array {
    if (!this.buf) return encoder.encode(this.text);
    if (this.text !== "") this.settle();
    return this.buf.subarray(0, this.at);
  }

  private settle(): void {
    // At most three bytes a UTF-16 unit.
    this.room(this.text.length * 3);
    this.at += this.buf!.write(this.text, this.at, "utf8");
    this.text = "";
  }

  private room(n: number): void {
    if (this.buf && this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf ? 2 * this.buf.length : this.expected + (this.expected >> 3), MIN_BYTES, this.at + n));
    if (this.buf) this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }
}

/** The smallest buffer a write makes. */
const MIN_BYTES = 4096;

export function sseResponse<E>(events: AsyncGenerator<E[]>, format: SseFormat<E>, { log, pingAfterMs, onLeave }: SseOptions): Response {
  let clientGone = false;
  let lastWrite = Date.now();
  let lastBytes = 0;
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
          const chunk = new SseChunk(lastBytes);
          if (format.write) for (const e of next.value) format.write(e, chunk);
          else for (const e of next.value) chunk.write(format.encode(e));
          lastWrite = Date.now();
          const bytes = chunk.bytes();
          lastBytes = bytes.length;
          controller.enqueue(bytes);
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

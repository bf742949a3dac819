/**
 * Server-sent events for every front: a reply's batches of events written as they arrive, at the client's pace
 * (a write the client cannot take yet is awaited before the next batch is read), with a keep-alive when the upstream is silent and the upstream aborted at once when the
 * client leaves. What the events look like on the wire is the front's own format.
 */
import { GatewayError } from "../errors";
import { keepApart } from "../jit";
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
 * as Kiro wrote it), straight from where they lie. Its buffer is kept for the next write once `clear`ed.
 */
export class SseChunk {
  /** What the format's last write left open for the next to continue (its own note), -1 for nothing; cleared with the chunk. */
  mark = -1;
  private buf: Buffer | undefined;
  private at = 0;
  private text = "";

  write(text: string): void {
    this.text += text;
  }

  /** Copies all of `bytes` (a small constant: set takes it whole, with no view to make). */
  put(bytes: Uint8Array): void {
    if (this.text !== "") this.settle();
    const n = bytes.length;
    this.room(n);
    const buf = this.buf!;
    // A native set costs more than a loop on a few bytes (a text delta's closing `}}\n\n`, on every frame).
    if (n <= FEW_BYTES) for (let i = 0; i < n; i++) buf[this.at + i] = bytes[i]!;
    else buf.set(bytes, this.at);
    this.at += n;
  }

  /** Copies `bytes` from `start` to `end`. */
  copy(bytes: Uint8Array, start: number, end: number): void {
    if (this.text !== "") this.settle();
    this.room(end - start);
    this.at += Buffer.prototype.copy.call(bytes, this.buf!, this.at, start, end);
  }

  /** Takes back the last `n` bytes copied in (never text written since). */
  unwrite(n: number): void {
    this.at -= n;
  }

  /** What was written: a view of the buffer, valid until the next `clear`. */
  bytes(): Uint8Array {
    if (this.text !== "") this.settle();
    return this.buf ? this.buf.subarray(0, this.at) : NOTHING;
  }

  /** Empties the chunk for the next write, keeping its buffer. */
  clear(): void {
    this.at = 0;
    this.text = "";
    this.mark = -1;
  }

  private settle(): void {
    // At most three bytes a UTF-16 unit.
    this.room(this.text.length * 3);
    this.at += this.buf!.write(this.text, this.at, "utf8");
    this.text = "";
  }

  private room(n: number): void {
    if (this.buf && this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf ? 2 * this.buf.length : 0, MIN_BYTES, this.at + n));
    if (this.buf) this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }
}

/** Up to this many bytes, `put` copies in JS. */
const FEW_BYTES = 8;
/** The smallest buffer a write makes. */
const MIN_BYTES = 4096;
const NOTHING = new Uint8Array(0);

/**
 * A direct stream (Bun's): served, each write is copied into the socket's buffer (sse.test.ts holds Bun to that), so
 * one chunk's buffer serves every write of a reply instead of a fresh one per batch (fresh memory was most of a long
 * reply's CPU). A reader in the same process (`Response.text()` on a response never served) is handed views of that
 * buffer instead, and sees later batches over earlier ones unless it reads each before the next is written. A write the destination cannot take yet returns a promise: awaiting it holds the upstream's reading
 * to the client's pace.
 */
export function sseResponse<E>(events: AsyncGenerator<E[]>, format: SseFormat<E>, options: SseOptions): Response {
  // lib.dom's ReadableStream, which the project's types use, does not know Bun's direct sources.
  return new Response(new ReadableStream(new SseSource(events, format, options) as unknown as UnderlyingDefaultSource<Uint8Array>), { headers: SSE_HEADERS });
}

/**
 * One reply's stream, as Bun's direct source. A class, not an object of closures made per reply, so that what the
 * loop calls for each batch (`send`) is one function for every reply (src/jit.ts).
 */
class SseSource<E> implements Bun.DirectUnderlyingSource<Uint8Array> {
  readonly type = "direct";
  private clientGone = false;
  private lastWrite = Date.now();
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly events: AsyncGenerator<E[]>,
    private readonly format: SseFormat<E>,
    private readonly options: SseOptions,
  ) {}

  async pull(controller: ReadableStreamDirectController): Promise<void> {
    const { events, format } = this;
    this.ticker = setInterval(() => {
      if (Date.now() - this.lastWrite >= this.options.pingAfterMs) void this.send(controller, encoder.encode(format.ping));
    }, Math.max(50, this.options.pingAfterMs / 5));
    const chunk = new SseChunk();
    try {
      for (;;) {
        const next = await events.next();
        if (this.clientGone) return;
        if (next.done) break;
        // A batch can translate to nothing (metering, text held back for tag detection).
        if (next.value.length === 0) continue;
        const sent = this.send(controller, render(next.value, format, chunk));
        if (sent instanceof Promise) await sent;
        if (this.clientGone) return;
      }
      this.stop();
      if (format.done) this.send(controller, encoder.encode(format.done));
      controller.close();
    } catch (e) {
      this.stop();
      // The client left while we waited: the stream is cancelled, and there is nobody to tell.
      if (this.clientGone) return;
      // Streaming has begun: a failure ends it with an error event, never a hang or a silent truncation.
      this.send(controller, encoder.encode(format.failure(e instanceof GatewayError ? e : unexpected(e, this.options.log))));
      controller.close();
    }
  }

  cancel(): void {
    // The client left: abort the upstream download at once (a pending read would otherwise finish first).
    this.clientGone = true;
    this.stop();
    this.options.onLeave();
    this.events.return(undefined).catch(() => {});
  }

  private send(controller: ReadableStreamDirectController, bytes: Uint8Array): ReturnType<ReadableStreamDirectController["write"]> {
    this.lastWrite = Date.now();
    const wrote = controller.write(bytes);
    controller.flush();
    return wrote;
  }

  private stop(): void {
    clearInterval(this.ticker);
  }
}

/** A batch's bytes, written into `chunk`. */
function render<E>(batch: readonly E[], format: SseFormat<E>, chunk: SseChunk): Uint8Array {
  chunk.clear();
  if (format.write) for (const e of batch) format.write(e, chunk);
  else for (const e of batch) chunk.write(format.encode(e));
  return chunk.bytes();
}

/**
 * JavaScriptCore compiles an async function's body as a function of its own, which lost its compiled code after a
 * spell without streams: `pull`, run once a reply, went through every tier again within the next long reply, and its
 * FTL compile, the writing of events inlined, took 20–49 ms on the JIT's thread (BUN_JSC_reportCompileTimes=1; the
 * forty-second pass). The writing is kept apart, in a function made once, so what is compiled again is the small loop.
 */
keepApart(render);

/** A failure of kiro-ts itself: the log gets the detail, the client the advice to read it. */
export function unexpected(e: unknown, log: Logger): GatewayError {
  log.error("unexpected error while streaming", { error: e instanceof Error ? e.stack ?? e.message : String(e) });
  return new GatewayError("internal", "kiro-ts failed unexpectedly; the details are in its log");
}

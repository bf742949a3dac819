/**
 * A generateAssistantResponse reply as a sequence of Kiro events, decoded as the bytes arrive: body → frames →
 * events. A cut or corrupt stream ends in an EventStreamError, never in a silent early end.
 */
import { EventStreamDecoder, type HeaderBlocks } from "./eventstream";
import { UpstreamError } from "./http";
import type { Watchdog } from "./watchdog";
import { frameToEvent } from "./events";
import type { KiroEvent } from "./types";

export interface ReplyOptions {
  /** Told about each corrupt frame skipped. */
  onSkip?: (reason: string) => void;
  /** Kicked on every chunk, stopped when the reply ends however it ends. */
  watchdog?: Watchdog;
  /** Header blocks known from earlier replies, so a short reply need not parse its headers again. */
  headerBlocks?: HeaderBlocks;
}

export async function* replyEvents(body: ReadableStream<Uint8Array>, { onSkip, watchdog, headerBlocks }: ReplyOptions = {}): AsyncGenerator<KiroEvent[]> {
  const decoder = new EventStreamDecoder({ onSkip, headerBlocks });
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      watchdog?.kick();
      const frames = decoder.push(value);
      if (frames.length === 0) continue;
      const events: KiroEvent[] = [];
      for (const f of frames) {
        const e = frameToEvent(f);
        if (e) events.push(e);
      }
      if (events.length) yield events;
    }
    decoder.finish();
  } finally {
    watchdog?.stop();
    // Stops the upstream download when the consumer leaves early (client gone, error).
    reader.cancel().catch(() => {});
  }
}

/** A reply whose first events were read, so that one failing at once can still go to another account. */
export interface OpenedReply {
  first: KiroEvent[];
  rest: AsyncGenerator<KiroEvent[]>;
}

/**
 * Reads until the first Kiro event, so that a reply that fails at once (cut, throttled, refused) can still move
 * to another account: nothing has reached the client yet.
 */
export async function openReply(body: ReadableStream<Uint8Array>, opts: ReplyOptions = {}): Promise<OpenedReply> {
  const rest = replyEvents(body, opts);
  let first: IteratorResult<KiroEvent[]>;
  try {
    first = await rest.next();
  } catch (e) {
    if (e instanceof UpstreamError) throw e;
    throw new UpstreamError("generateAssistantResponse", 0, `the reply broke before its first event: ${(e as Error).message}`);
  }
  if (first.done) throw new UpstreamError("generateAssistantResponse", 0, "the reply ended without a single event");
  const opening = first.value[0];
  if (opening?.type === "exception") {
    const status = EXCEPTION_STATUS[opening.exceptionType];
    if (status) {
      await rest.return(undefined);
      throw new UpstreamError(
        "generateAssistantResponse",
        status,
        JSON.stringify({ message: opening.message, reason: opening.reason ?? null, __type: opening.exceptionType }),
      );
    }
  }
  return { first: first.value, rest };
}

/** Exceptions that open a reply mean the same as the HTTP status Kiro would otherwise have sent. */
const EXCEPTION_STATUS: Record<string, number> = {
  ThrottlingException: 429,
  ServiceQuotaExceededException: 402,
  AccessDeniedException: 403,
  ValidationException: 400,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

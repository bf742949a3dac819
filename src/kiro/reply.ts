/**
 * A generateAssistantResponse reply as a sequence of Kiro events, decoded as the bytes arrive: body → frames →
 * events. A cut or corrupt stream ends in an EventStreamError, never in a silent early end.
 */
import { GatewayError } from "../errors";
import type { ByteReader } from "./connections";
import { EventStreamDecoder, EventStreamError, type HeaderBlocks } from "./eventstream";
import { exceptionKind } from "./failures";
import { UpstreamError } from "./http";
import type { Watchdog } from "./watchdog";
import { readEvent } from "./events";
import type { KiroEvent } from "./types";

export interface ReplyOptions {
  /** Told about each corrupt frame skipped. */
  onSkip?: (reason: string) => void;
  /** Kicked on every chunk, stopped when the reply ends however it ends. */
  watchdog?: Watchdog;
  /** Header blocks known from earlier replies, so a short reply need not parse its headers again. */
  headerBlocks?: HeaderBlocks;
}

/**
 * Batches of events as the bytes arrive. A failure before the first batch is thrown as it is (the pool decides
 * what it means); after it, the reply has begun and the failure is a GatewayError saying it was cut off.
 */
export async function* replyEvents(reader: ByteReader, { onSkip, watchdog, headerBlocks }: ReplyOptions = {}): AsyncGenerator<KiroEvent[]> {
  const decoder = new EventStreamDecoder({ onSkip, headerBlocks, read: readEvent });
  let begun = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      watchdog?.kick();
      const events = decoder.push(value);
      if (events.length) {
        begun = true;
        yield events;
      }
    }
    decoder.finish();
  } catch (e) {
    throw begun ? cutOff(e) : e;
  } finally {
    watchdog?.stop();
    // Stops the upstream download when the consumer leaves early (client gone, error).
    reader.cancel().catch(() => {});
  }
}

/** What an UpstreamError says of a 200 that carried no event at all (kiro-protocol-2026.md §4.1). */
export const EMPTY_REPLY = "the reply ended without a single event";

/** A reply whose first events were read, so that one failing at once can still go to another account. */
export interface OpenedReply {
  first: KiroEvent[];
  rest: AsyncGenerator<KiroEvent[]>;
}

/**
 * Reads until the first Kiro event, so that a reply that fails at once (cut, throttled, refused) can still move
 * to another account: nothing has reached the client yet.
 */
export async function openReply(body: ByteReader, opts: ReplyOptions = {}): Promise<OpenedReply> {
  const rest = replyEvents(body, opts);
  let first: IteratorResult<KiroEvent[]>;
  try {
    first = await rest.next();
  } catch (e) {
    if (e instanceof UpstreamError) throw e;
    throw new UpstreamError("generateAssistantResponse", 0, `the reply broke before its first event: ${(e as Error).message}`);
  }
  if (first.done) throw new UpstreamError("generateAssistantResponse", 0, EMPTY_REPLY);
  const opening = first.value[0];
  // An exception that opens the reply means what the same "no" would mean as an HTTP status.
  if (opening?.type === "exception" && exceptionKind(opening.exceptionType)) {
    await rest.return(undefined);
    throw new UpstreamError(
      "generateAssistantResponse",
      200,
      JSON.stringify({ message: opening.message, reason: opening.reason ?? null, __type: opening.exceptionType }),
      undefined,
      opening.exceptionType,
    );
  }
  return { first: first.value, rest };
}

/** A reply that broke after it began: nothing can move it to another account any more. */
function cutOff(e: unknown): GatewayError {
  if (e instanceof GatewayError) return e;
  const detail =
    e instanceof EventStreamError ? e.message : e instanceof UpstreamError && e.status === 0 ? e.body : (e as Error).message || String(e);
  return new GatewayError("overloaded", `the Kiro reply was cut off mid-stream (${detail.split(". ")[0]})`);
}

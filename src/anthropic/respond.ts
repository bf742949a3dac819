/**
 * The one place that turns a Kiro reply into an Anthropic answer: the translated events either written as SSE
 * while they arrive (stream=true) or folded into one JSON message (stream=false). Nothing buffers the reply.
 * TranslatedReply — the reply as the shared event set — is what every front renders.
 */
import type { OpenedReply } from "../kiro/reply";
import type { KiroEvent } from "../kiro/types";
import { type SseFormat, SSE_HEADERS, sseResponse } from "../http/sse";
import type { Logger } from "../log";
import { errorBody } from "./errors";
import { encodeSSE, MessageFolder, writeSSE } from "./output";
import type { MessageResponse, StreamEvent, Usage } from "./schemas";
import type { StreamTranslator } from "./stream";

/** A reply whose first events were already read (to fail over before anything reached the client). */
export interface Reply extends OpenedReply {
  /** Aborts the upstream call: the download stops at once, whatever is pending. */
  abort(): void;
}

/** Upstream silence after which a ping is sent (kiro-protocol.md §5.1). */
export const PING_AFTER_MS = 25_000;

/** A reply as every front renders it: its translated events as they come, or folded into one answer. */
export interface AnsweredReply {
  /** The events, batch by batch; a failure after the start is a thrown GatewayError. */
  events(): AsyncGenerator<StreamEvent[]>;
  /** The client left: stop the upstream download. */
  leave(): void;
  /** Every event folded by `folder` into its answer; throws the reply's failure. */
  fold<R>(folder: EventFolder<R>): Promise<R>;
}

/** What makes one answer of a reply's events: each front's non-streamed answer (MessageFolder is /v1/messages'). */
export interface EventFolder<R> {
  push(event: StreamEvent): unknown;
  result(): R;
}

/** Watches one reply (a request log): told when it opens, of Kiro's events (credits come in metering), and once of its end. */
export interface ReplyObserver {
  opened(): void;
  kiroEvents(events: readonly KiroEvent[]): void;
  /** `failure`: what ended it early, or "client_gone". */
  ended(usage: Usage, failure?: unknown): void;
}

/** A Kiro reply as it translates: the events every writer renders. */
export class TranslatedReply implements AnsweredReply {
  private gone = false;
  private reported = false;

  constructor(
    private readonly translator: StreamTranslator,
    private readonly reply: Reply,
    private readonly log: Logger,
    private readonly observer?: ReplyObserver,
  ) {
    observer?.opened();
  }

  /**
   * The translated events, batch by batch. A reply that fails — Kiro's exception, or a stream cut after it
   * began — ends in a thrown GatewayError, which each writer renders in its own way.
   */
  async *events(): AsyncGenerator<StreamEvent[]> {
    const t = this.translator;
    const push = (events: KiroEvent[]) => {
      this.observer?.kiroEvents(events);
      const out: StreamEvent[] = [];
      for (const e of events) t.push(e, out);
      return out;
    };
    try {
      yield t.start();
      yield push(this.reply.first);
      try {
        for (;;) {
          const next = await this.reply.rest.next();
          if (next.done) break;
          yield push(next.value);
        }
      } catch (e) {
        // We stopped the download because the client left: nothing failed, and nobody is there to tell.
        if (this.gone) return;
        this.log.warn("reply failed after streaming began", { error: (e as Error).message });
        throw e;
      }
      yield t.finish();
    } catch (e) {
      this.report(e);
      throw e;
    } finally {
      this.report();
    }
  }

  /** The client left: the upstream download stops at once, and its end is no failure. */
  leave(): void {
    this.gone = true;
    this.reply.abort();
    this.report();
  }

  /** Tells the observer, once, how the reply ended. */
  private report(failure?: unknown): void {
    if (this.reported) return;
    this.reported = true;
    this.observer?.ended(this.translator.usage, this.gone ? "client_gone" : failure);
  }

  async fold<R>(folder: EventFolder<R>): Promise<R> {
    for await (const batch of this.events()) for (const e of batch) folder.push(e);
    return folder.result();
  }
}

/**
 * A reply read to its end before anything was answered (a non-streaming request): a failure anywhere in it was
 * thrown by `read`, while another account could still answer; its events, replayed, never fail.
 */
export class CompletedReply implements AnsweredReply {
  private constructor(private readonly batches: readonly StreamEvent[][]) {}

  /** Reads `reply` to its end; throws its failure. */
  static async read(reply: TranslatedReply): Promise<CompletedReply> {
    const batches: StreamEvent[][] = [];
    for await (const batch of reply.events()) batches.push(batch);
    return new CompletedReply(batches);
  }

  async *events(): AsyncGenerator<StreamEvent[]> {
    yield* this.batches;
  }

  /** Nothing is downloading any more. */
  leave(): void {}

  /** Folded where they lie: replayed through events() they cost an async generator and a promise per batch. */
  async fold<R>(folder: EventFolder<R>): Promise<R> {
    for (const batch of this.batches) for (const e of batch) folder.push(e);
    return folder.result();
  }
}

const ANTHROPIC_SSE: SseFormat<StreamEvent> = {
  encode: encodeSSE,
  write: writeSSE,
  ping: encodeSSE({ type: "ping" }),
  failure: (e) => encodeSSE(errorBody(e.kind, e.message)),
};

export function streamMessage(reply: AnsweredReply, log: Logger, pingAfterMs = PING_AFTER_MS): Response {
  return sseResponse(reply.events(), ANTHROPIC_SSE, { log, pingAfterMs, onLeave: () => reply.leave() });
}

/** An answer whose events are all known at once (the web search), as SSE or folded into one message. */
export function answerOf(events: readonly StreamEvent[], stream: boolean): Response | MessageResponse {
  if (stream) return new Response(events.map(encodeSSE).join(""), { headers: SSE_HEADERS });
  const folder = new MessageFolder();
  for (const e of events) folder.push(e);
  return folder.result();
}

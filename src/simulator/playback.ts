/**
 * Plays a Reply over HTTP: event-stream frames written in pieces as the chunking option says (so a client sees
 * frames split anywhere), with pauses, slow frames, cuts after N bytes and resets before the status line.
 */
import { encodeFrame, errorFrame, eventFrame, exceptionFrame } from "./frames";
import type { Random } from "./random";
import type { Reply, StreamReply, StreamStep } from "./replies";

/** "whole": one write per frame; a number: that many bytes per write; "random": 1..MAX_RANDOM_PIECE bytes. */
export type Chunking = "whole" | "random" | number;

const MAX_RANDOM_PIECE = 128;
const CUT_DRAIN_MS = 20;

export interface PlaybackContext {
  chunking: Chunking;
  random: Random;
  /** Aborted when the simulator stops: ends every pause and stream. */
  signal: AbortSignal;
  /** Told when the client stops reading a stream before its end. */
  onClientGone?: () => void;
}

export async function play(reply: Reply, ctx: PlaybackContext): Promise<Response> {
  switch (reply.kind) {
    case "http": {
      await sleep(reply.delayMs ?? 0, ctx.signal);
      const isText = typeof reply.body === "string";
      return new Response(isText ? (reply.body as string) : JSON.stringify(reply.body), {
        status: reply.status,
        headers: { "content-type": isText ? "text/plain" : "application/json", ...awsHeaders(), ...reply.headers },
      });
    }
    case "reset":
      await sleep(reply.delayMs ?? 0, ctx.signal);
      return resetResponse();
    case "stream":
      await sleep(reply.stallBeforeMs ?? 0, ctx.signal);
      return new Response(streamBody(reply, ctx), {
        status: 200,
        headers: { "content-type": "application/vnd.amazon.eventstream", ...awsHeaders() },
      });
  }
}

/**
 * Bun sends no status line until the body yields its first chunk; a body that fails before that closes the
 * connection with nothing written. Failing with `undefined` keeps Bun from logging it as an error.
 */
function resetResponse(): Response {
  return new Response(
    new ReadableStream({
      start(controller) {
        controller.error(undefined);
      },
    }),
  );
}

/** A frame on the wire, or a pause between frames. */
type Segment = { bytes: Uint8Array } | { pauseMs: number };

export function encodeStep(step: Exclude<StreamStep, { type: "pause" }>): Uint8Array {
  switch (step.type) {
    case "text":
      return eventFrame("assistantResponseEvent", { content: step.content });
    case "toolUse": {
      const { toolUseId, name, input, stop } = step;
      return eventFrame("toolUseEvent", { name, toolUseId, ...(input !== undefined ? { input } : {}), ...(stop ? { stop } : {}) });
    }
    case "reasoning":
      return eventFrame("reasoningContentEvent", {
        text: step.text,
        signature: step.signature,
        redactedContent: step.redactedContent,
      });
    case "metering":
      return eventFrame("meteringEvent", { unit: step.unit, unitPlural: step.unitPlural, usage: step.usage });
    case "contextUsage":
      return eventFrame("contextUsageEvent", { contextUsagePercentage: step.percentage });
    case "event":
      return eventFrame(step.eventType, step.payload);
    case "exception":
      return exceptionFrame(step.exceptionType, { message: step.message, ...(step.reason ? { reason: step.reason } : {}) });
    case "error":
      return errorFrame(step.code, step.message);
    case "raw":
      return encodeFrame(step.headers, step.payload);
  }
}

function segmentsOf(reply: StreamReply): Segment[] {
  const out: Segment[] = [];
  let frames = 0;
  for (const step of reply.steps) {
    if (step.type === "pause") {
      out.push({ pauseMs: step.ms });
      continue;
    }
    if (frames++ > 0 && reply.frameDelayMs) out.push({ pauseMs: reply.frameDelayMs });
    out.push({ bytes: encodeStep(step) });
  }
  return out;
}

/** Splits a run of frames written back to back into writes; except for "whole", writes ignore frame borders. */
function pieces(frames: Uint8Array[], chunking: Chunking, random: Random): Uint8Array[] {
  if (chunking === "whole") return frames;
  const run = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    run.set(f, at);
    at += f.length;
  }
  const out: Uint8Array[] = [];
  for (let start = 0; start < run.length; ) {
    const size = chunking === "random" ? random.int(1, MAX_RANDOM_PIECE) : Math.max(1, Math.floor(chunking));
    out.push(run.subarray(start, start + size));
    start += size;
  }
  return out;
}

/** The writes of a stream reply, in order; returns "cut" when the connection must drop instead of ending. */
async function* writes(reply: StreamReply, ctx: PlaybackContext, signal: AbortSignal): AsyncGenerator<Uint8Array, "end" | "cut"> {
  const segments = segmentsOf(reply);
  const cutAt = reply.cutAfterBytes;
  let written = 0;
  let run: Uint8Array[] = [];
  const flush = function* (): Generator<Uint8Array, boolean> {
    for (const piece of pieces(run, ctx.chunking, ctx.random)) {
      if (cutAt !== undefined && written + piece.length >= cutAt) {
        if (cutAt > written) yield piece.subarray(0, cutAt - written);
        return true;
      }
      written += piece.length;
      yield piece;
    }
    run = [];
    return false;
  };
  let cut = false;
  // A closing zero pause flushes whatever frames are still waiting.
  for (const segment of [...segments, { pauseMs: 0 }]) {
    if ("bytes" in segment) {
      run.push(segment.bytes);
      continue;
    }
    cut = yield* paced(flush());
    if (cut) break;
    await sleep(segment.pauseMs, signal);
    if (signal.aborted) break;
  }
  if (!cut && !signal.aborted && cutAt === undefined) return "end";
  // Let the last bytes reach the client before the drop: Bun's fetch discards what it has not handed out yet.
  await sleep(CUT_DRAIN_MS, signal);
  return "cut";
}

/** Yields each piece on its own turn of the event loop, so each becomes its own write on the socket. */
async function* paced(inner: Generator<Uint8Array, boolean>): AsyncGenerator<Uint8Array, boolean> {
  for (;;) {
    const next = inner.next();
    if (next.done) return next.value;
    yield next.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function streamBody(reply: StreamReply, ctx: PlaybackContext): ReadableStream<Uint8Array> {
  const clientGone = new AbortController();
  const it = writes(reply, ctx, AbortSignal.any([ctx.signal, clientGone.signal]));
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await it.next();
      if (clientGone.signal.aborted) return;
      if (!next.done) return controller.enqueue(next.value);
      finished = true;
      if (next.value === "cut") controller.error(undefined);
      else controller.close();
    },
    cancel() {
      if (!finished) ctx.onClientGone?.();
      clientGone.abort();
      void it.return("cut");
    },
  });
}

function awsHeaders(): Record<string, string> {
  return { "x-amzn-requestid": crypto.randomUUID() };
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

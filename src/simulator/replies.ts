/**
 * What the simulator answers to one generateAssistantResponse call: a scripted event stream, an HTTP error,
 * or a connection reset. Builders cover the shapes real Kiro produces (kiro-protocol.md §4.3–4.5, §5.8).
 */
import type { FrameHeaders } from "./frames";

/** One step of an event stream: a Kiro event (encoded as a frame when played) or a pause. */
export type StreamStep =
  | { type: "text"; content: string }
  | { type: "toolUse"; toolUseId: string; name: string; input?: string; stop?: boolean }
  | { type: "reasoning"; text?: string; signature?: string; redactedContent?: string }
  | { type: "metering"; usage: number; unit?: string; unitPlural?: string }
  | { type: "contextUsage"; percentage: number }
  /** Any other `:event-type` (metadataEvent, followupPromptEvent, …) with its JSON payload. */
  | { type: "event"; eventType: string; payload: unknown }
  | { type: "exception"; exceptionType: string; message: string; reason?: string }
  | { type: "error"; code: string; message: string }
  | { type: "raw"; headers: FrameHeaders; payload: Uint8Array | string }
  /** Nothing is written for this long: a stream that stalls mid-way. */
  | { type: "pause"; ms: number };

export interface StreamShape {
  /** Wait between frames: a slow stream. */
  frameDelayMs?: number;
  /** Drop the connection once this many body bytes were written (a cut, usually mid-frame). */
  cutAfterBytes?: number;
  /** Wait this long before answering at all (before the status line and headers). */
  stallBeforeMs?: number;
}

export interface StreamReply extends StreamShape {
  kind: "stream";
  steps: StreamStep[];
}

export interface HttpErrorReply {
  kind: "http";
  status: number;
  /** An object is sent as JSON, a string as is. */
  body: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** The connection is closed before any byte of the answer. */
export interface ResetReply {
  kind: "reset";
  delayMs?: number;
}

export type Reply = StreamReply | HttpErrorReply | ResetReply;

// ---- stream steps -------------------------------------------------------------------------------

export const textEvent = (content: string): StreamStep => ({ type: "text", content });
export const metering = (usage = 0.0123): StreamStep => ({ type: "metering", usage, unit: "credit", unitPlural: "credits" });
export const contextUsage = (percentage: number): StreamStep => ({ type: "contextUsage", percentage });
export const reasoning = (text: string, signature?: string): StreamStep => ({ type: "reasoning", text, signature });
export const pause = (ms: number): StreamStep => ({ type: "pause", ms });
export const exception = (exceptionType: string, message: string, reason?: string): StreamStep => ({
  type: "exception",
  exceptionType,
  message,
  reason,
});
/** The in-stream signal that the context window is full (KRS maps it to stop_reason max_tokens). */
export const contentLengthExceeded = (): StreamStep =>
  exception("ContentLengthExceededException", "Input is too long.", "CONTENT_LENGTH_EXCEEDS_THRESHOLD");
export const errorEvent = (code: string, message: string): StreamStep => ({ type: "error", code, message });
export const rawFrame = (headers: FrameHeaders, payload: Uint8Array | string): StreamStep => ({ type: "raw", headers, payload });

/** Splits text into `pieces` chunks of similar length, never inside a UTF-16 surrogate pair. */
export function textEvents(content: string, pieces = Math.max(1, Math.ceil([...content].length / 20))): StreamStep[] {
  return splitEven([...content], pieces).map((chars) => textEvent(chars.join("")));
}

export interface ToolUseSpec {
  name: string;
  /** An object is sent as its JSON text; a string is sent verbatim (it may be truncated or invalid JSON). */
  input: unknown;
  id?: string;
  /** Number of input fragments (default: up to 3, one per 16 characters); the last carries `stop: true`. */
  pieces?: number;
}

/** The toolUseEvents of one tool call: same id and name on each, input in fragments, `stop:true` on the last. */
export function toolUseEvents(spec: ToolUseSpec): StreamStep[] {
  const toolUseId = spec.id ?? newToolUseId();
  const input = typeof spec.input === "string" ? spec.input : JSON.stringify(spec.input ?? {});
  const chars = [...input];
  const fragments = splitEven(chars, spec.pieces ?? Math.min(3, Math.ceil(chars.length / 16))).map((piece) => piece.join(""));
  return fragments.map((fragment, i) => ({
    type: "toolUse",
    toolUseId,
    name: spec.name,
    input: fragment,
    stop: i === fragments.length - 1,
  }));
}

// ---- whole replies ------------------------------------------------------------------------------

export interface TextOptions extends StreamShape {
  pieces?: number;
  /** contextUsagePercentage sent last (default 1.5); `null` leaves the event out. */
  contextUsage?: number | null;
}

/** Any steps, followed by nothing else: the caller decides about metering and context usage. */
export function events(steps: StreamStep[], shape: StreamShape = {}): StreamReply {
  return { kind: "stream", steps, ...shape };
}

/** A complete answer as real Kiro sends it: text chunks, then meteringEvent, then contextUsageEvent. */
export function text(content: string, opts: TextOptions = {}): StreamReply {
  return finish(textEvents(content, opts.pieces), opts);
}

/** A text answer whose content starts with the inline `<thinking>` block the proxies extract (§5.3). */
export function thinkingText(thought: string, answer: string, opts: TextOptions = {}): StreamReply {
  return text(`<thinking>\n${thought}</thinking>\n\n${answer}`, opts);
}

export interface ToolUseReplyOptions extends TextOptions {
  /** Text streamed before the tool call. */
  text?: string;
}

/** A tool call (optionally preceded by text), then metering and context usage. */
export function toolUse(spec: ToolUseSpec | ToolUseSpec[], opts: ToolUseReplyOptions = {}): StreamReply {
  const calls = Array.isArray(spec) ? spec : [spec];
  const lead = opts.text ? textEvents(opts.text, opts.pieces) : [];
  return finish([...lead, ...calls.flatMap(toolUseEvents)], opts);
}

function finish(steps: StreamStep[], opts: TextOptions): StreamReply {
  const { frameDelayMs, cutAfterBytes, stallBeforeMs } = opts;
  const tail = [metering()];
  if (opts.contextUsage !== null) tail.push(contextUsage(opts.contextUsage ?? 1.5));
  return events([...steps, ...tail], { frameDelayMs, cutAfterBytes, stallBeforeMs });
}

// ---- HTTP errors (bodies of kiro-protocol.md §5.8) ---------------------------------------------

export function httpError(status: number, body: unknown, headers?: Record<string, string>): HttpErrorReply {
  return { kind: "http", status, body, headers };
}

export const tooLong = () =>
  httpError(400, { message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" });

export const improperlyFormed = (reason: string | null = null) =>
  httpError(400, { message: "Improperly formed request.", reason });

export const quotaExhausted = () =>
  httpError(402, { message: "You have reached the limit.", reason: "MONTHLY_REQUEST_COUNT" });

export const invalidBearer = () =>
  httpError(403, { message: "The bearer token included in the request is invalid.", reason: null });

export const throttled = (retryAfterSecs?: number) =>
  httpError(
    429,
    { message: "Too many requests, please wait before trying again.", reason: null },
    retryAfterSecs === undefined ? undefined : { "retry-after": String(retryAfterSecs) },
  );

export const internal = () =>
  httpError(500, { message: "Encountered an unexpected error when processing the request, please try again.", reason: null });

export const reset = (delayMs?: number): ResetReply => ({ kind: "reset", delayMs });

// ---- helpers ------------------------------------------------------------------------------------

function splitEven<T>(items: T[], pieces: number): T[][] {
  const n = Math.max(1, Math.min(Math.floor(pieces), items.length || 1));
  const out: T[][] = [];
  for (let i = 0; i < n; i++) {
    out.push(items.slice(Math.floor((i * items.length) / n), Math.floor(((i + 1) * items.length) / n)));
  }
  return out;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function newToolUseId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(22));
  return `tooluse_${Array.from(bytes, (b) => ALNUM[b % ALNUM.length]).join("")}`;
}

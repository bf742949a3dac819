/**
 * What the simulator answers to one generateAssistantResponse call: a scripted event stream, an HTTP error,
 * or a connection reset. Builders cover the shapes real Kiro produces (kiro-protocol.md §4.3–4.5, §5.8), and
 * those of late 2026 (kiro-protocol-2026.md): the closing tail of §4.1, native reasoning of §3.1, the errors of §6.
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
/** A signature-only reasoning frame (the last of a signed block, or all of it when the display is omitted). */
export const reasoningSignature = (signature: string): StreamStep => ({ type: "reasoning", signature });
/** GPT-5.6's encrypted reasoning: a blob with neither text nor signature (§3.1). */
export const redactedReasoning = (redactedContent: string): StreamStep => ({ type: "reasoning", redactedContent });
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

// ---- the closing tail (kiro-protocol-2026.md §4.1) ----------------------------------------------

/** metadataEvent's `tokenUsage`: a final snapshot of the reply's tokens (§4.1, §4.2). */
export interface TokenUsage {
  uncachedInputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

export interface TailOptions {
  /** metadataEvent's stopReason (default "END_TURN", spelled as live captures spell it). */
  stopReason?: string;
  /** Why the model refused (sent as `stopDetails.refusal` beside stopReason CONTENT_FILTERED). */
  refusal?: { category: string; explanation: string };
  /** Sent inside metadataEvent when given; live captures had none, so it is left out by default. */
  tokenUsage?: TokenUsage;
  /** contextUsagePercentage (default 1.5); `null` leaves the event out. */
  contextUsage?: number | null;
  /** Credits of the meteringEvent (default 0.0123). */
  credits?: number;
}

export const metadata = (payload: Record<string, unknown>): StreamStep => ({ type: "event", eventType: "metadataEvent", payload });

/** The triple every complete reply ends with: metadataEvent, contextUsageEvent, meteringEvent (§4.1). */
export function tail(opts: TailOptions = {}): StreamStep[] {
  const meta = {
    ...(opts.tokenUsage ? { tokenUsage: opts.tokenUsage } : {}),
    ...(opts.refusal ? { stopDetails: { refusal: opts.refusal } } : {}),
    stopReason: opts.stopReason ?? (opts.refusal ? "CONTENT_FILTERED" : "END_TURN"),
  };
  const usage = opts.contextUsage === null ? [] : [contextUsage(opts.contextUsage ?? 1.5)];
  return [metadata(meta), ...usage, metering(opts.credits)];
}

/** Whether a step belongs to the closing tail. */
export function isTailStep(step: StreamStep): boolean {
  return step.type === "contextUsage" || step.type === "metering" || (step.type === "event" && step.eventType === "metadataEvent");
}

/** The same reply ending cleanly before its tail: a generation cut short (§4.1 "Truncation"). */
export function withoutTail(reply: StreamReply): StreamReply {
  return { ...reply, steps: reply.steps.filter((s) => !isTailStep(s)) };
}

// ---- whole replies ------------------------------------------------------------------------------

export interface TextOptions extends StreamShape, Omit<TailOptions, "stopReason"> {
  pieces?: number;
}

/** Any steps, followed by nothing else: the caller decides about metering and context usage. */
export function events(steps: StreamStep[], shape: StreamShape = {}): StreamReply {
  return { kind: "stream", steps, ...shape };
}

/** A complete answer as real Kiro sends it: text chunks, then the tail (metadata, context usage, metering). */
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

/** A tool call (optionally preceded by text), then the tail. */
export function toolUse(spec: ToolUseSpec | ToolUseSpec[], opts: ToolUseReplyOptions = {}): StreamReply {
  const calls = Array.isArray(spec) ? spec : [spec];
  const lead = opts.text ? textEvents(opts.text, opts.pieces) : [];
  return finish([...lead, ...calls.flatMap(toolUseEvents)], opts);
}

function finish(steps: StreamStep[], opts: TextOptions): StreamReply {
  const { frameDelayMs, cutAfterBytes, stallBeforeMs } = opts;
  return events([...steps, ...tail(opts)], { frameDelayMs, cutAfterBytes, stallBeforeMs });
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

// ---- HTTP errors of late 2026 (kiro-protocol-2026.md §1.5, §1.6, §3.2, §6) ----------------------

const withRetryAfter = (secs?: number) => (secs === undefined ? undefined : { "retry-after": String(secs) });

/** §1.5: a data-plane call without profileArn. The runtime host names its Smithy type; q.* says only the message. */
export const profileArnRequired = (host: "runtime" | "legacy" = "runtime") =>
  httpError(
    400,
    host === "runtime"
      ? { __type: "com.amazon.kiro.runtimeservice#ValidationException", message: "profileArn is required for this request." }
      : { message: "profileArn is required for this request.", reason: null },
  );

/** §6: the model is gated for this account (tier, region or rollout), or unknown. */
export const invalidModel = () =>
  httpError(400, { message: "Invalid model. Please select a different model to continue.", reason: "INVALID_MODEL_ID" });

/** §2: additionalModelRequestFields sent to a model whose catalog entry has no schema. */
export const fieldsNotSupported = () =>
  httpError(400, { message: "additionalModelRequestFields is not supported for this model", reason: "REQUEST_BODY_INVALID" });

/** §2: additionalModelRequestFields outside the model's schema (a value off its enum or range, an unknown member). */
export const invalidFields = () => httpError(400, { message: "Invalid additionalModelRequestFields", reason: "REQUEST_BODY_INVALID" });

/** §3.2: a replayed thinking block whose signature is missing ("missing") or not Kiro's ("invalid"). */
export const thinkingSignatureInvalid = (problem: "invalid" | "missing" = "invalid", messageIndex = 1) =>
  httpError(400, {
    message:
      problem === "missing"
        ? `messages.${messageIndex}.content.0.thinking.signature: Field required`
        : `messages.${messageIndex}.content.0: Invalid \`signature\` in \`thinking\` block`,
    reason: "THINKING_SIGNATURE_INVALID",
  });

/** §6: the account is locked; `userId` appears in the message as Kiro writes it. */
export const suspended = (userId = "d-9067c98495.a1b2c3d4-5678-90ab-cdef-EXAMPLE11111") =>
  httpError(403, {
    message: `Your User ID (${userId}) temporarily is suspended. We've locked your account as a security precaution. To restore access, please contact our support team.`,
    reason: null,
  });

/** §6: an account-level throttle while Kiro investigates (not the generic 429). */
export const suspiciousActivity = (account = "d-9067c98495.a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", retryAfterSecs?: number) =>
  httpError(
    429,
    {
      message: `Due to suspicious activity, we are imposing temporary limits on how frequently your account (${account}) can send a request to Kiro while we investigate.`,
      reason: null,
    },
    withRetryAfter(retryAfterSecs),
  );

/** §6: the model has no capacity; another model helps, a retry does not. */
export const modelCapacity = (retryAfterSecs?: number) =>
  httpError(
    429,
    { message: "I am experiencing high traffic, please try again shortly.", reason: "INSUFFICIENT_MODEL_CAPACITY" },
    withRetryAfter(retryAfterSecs),
  );

/** §6: the model is overloaded for now (conformance case 20 sends it with Retry-After: 5). */
export const modelUnavailable = (retryAfterSecs?: number) =>
  httpError(
    500,
    { message: "Encountered unexpectedly high load when processing the request, please try again.", reason: "MODEL_TEMPORARILY_UNAVAILABLE" },
    withRetryAfter(retryAfterSecs),
  );

/** §6: overage billing reached its cap. Its status is unconfirmed; 402 like the monthly limit. */
export const overageExhausted = (status = 402) =>
  httpError(status, { message: "You have reached the limit for overages.", reason: "OVERAGE_REQUEST_LIMIT_EXCEEDED" });

/** §6: a tool schema with a top-level combinator. */
export const toolSchemaCombinator = () =>
  httpError(400, {
    __type: "ValidationException",
    message: "input_schema does not support oneOf, allOf, or anyOf at the top level",
    reason: "TOOL_SCHEMA_INVALID",
  });

/** §6: tool uses and results that do not pair, sent as a 5xx although the client is at fault. */
export const toolResultMismatch = (status = 503) =>
  httpError(status, { message: "Expected toolResult blocks for every toolUse in the previous turn.", reason: "TOOL_USE_RESULT_MISMATCH" });

/** §1.2, §6: a 200 that is not an event stream but an AWS exception envelope in JSON. */
export const exceptionEnvelope = (type = "ThrottlingException", message = "Rate exceeded") =>
  httpError(200, { __type: `com.amazon.aws.codewhisperer#${type}`, message });

/** §1.6: an awsJson target this host does not serve (ListAvailableModels on runtime). */
export const unknownOperation = () =>
  httpError(404, { __type: "com.amazon.coral.service#UnknownOperationException", message: null });

/** §1.6: the management host refuses a bad bearer token with 400, not 401/403. */
export const accessDenied = () =>
  httpError(400, { __type: "com.amazon.kiro.controlplane#AccessDeniedException", message: "The bearer token included in the request is invalid." });

/** §1.5: ListAvailableProfiles for a Builder ID. */
export const builderIdNotSupported = () =>
  httpError(403, { __type: "AccessDeniedException", message: "AWS Builder ID is not supported for this operation." });

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

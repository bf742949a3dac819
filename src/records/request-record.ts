/**
 * One client request as it happens: made when its key is admitted, filled by whoever sees a part of it (the body's
 * model, the pool's attempts, the reply's metering and usage, the response's status), and handed on once both the
 * response and the reply (when one streams) have ended, however they ended. Nothing here waits for anything.
 */
import type { Attempt, RequestRow } from "./types";
import type { ClientKey } from "./keys";

/** Usage as a reply reports it (Anthropic's field names: the shared event set). */
export interface ReplyUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/**
 * Who takes a record once it has ended (the Recorder). An object rather than a callback: a closure made per record
 * is a new callee for every record, which optimised code cannot keep compiled (src/jit.ts).
 */
export interface RecordSink {
  finish(record: RequestRecord): void;
}

/** The kinds of Kiro event the record reads; a structural subset of kiro/types' KiroEvent. */
type SeenEvent = { type: string; usage?: number };

export class RequestRecord {
  readonly at = Date.now();
  private readonly t0 = performance.now();
  model?: string;
  kiroModel?: string;
  stream = false;
  status = 0;
  errorType?: string;
  account?: string;
  firstByteMs?: number;
  durationMs = 0;
  credits = 0;
  usage: ReplyUsage = { input_tokens: 0, output_tokens: 0 };
  readonly attempts: Attempt[] = [];
  /** The response, and the reply while one is open. */
  private waitingFor = 1;
  private responding = false;
  private replyError?: string;
  /** Whether the key's limits took it (it then holds one of the key's slots until it ends). */
  admitted = false;
  /** The 429 a limit answered, given again if the request is admitted twice (body hook, then handler hook). */
  refusal?: unknown;

  constructor(
    readonly key: ClientKey,
    readonly method: string,
    readonly route: string,
    readonly session: string | undefined,
    private readonly sink: RecordSink,
  ) {}

  /** What the body asked for. */
  asked(model: unknown, stream: unknown): void {
    if (typeof model === "string") this.model = model.slice(0, 200);
    this.stream = stream === true;
  }

  /** The Kiro model the request was converted to. */
  sending(kiroModel: string): void {
    this.kiroModel = kiroModel;
  }

  /** The pool's observer: one upstream attempt and how it went. */
  attempted(account: string, outcome: string): void {
    this.attempts.push({ account, outcome });
    if (outcome === "ok") this.account = account;
  }

  /** A reply's first events are in (another account may open another): the record waits for its end too. */
  opened(): void {
    this.firstByteMs ??= Math.round(performance.now() - this.t0);
    this.waitingFor++;
  }

  /** Kiro's events as they pass; its credits arrive in metering events. */
  kiroEvents(events: readonly SeenEvent[]): void {
    for (const e of events) if (e.type === "metering" && typeof e.usage === "number") this.credits += e.usage;
  }

  /** A reply ended: its usage so far, and why it stopped early if it did (the last reply's end is the one kept). */
  ended(usage: ReplyUsage, failure?: unknown): void {
    this.usage = usage;
    this.replyError = failure === undefined ? undefined : failure === "client_gone" ? "client_gone" : kindOf(failure) ?? "internal";
    this.settle();
  }

  /** The response left (its head, for a stream). */
  responded(status: number, failure?: unknown): void {
    if (this.responding) return;
    this.responding = true;
    this.status = status;
    if (status >= 400) this.errorType = kindOf(failure) ?? STATUS_KIND[status] ?? "internal";
    this.settle();
  }

  private settle(): void {
    if (--this.waitingFor > 0) return;
    this.errorType ??= this.replyError;
    this.durationMs = Math.round(performance.now() - this.t0);
    this.sink.finish(this);
  }

  get tokens(): number {
    const u = this.usage;
    return u.input_tokens + u.output_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
  }

  row(): RequestRow {
    const u = this.usage;
    const row: RequestRow = {
      at: this.at,
      keyId: this.key.id,
      keyName: this.key.name,
      route: this.route,
      stream: this.stream,
      status: this.status,
      inputTokens: u.input_tokens,
      outputTokens: u.output_tokens,
      cacheReadTokens: u.cache_read_input_tokens ?? 0,
      cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
      credits: this.credits,
      durationMs: this.durationMs,
      attempts: this.attempts,
    };
    // Assigned: spreading a fresh object per optional field cost ~0.3 µs a row.
    if (this.account !== undefined) row.account = this.account;
    if (this.model !== undefined) row.model = this.model;
    if (this.kiroModel !== undefined) row.kiroModel = this.kiroModel;
    if (this.errorType !== undefined) row.errorType = this.errorType;
    if (this.firstByteMs !== undefined) row.firstByteMs = this.firstByteMs;
    if (this.session !== undefined) row.session = this.session;
    return row;
  }
}

/** A GatewayError's kind, also when Elysia wrapped it in a ParseError. */
function kindOf(failure: unknown): string | undefined {
  const e = failure as { kind?: unknown; cause?: { kind?: unknown } } | undefined;
  if (typeof e?.kind === "string") return e.kind;
  if (typeof e?.cause?.kind === "string") return e.cause.kind;
  return undefined;
}

/** What a status says when no error was seen (a validation failure, a client that left). */
const STATUS_KIND: Record<number, string> = {
  400: "invalid_request",
  401: "authentication",
  403: "permission",
  404: "not_found",
  413: "request_too_large",
  429: "rate_limited",
  499: "client_gone",
  502: "upstream",
  503: "unavailable",
  504: "timeout",
  529: "overloaded",
};

/**
 * Where requests are recorded: a request admitted under a client key gets its RequestRecord here (and a slot
 * under the key's limits); when it ends, its key's counters and the writer's queue take it, the log gets one
 * info line, and the listeners (metrics, alerts) see it. Records are found by their Request, so each hook that
 * sees a part of the request — the guard, the route, the response — reaches the same one.
 */
import { keepApart } from "../jit";
import type { Logger } from "../log";
import type { ClientKey } from "./keys";
import { RequestRecord, type RecordSink } from "./request-record";
import type { RecordWriter } from "./writer";

/** Claude Code's session header, and Codex's; the SDKs send none. */
const SESSION_HEADERS = ["x-claude-code-session-id", "session-id", "x-session-id"];

export type RecordListener = (record: RequestRecord) => void;

export class Recorder implements RecordSink {
  private readonly open = new WeakMap<Request, RequestRecord>();
  private readonly listeners: RecordListener[] = [];

  constructor(
    private readonly writer: RecordWriter,
    private readonly log: Logger,
    /** recordRequests: whether finished requests become rows (the request log and usage). */
    private readonly writing = true,
  ) {}

  listen(listener: RecordListener): void {
    this.listeners.push(listener);
  }

  /**
   * The request's record, made on first call: the key's limits take the request or throw their 429 (recorded
   * too). Called again for the same request, it answers the same.
   */
  admit(request: Request, key: ClientKey, now = Date.now()): RequestRecord {
    const known = this.open.get(request);
    if (known) {
      if (known.refusal) throw known.refusal;
      return known;
    }
    const record = new RequestRecord(key, request.method, pathOf(request.url), sessionOf(request.headers), this);
    this.open.set(request, record);
    try {
      key.admit(now);
      record.admitted = true;
    } catch (e) {
      record.refusal = e;
      throw e;
    }
    return record;
  }

  of(request: Request): RequestRecord | undefined {
    return this.open.get(request);
  }

  /** The response to `request` has left (a stream's head); `error` is what the route threw, if anything. */
  responded(request: Request, status: number, error?: unknown): void {
    this.open.get(request)?.responded(status, error);
  }

  /** A record has ended: its key's counters, the writer's queue, the log and the listeners take it. */
  finish(record: RequestRecord): void {
    const now = Date.now();
    if (record.admitted) record.key.release();
    record.key.used(record.tokens, record.credits, now);
    if (this.writing) this.writer.add(record.row());
    else this.writer.touched(record.key.id, record.at);
    if (this.log.enabled("info")) {
      const u = record.usage;
      this.log.info(`${record.method} ${record.route} ${record.status}`, {
        key: record.key.name,
        account: record.account,
        model: record.model,
        tokens: record.model ? `${u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0)}/${u.output_tokens}` : undefined,
        error: record.errorType,
        ms: record.durationMs,
      });
    }
    for (const l of this.listeners) l(record);
  }
}

function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.indexOf("?", start);
  return url.slice(start, end < 0 ? undefined : end);
}

function sessionOf(headers: Headers): string | undefined {
  for (const h of SESSION_HEADERS) {
    const v = headers.get(h);
    if (v) return v.slice(0, 200);
  }
  return undefined;
}

keepApart(Recorder.prototype.responded);

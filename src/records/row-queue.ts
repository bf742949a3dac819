/**
 * Request rows waiting for their batch, kept as numbers rather than objects. A queued row lives up to a second,
 * long enough to outlive the collector's young generation: as objects, every row (and its attempts) was promoted and
 * then waited for a full collection, which made a recorded request several microseconds dearer than the row's own
 * work. Here a row is a slice of one reused Float64Array, which the collector never scans; its strings (keys,
 * models, accounts, routes, sessions: a handful of values in a batch) are numbered once per batch. Rows become
 * objects again only when the batch is written.
 */
import type { Attempt, RequestRow } from "./types";

/**
 * Numbers a row takes, written and read in this order: at, keyId, keyName, account, route, model, kiroModel,
 * stream, status, errorType, the four token counts, credits, firstByteMs, durationMs, session, and where its
 * attempts start and how many there are. A string field holds its number in `strings`; an absent value is NaN.
 */
const SLOTS = 20;
const FIRST_ROWS = 256;

export class RowQueue {
  private slots: Float64Array<ArrayBuffer> = new Float64Array(FIRST_ROWS * SLOTS);
  /** Two per attempt: its account's and its outcome's string numbers. */
  private attempts: Float64Array<ArrayBuffer> = new Float64Array(FIRST_ROWS * 2);
  private attemptCount = 0;
  private rows = 0;
  private strings: string[] = [];
  private numbered = new Map<string, number>();

  get length(): number {
    return this.rows;
  }

  push(row: RequestRow): void {
    if ((this.rows + 1) * SLOTS > this.slots.length) this.slots = grown(this.slots);
    const s = this.slots;
    let o = this.rows * SLOTS;
    s[o++] = row.at;
    s[o++] = this.number(row.keyId);
    s[o++] = this.number(row.keyName);
    s[o++] = this.optional(row.account);
    s[o++] = this.number(row.route);
    s[o++] = this.optional(row.model);
    s[o++] = this.optional(row.kiroModel);
    s[o++] = row.stream ? 1 : 0;
    s[o++] = row.status;
    s[o++] = this.optional(row.errorType);
    s[o++] = row.inputTokens;
    s[o++] = row.outputTokens;
    s[o++] = row.cacheReadTokens;
    s[o++] = row.cacheWriteTokens;
    s[o++] = row.credits;
    s[o++] = row.firstByteMs ?? Number.NaN;
    s[o++] = row.durationMs;
    s[o++] = this.optional(row.session);
    s[o++] = this.attemptCount;
    s[o] = row.attempts.length;
    for (const a of row.attempts) {
      if ((this.attemptCount + 1) * 2 > this.attempts.length) this.attempts = grown(this.attempts);
      this.attempts[this.attemptCount * 2] = this.number(a.account);
      this.attempts[this.attemptCount * 2 + 1] = this.number(a.outcome);
      this.attemptCount++;
    }
    this.rows++;
  }

  /** The queued rows as objects, oldest first; the queue is empty after. */
  take(): RequestRow[] {
    const out: RequestRow[] = new Array(this.rows);
    const s = this.slots;
    const str = this.strings;
    const text = (n: number) => (Number.isNaN(n) ? undefined : str[n]);
    // Most rows of a batch went to one of a few accounts at the first try: they share one frozen attempts list,
    // which the stores serialise once (requestParams), rather than two objects and a JSON text each.
    const single = new Map<number, readonly Attempt[]>();
    for (let i = 0, o = 0; i < this.rows; i++) {
      const at = s[o++]!;
      const keyId = str[s[o++]!]!;
      const keyName = str[s[o++]!]!;
      const account = text(s[o++]!);
      const route = str[s[o++]!]!;
      const model = text(s[o++]!);
      const kiroModel = text(s[o++]!);
      const stream = s[o++] === 1;
      const status = s[o++]!;
      const errorType = text(s[o++]!);
      const inputTokens = s[o++]!;
      const outputTokens = s[o++]!;
      const cacheReadTokens = s[o++]!;
      const cacheWriteTokens = s[o++]!;
      const credits = s[o++]!;
      const firstByteMs = s[o++]!;
      const durationMs = s[o++]!;
      const session = text(s[o++]!);
      const from = s[o++]!;
      const count = s[o++]!;
      let attempts: readonly Attempt[];
      if (count === 1) {
        const account = this.attempts[from * 2]!;
        const outcome = this.attempts[from * 2 + 1]!;
        // String numbers are below 2^26 in any batch that fits in memory: the pair is one exact double.
        const pair = account * 0x4000000 + outcome;
        let shared = single.get(pair);
        if (shared === undefined) {
          shared = Object.freeze([Object.freeze({ account: str[account]!, outcome: str[outcome]! })]);
          single.set(pair, shared);
        }
        attempts = shared;
      } else {
        const list: Attempt[] = new Array(count);
        for (let a = 0; a < count; a++) list[a] = { account: str[this.attempts[(from + a) * 2]!]!, outcome: str[this.attempts[(from + a) * 2 + 1]!]! };
        attempts = list;
      }
      const row: RequestRow = {
        at, keyId, keyName, route, stream, status, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, credits, durationMs, attempts,
      };
      // Absent stays absent (not a key holding undefined), as the record's own row() leaves it.
      if (account !== undefined) row.account = account;
      if (model !== undefined) row.model = model;
      if (kiroModel !== undefined) row.kiroModel = kiroModel;
      if (errorType !== undefined) row.errorType = errorType;
      if (!Number.isNaN(firstByteMs)) row.firstByteMs = firstByteMs;
      if (session !== undefined) row.session = session;
      out[i] = row;
    }
    this.rows = 0;
    this.attemptCount = 0;
    // Numbered afresh each batch, so that a long run's sessions are not all kept.
    this.strings = [];
    this.numbered = new Map();
    return out;
  }

  private number(value: string): number {
    let n = this.numbered.get(value);
    if (n === undefined) {
      n = this.strings.push(value) - 1;
      this.numbered.set(value, n);
    }
    return n;
  }

  private optional(value: string | undefined): number {
    return value === undefined ? Number.NaN : this.number(value);
  }
}

function grown(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

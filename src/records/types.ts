/**
 * What the records hold (design.md "Records"): client keys (digests, never the keys), one row per client request,
 * and hourly usage rollups that answer usage questions without reading the request log.
 */

/** A limit a key may carry; absent means no limit. */
export interface KeyLimits {
  requestsPerMinute?: number;
  concurrency?: number;
  tokensPerDay?: number;
  creditsPerMonth?: number;
}

/** A client key as stored: the SHA-256 digest of the key and a short prefix to recognise it by. */
export interface StoredKey {
  id: string;
  name: string;
  digest: string;
  prefix: string;
  createdAt: number;
  expiresAt?: number;
  lastUsedAt?: number;
  disabled: boolean;
  /** Models the key may ask for; absent: any. */
  models?: string[];
  limits: KeyLimits;
}

export interface Attempt {
  account: string;
  outcome: string;
}

/** One client request, as the request log keeps it. Times are epoch milliseconds. */
export interface RequestRow {
  at: number;
  keyId: string;
  keyName: string;
  account?: string;
  route: string;
  model?: string;
  kiroModel?: string;
  stream: boolean;
  status: number;
  errorType?: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  credits: number;
  firstByteMs?: number;
  durationMs: number;
  session?: string;
  attempts: readonly Attempt[];
}

export interface LoggedRequest extends RequestRow {
  id: number;
  /** Read back from the log: a list of its own. */
  attempts: Attempt[];
}

/** The sums every usage figure is made of. */
export interface UsageSums {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  credits: number;
}

export type UsageGroup = "key" | "model" | "account";
export type UsageBucket = "hour" | "day";

export interface UsageQuery {
  by: UsageGroup;
  bucket: UsageBucket;
  from: number;
  to: number;
}

/** One group's sums in one bucket; `group` is a key id, a model or an account name. */
export interface UsageRow extends UsageSums {
  group: string;
  start: number;
}

export interface RequestQuery {
  keyId?: string;
  account?: string;
  model?: string;
  status?: number;
  limit: number;
  /** Only requests older than this id (the cursor of the page before). */
  before?: number;
}

/** A key's usage since a moment, for limits and for the key list. */
export interface KeyUsage {
  keyId: string;
  requests: number;
  tokens: number;
  credits: number;
}

/**
 * The one store interface; SQLite and PostgreSQL implement it. Reads and admin writes are awaited; request rows
 * arrive in batches from the RecordWriter, never from a request.
 */
export interface RecordStore {
  readonly backend: "sqlite" | "postgres";
  keys(): Promise<StoredKey[]>;
  saveKey(key: StoredKey): Promise<void>;
  deleteKey(id: string): Promise<void>;
  /** Last use of keys, as the writer last saw it. */
  touchKeys(lastUsed: Map<string, number>): Promise<void>;
  /** Request rows and their rollups, in one transaction. */
  append(rows: RequestRow[]): Promise<void>;
  usage(q: UsageQuery): Promise<UsageRow[]>;
  /** The latest name each key id was recorded under (for keys since deleted). */
  keyNames(): Promise<Map<string, string>>;
  /** Each key's usage since `since`, the start of a UTC day (read from the daily rollup). */
  keyUsageSince(since: number): Promise<KeyUsage[]>;
  requests(q: RequestQuery): Promise<LoggedRequest[]>;
  /** Deletes request rows before `requestsBefore` and rollups before `usageBefore`. */
  prune(requestsBefore: number, usageBefore: number): Promise<void>;
  close(): Promise<void>;
}

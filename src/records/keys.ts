/**
 * Client keys in force: config.json's apiKey (reported as `default`) and the keys made through the admin API.
 * Held in memory by digest, so a request is identified without the database, and changed in memory the moment
 * an admin changes them (after the store has them). Each key's limits are enforced here from live counters: its
 * requests of the last minute, its requests in flight, and its tokens today and credits this month (UTC), which
 * start from the recorded usage.
 */
import { GatewayError } from "../errors";
import type { KeyLimits, KeyUsage, RecordStore, StoredKey } from "./types";

export const DEFAULT_KEY_ID = "default";
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** One static call: a CryptoHasher object per request cost ~0.3 µs more. */
export const digestOf = (key: string) => Bun.SHA256.hash(key, "hex");

/** Shown beside a key so its owner can recognise it; far too short to use. */
export const prefixOf = (key: string) => key.slice(0, 10);

export const dayStart = (now: number) => now - (now % DAY_MS);
export function monthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}
const nextMonth = (now: number) => {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

/** Requests, tokens and credits since a moment (the start of the day or the month). */
export interface Tally {
  since: number;
  requests: number;
  tokens: number;
  credits: number;
}

const tally = (since: number, u?: KeyUsage): Tally => ({ since, requests: u?.requests ?? 0, tokens: u?.tokens ?? 0, credits: u?.credits ?? 0 });

/** A key and its live counters. */
export class ClientKey {
  /** When each request of the last minute began, oldest first. */
  private recent: number[] = [];
  inFlight = 0;
  day: Tally;
  month: Tally;

  constructor(
    public stored: StoredKey,
    now: number,
    usage: { day?: KeyUsage; month?: KeyUsage } = {},
  ) {
    this.day = tally(dayStart(now), usage.day);
    this.month = tally(monthStart(now), usage.month);
  }

  get id(): string {
    return this.stored.id;
  }

  get name(): string {
    return this.stored.name;
  }

  /** Why the key cannot be used at all, if it cannot. */
  unusable(now: number): string | undefined {
    if (this.stored.disabled) return `the API key "${this.name}" is disabled`;
    if (this.stored.expiresAt !== undefined && this.stored.expiresAt <= now) {
      return `the API key "${this.name}" expired at ${new Date(this.stored.expiresAt).toISOString()}`;
    }
    return undefined;
  }

  /** Takes a request under the key's limits, or throws the 429 with the time until one is free again. */
  admit(now: number): void {
    const limits: KeyLimits = this.stored.limits;
    this.roll(now);
    while (this.recent.length && this.recent[0]! <= now - MINUTE_MS) this.recent.shift();
    const refuse = (what: string, untilMs: number) => {
      throw new GatewayError("rate_limited", `the API key "${this.name}" has reached its limit of ${what}`, {
        retryAfterSecs: Math.max(1, Math.ceil((untilMs - now) / 1000)),
      });
    };
    if (limits.requestsPerMinute !== undefined && this.recent.length >= limits.requestsPerMinute) {
      refuse(`${limits.requestsPerMinute} requests per minute`, this.recent[this.recent.length - limits.requestsPerMinute]! + MINUTE_MS);
    }
    if (limits.concurrency !== undefined && this.inFlight >= limits.concurrency) refuse(`${limits.concurrency} requests at once`, now + 1000);
    if (limits.tokensPerDay !== undefined && this.day.tokens >= limits.tokensPerDay) refuse(`${limits.tokensPerDay} tokens per day (UTC)`, this.day.since + DAY_MS);
    if (limits.creditsPerMonth !== undefined && this.month.credits >= limits.creditsPerMonth) {
      refuse(`${limits.creditsPerMonth} credits per month (UTC)`, nextMonth(now));
    }
    if (limits.requestsPerMinute !== undefined) this.recent.push(now);
    this.inFlight++;
  }

  /** An admitted request ended: its slot is free. */
  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** Whether the key may ask for `model`: listed exactly, or by a pattern ending in `*`. */
  allows(model: string): boolean {
    const models = this.stored.models;
    if (!models) return true;
    return models.some((m) => (m.endsWith("*") ? model.startsWith(m.slice(0, -1)) : m === model));
  }

  /** What a finished request used counts toward today and this month. */
  used(tokens: number, credits: number, now: number): void {
    this.roll(now);
    for (const t of [this.day, this.month]) {
      t.requests++;
      t.tokens += tokens;
      t.credits += credits;
    }
    this.stored.lastUsedAt = now;
  }

  private roll(now: number): void {
    if (dayStart(now) === this.day.since) return;
    this.day = tally(dayStart(now));
    // A month begins only with a day: the month's date arithmetic (~0.3 µs, twice a request) runs once a day.
    if (monthStart(now) !== this.month.since) this.month = tally(monthStart(now));
  }
}

export interface NewKey {
  name: string;
  models?: string[];
  expiresAt?: number;
  limits?: KeyLimits;
}

export interface KeyChanges {
  name?: string;
  models?: string[] | null;
  expiresAt?: number | null;
  limits?: KeyLimits;
  disabled?: boolean;
}

export class ClientKeys {
  private readonly byDigest = new Map<string, ClientKey>();
  private readonly byId = new Map<string, ClientKey>();
  private readonly listeners: Array<() => void> = [];

  private constructor(private readonly store: RecordStore) {}

  /** The stored keys and config's key, with today's and this month's usage from the records. */
  static async load(store: RecordStore, apiKey: string, now = Date.now()): Promise<ClientKeys> {
    const keys = new ClientKeys(store);
    const [stored, day, month] = await Promise.all([store.keys(), store.keyUsageSince(dayStart(now)), store.keyUsageSince(monthStart(now))]);
    const usage = (id: string) => ({ day: day.find((u) => u.keyId === id), month: month.find((u) => u.keyId === id) });
    const configured: StoredKey = { id: DEFAULT_KEY_ID, name: "default", digest: digestOf(apiKey), prefix: prefixOf(apiKey), createdAt: 0, disabled: false, limits: {} };
    for (const s of [configured, ...stored]) keys.hold(new ClientKey(s, now, usage(s.id)));
    return keys;
  }

  private hold(key: ClientKey): void {
    this.byDigest.set(key.stored.digest, key);
    this.byId.set(key.id, key);
  }

  private drop(key: ClientKey): void {
    this.byDigest.delete(key.stored.digest);
    this.byId.delete(key.id);
  }

  /** Told after each change made here (other instances then read the keys again). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** Reads the stored keys again (another instance changed them): new ones held, deleted ones dropped, counters kept. */
  async reload(now = Date.now()): Promise<void> {
    const stored = await this.store.keys();
    const seen = new Set([DEFAULT_KEY_ID]);
    for (const s of stored) {
      seen.add(s.id);
      const held = this.byId.get(s.id);
      if (held) held.stored = { ...s, ...(held.stored.lastUsedAt !== undefined ? { lastUsedAt: Math.max(held.stored.lastUsedAt, s.lastUsedAt ?? 0) } : {}) };
      else this.hold(new ClientKey(s, now));
    }
    for (const k of this.all) if (!seen.has(k.id)) this.drop(k);
  }

  /** The key a request presents, whatever its state. */
  find(presented: string | undefined): ClientKey | undefined {
    return presented === undefined ? undefined : this.byDigest.get(digestOf(presented));
  }

  get(id: string): ClientKey | undefined {
    return this.byId.get(id);
  }

  get all(): ClientKey[] {
    return [...this.byId.values()];
  }

  /** Makes a key; the key itself is returned this once and kept nowhere. */
  async create(input: NewKey, now = Date.now()): Promise<{ key: ClientKey; secret: string }> {
    this.checkName(input.name);
    const secret = `sk-kiro-${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url")}`;
    const stored: StoredKey = {
      id: crypto.randomUUID(),
      name: input.name,
      digest: digestOf(secret),
      prefix: prefixOf(secret),
      createdAt: now,
      disabled: false,
      limits: input.limits ?? {},
      ...(input.models ? { models: input.models } : {}),
      ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
    };
    await this.store.saveKey(stored);
    const key = new ClientKey(stored, now);
    this.hold(key);
    this.changed();
    return { key, secret };
  }

  async update(id: string, changes: KeyChanges): Promise<ClientKey> {
    const key = this.editable(id);
    if (changes.name !== undefined && changes.name !== key.name) this.checkName(changes.name);
    const next: StoredKey = { ...key.stored };
    if (changes.name !== undefined) next.name = changes.name;
    if (changes.disabled !== undefined) next.disabled = changes.disabled;
    if (changes.limits !== undefined) next.limits = changes.limits;
    if (changes.models === null) delete next.models;
    else if (changes.models !== undefined) next.models = changes.models;
    if (changes.expiresAt === null) delete next.expiresAt;
    else if (changes.expiresAt !== undefined) next.expiresAt = changes.expiresAt;
    await this.store.saveKey(next);
    key.stored = next;
    this.changed();
    return key;
  }

  async delete(id: string): Promise<void> {
    const key = this.editable(id);
    // Refused from this moment, even while the store is still deleting it.
    this.drop(key);
    await this.store.deleteKey(id);
    this.changed();
  }

  private editable(id: string): ClientKey {
    const key = this.byId.get(id);
    if (!key) throw new GatewayError("not_found", `no API key with id ${id}`);
    if (id === DEFAULT_KEY_ID) throw new GatewayError("invalid_request", "the default key is config.json's apiKey: change it there");
    return key;
  }

  private checkName(name: string): void {
    if (this.all.some((k) => k.name === name)) throw new GatewayError("invalid_request", `an API key named "${name}" already exists`);
  }
}

/** API keys: read from the request, compared in constant time (design.md "HTTP"). */

const digest = (s: string) => new Bun.CryptoHasher("sha256").update(s).digest();

/** A configured key, its digest computed once. */
export class Key {
  private readonly digest: Buffer;

  constructor(value: string) {
    this.digest = digest(value);
  }

  /** Compares digests, so neither the key's content nor its length leaks through timing. */
  matches(given: string | undefined): boolean {
    // Bun's global crypto has it: loading node:crypto for it cost every start ~2 ms.
    return given !== undefined && crypto.timingSafeEqual(digest(given), this.digest);
  }
}

/** The key of `x-api-key`, else of `Authorization: Bearer …` (or a bare Authorization value, as the seed accepts). */
export function presentedKey(headers: Headers | Record<string, string | undefined>): string | undefined {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) ?? undefined : headers[name]);
  const x = get("x-api-key");
  if (x) return x.trim();
  const auth = get("authorization");
  if (!auth) return undefined;
  return auth.replace(/^Bearer\s+/i, "").trim() || undefined;
}

/**
 * Slows key guessing: an address that fails authentication `limit` times within `windowMs` has its failing
 * requests answered 429 until its window ends, so guessing gains nothing by going on. A request with the right
 * key is never refused and never counted: behind a proxy every client shares one address, and one client with a
 * stale key must not lock the others out.
 */
export class FailedAuthLimiter {
  /** Per address, in the order its window began: the expired ones are always at the front. */
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit = 20,
    private readonly windowMs = 60_000,
    /** Addresses remembered at most; beyond it the oldest windows are forgotten first. */
    private readonly maxAddresses = 100_000,
  ) {}

  /** Seconds until this address may try again, or 0 when it is not locked out. */
  lockedFor(address: string, now = Date.now()): number {
    const f = this.failures.get(address);
    if (!f || now - f.since >= this.windowMs) return 0;
    return f.count >= this.limit ? Math.ceil((f.since + this.windowMs - now) / 1000) : 0;
  }

  recordFailure(address: string, now = Date.now()): void {
    const f = this.failures.get(address);
    if (f && now - f.since < this.windowMs) {
      f.count++;
      return;
    }
    // A new window goes to the back, so the map stays ordered by when windows began.
    this.failures.delete(address);
    this.failures.set(address, { count: 1, since: now });
    this.forgetExpired(now);
  }

  /** Bounded memory under a flood of addresses, in time proportional to what is forgotten. */
  private forgetExpired(now: number): void {
    for (const [address, f] of this.failures) {
      if (now - f.since < this.windowMs && this.failures.size <= this.maxAddresses) break;
      this.failures.delete(address);
    }
  }
}

export type AuthOutcome = { ok: true } | { ok: false; status: 401 } | { ok: false; status: 429; retryAfterSecs: number };

/** A key to check a presented one against: a configured Key, or the client keys in force. */
export interface KeyCheck {
  matches(given: string | undefined): boolean;
}

/**
 * The key check of every guarded route: the right key passes; a wrong one is counted, and refused with 429 once
 * locked. The caller's address is asked for only then: the right key never needs it.
 */
export function authenticate(limiter: FailedAuthLimiter, addressOf: () => string, headers: Headers, key: KeyCheck): AuthOutcome {
  if (key.matches(presentedKey(headers))) return { ok: true };
  const address = addressOf();
  const locked = limiter.lockedFor(address);
  if (locked > 0) return { ok: false, status: 429, retryAfterSecs: locked };
  limiter.recordFailure(address);
  return { ok: false, status: 401 };
}

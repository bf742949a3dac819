/** API keys: read from the request, compared in constant time (design.md "HTTP"). */
import { timingSafeEqual } from "node:crypto";

const digest = (s: string) => new Bun.CryptoHasher("sha256").update(s).digest();

/** A configured key, its digest computed once. */
export class Key {
  private readonly digest: Buffer;

  constructor(value: string) {
    this.digest = digest(value);
  }

  /** Compares digests, so neither the key's content nor its length leaks through timing. */
  matches(given: string | undefined): boolean {
    return given !== undefined && timingSafeEqual(digest(given), this.digest);
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
 * Slows key guessing: an address that fails authentication `limit` times within `windowMs` is answered 429 on
 * every authenticated route — right key or wrong — until its window ends, so guessing gains nothing by going on.
 */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit = 20,
    private readonly windowMs = 60_000,
  ) {}

  /** Seconds until this address may try again, or 0 when it is not locked out. */
  lockedFor(address: string, now = Date.now()): number {
    const f = this.failures.get(address);
    if (!f) return 0;
    if (now - f.since >= this.windowMs) {
      this.failures.delete(address);
      return 0;
    }
    return f.count >= this.limit ? Math.ceil((f.since + this.windowMs - now) / 1000) : 0;
  }

  recordFailure(address: string, now = Date.now()): void {
    const f = this.failures.get(address);
    if (!f || now - f.since >= this.windowMs) this.failures.set(address, { count: 1, since: now });
    else f.count++;
    // Bounded memory under a flood of addresses: forget the expired ones.
    if (this.failures.size > 10_000) for (const [a, e] of this.failures) if (now - e.since >= this.windowMs) this.failures.delete(a);
  }
}

export type AuthOutcome = { ok: true } | { ok: false; status: 401 } | { ok: false; status: 429; retryAfterSecs: number };

/** The key check of every guarded route: locked-out addresses first, then the key, counting failures. */
export function authenticate(limiter: FailedAuthLimiter, address: string, headers: Headers, key: Key): AuthOutcome {
  const locked = limiter.lockedFor(address);
  if (locked > 0) return { ok: false, status: 429, retryAfterSecs: locked };
  if (key.matches(presentedKey(headers))) return { ok: true };
  limiter.recordFailure(address);
  return { ok: false, status: 401 };
}

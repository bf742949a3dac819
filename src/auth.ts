/** API keys: read from the request, compared in constant time (design.md "HTTP"). */
import { timingSafeEqual } from "node:crypto";

const digest = (s: string) => new Bun.CryptoHasher("sha256").update(s).digest();

/** Compares digests, so neither the key's content nor its length leaks through timing. */
export function keyMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
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

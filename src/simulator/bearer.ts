/**
 * Who is calling the Kiro API: the account behind `Authorization: Bearer …`, and whether the profileArn the
 * request carries may go with it (kiro-protocol.md §3.12; KRS #161).
 */
import type { AccountBook, SimAccountState } from "./accounts";

export type Caller =
  | { ok: true; account: SimAccountState }
  /** `account` is set when the token was once valid (expired, or sent with the wrong profileArn). */
  | { ok: false; account?: SimAccountState };

export function bearerToken(headers: Record<string, string>): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
  return match?.[1];
}

export function identifyCaller(book: AccountBook, headers: Record<string, string>, profileArn: unknown): Caller {
  const token = bearerToken(headers);
  // An API key counts only when marked as one (§1.10); unmarked, it is just an unknown bearer token.
  if (token !== undefined && headers.tokentype === "API_KEY") {
    const owner = book.byApiKey(token);
    if (!owner) return { ok: false };
    return owner.acceptsApiKey(token) && profileArnFits(owner, profileArn) ? { ok: true, account: owner } : { ok: false, account: owner };
  }
  const account = token === undefined ? undefined : book.byAccessToken(token);
  if (!account || token === undefined) return { ok: false };
  if (!account.accepts(token) || !profileArnFits(account, profileArn)) return { ok: false, account };
  return { ok: true, account };
}

/** A social account may name only its own profile; an IdC account may name none. */
function profileArnFits(account: SimAccountState, profileArn: unknown): boolean {
  if (profileArn === undefined) return true;
  return account.authMethod === "social" && profileArn === account.profileArn;
}

/**
 * Who is calling the Kiro API: the account behind `Authorization: Bearer …`, and whether the profileArn the
 * request carries may go with it (kiro-protocol.md §3.12; KRS #161).
 */
import type { AccountBook, SimAccountState } from "./accounts";

export type Caller =
  | { ok: true; account: SimAccountState }
  /** `account` is set when the token was once valid (expired, or sent with the wrong profileArn: `why` "profile"). */
  | { ok: false; account?: SimAccountState; why: "token" | "profile" };

export function bearerToken(headers: Record<string, string>): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
  return match?.[1];
}

export function identifyCaller(book: AccountBook, headers: Record<string, string>, profileArn: unknown): Caller {
  const token = bearerToken(headers);
  // An API key counts only when marked as one (§1.10); unmarked, it is just an unknown bearer token.
  if (token !== undefined && headers.tokentype === "API_KEY") {
    const owner = book.byApiKey(token);
    if (!owner) return { ok: false, why: "token" };
    if (!owner.acceptsApiKey(token)) return { ok: false, account: owner, why: "token" };
    return profileArnFits(owner, profileArn) ? { ok: true, account: owner } : { ok: false, account: owner, why: "profile" };
  }
  const account = token === undefined ? undefined : book.byAccessToken(token);
  if (!account || token === undefined) return { ok: false, why: "token" };
  if (!account.accepts(token)) return { ok: false, account, why: "token" };
  if (!profileArnFits(account, profileArn)) return { ok: false, account, why: "profile" };
  return { ok: true, account };
}

/**
 * A social account may name only its own profile, an IdC account only the one ListAvailableProfiles gives it
 * (kiro-protocol-2026.md §1.5), an API key none.
 */
function profileArnFits(account: SimAccountState, profileArn: unknown): boolean {
  if (profileArn === undefined) return true;
  if (account.authMethod === "social") return profileArn === account.profileArn;
  return account.authMethod === "idc" && profileArn === account.listedProfileArn;
}

/** The account a call's token belongs to, valid or not: for per-account scripts that act before any check. */
export function accountOf(book: AccountBook, headers: Record<string, string>): SimAccountState | undefined {
  const token = bearerToken(headers);
  if (token === undefined) return undefined;
  return headers.tokentype === "API_KEY" ? book.byApiKey(token) : book.byAccessToken(token);
}

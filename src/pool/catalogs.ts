/**
 * Every account's own model catalog (kiro-protocol-2026.md §7: lists differ per account, tier and region), asked
 * of Kiro in parallel; an account that cannot answer says why, and the others still count.
 */
import type { CatalogAnswers } from "../kiro/catalog";
import { authKind } from "../kiro/credential";
import type { UpstreamSettings } from "../kiro/http";
import { listAvailableModels } from "../kiro/list-models";
import type { Pool } from "./pool";
import type { Account } from "./account";

export async function askEveryAccount(pool: Pool, upstream: UpstreamSettings): Promise<CatalogAnswers> {
  const accounts = pool.accounts.filter((a) => a.inPool && a.routable());
  if (accounts.length === 0) return undefined;
  // The account modelListAccount would ask (a paid one first) leads, so its list orders the client's.
  const lead = modelListAccount(pool);
  accounts.sort((a, b) => Number(b === lead) - Number(a === lead));
  const answers = await Promise.all(
    accounts.map((a) => (async () => listAvailableModels(upstream, a.caller(await a.accessToken())))().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))),
  );
  return new Map(accounts.map((a, i) => [a.name, answers[i]!]));
}

/**
 * The account whose model list leads: a paid account before a FREE one (which may not be offered every
 * model), a social one before an IdC one (the kind the call is known to serve).
 */
export function modelListAccount(pool: Pool): Account | undefined {
  const rank = (a: Account) => (/free/i.test(a.counters.lastCheck?.subscription ?? "") ? 2 : 0) + (authKind(a.credential) === "social" ? 0 : 1);
  return pool.accounts.filter((a) => a.inPool && a.routable()).sort((a, b) => rank(a) - rank(b))[0];
}


/**
 * Every account's own model catalog (kiro-protocol-2026.md §7: lists differ per account, tier and region), asked
 * of Kiro in parallel; an account that cannot answer says why, and the others still count.
 */
import type { CatalogAnswers } from "../kiro/catalog";
import type { UpstreamSettings } from "../kiro/http";
import { listAvailableModels } from "../kiro/list-models";
import type { Pool } from "./pool";
import { modelListAccount } from "./reload";

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

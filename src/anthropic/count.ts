/**
 * count_tokens (kiro-protocol.md §6.2): the configured external API when there is one, else — or when it fails —
 * the local estimate. Never a fake 0: clients use this number to decide when to compact.
 */
import type { Services } from "../services";
import type { CountTokensRequest } from "./schemas";
import { estimateInputTokens } from "./tokens";

const REMOTE_TIMEOUT_MS = 300_000;

export async function countTokens(req: CountTokensRequest, s: Pick<Services, "config" | "log">): Promise<number> {
  const { countTokensApiUrl: url, countTokensApiKey: key, countTokensAuthType, proxyUrl } = s.config;
  if (url) {
    try {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (key) {
        if (countTokensAuthType === "bearer") headers.authorization = `Bearer ${key}`;
        else headers["x-api-key"] = key;
      }
      const { model, messages, system, tools } = req;
      const res = await fetch(url, {
        method: "POST",
        headers,
        body: JSON.stringify({ model, messages, ...(system !== undefined ? { system } : {}), ...(tools ? { tools } : {}) }),
        signal: AbortSignal.timeout(REMOTE_TIMEOUT_MS),
        ...(proxyUrl ? { proxy: proxyUrl } : {}),
      } as RequestInit);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const answer = (await res.json()) as { input_tokens?: unknown };
      if (typeof answer.input_tokens !== "number") throw new Error("answer has no input_tokens");
      return Math.max(1, Math.round(answer.input_tokens));
    } catch (e) {
      s.log.warn("external count_tokens failed; using the local estimate", { error: (e as Error).message });
    }
  }
  return estimateInputTokens(req);
}

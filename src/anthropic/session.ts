/**
 * Which conversation a request belongs to (kiro-protocol-2026.md §9, ZY 0.7.6): Claude Code's session header, the
 * session in `metadata.user_id`, `x-session-affinity`, OpenAI's `prompt_cache_key`. Kiro's prompt cache is per
 * account (§4.3), so one conversation goes to one account and keeps one conversationId.
 */
import { sessionIdOf } from "./convert";
import type { MessagesRequest } from "./schemas";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The conversation's key, or undefined when the request names none. */
export function sessionKeyOf(body: MessagesRequest, headers?: Headers): string | undefined {
  // In order of precedence, each read only when the ones before name nothing.
  return (
    usableKey(headers?.get("x-claude-code-session-id")) ??
    usableKey(sessionIdOf(body.metadata?.user_id)) ??
    usableKey(headers?.get("x-session-affinity")) ??
    usableKey((body as { prompt_cache_key?: unknown }).prompt_cache_key)
  );
}

const usableKey = (k: unknown): string | undefined => (typeof k === "string" && k.trim() !== "" && k.length <= 256 ? k.trim() : undefined);

/** Kiro's conversationId for a session: the session's own UUID, or one derived from its key (the same every time). */
export function conversationIdOf(key: string): string {
  if (UUID.test(key)) return key.toLowerCase();
  const hex = new Bun.CryptoHasher("sha256").update(key).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * What both OpenAI request converters fill in the same way: the default output budget, the system prompt with the
 * gateway's instructions after the client's, and the conversation a prompt cache key names.
 */
import type { MessagesRequest } from "../anthropic/schemas";

/** OpenAI requests may leave the output budget out; Kiro takes none, so it only bounds the reply's accounting. */
export const DEFAULT_MAX_TOKENS = 32_000;

/** The client's system texts, then the gateway's instructions (tool choice, JSON answer); undefined when empty. */
export function joinSystem(client: string[], instructions: (string | undefined)[]): string | undefined {
  const parts = [...client, ...instructions].filter((p): p is string => p !== undefined && p.trim() !== "");
  return parts.length > 0 ? parts.join("\n\n") : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A prompt cache key that is a session id (Codex sends its session's UUID) keeps one client session in one Kiro
 * conversation, as Claude Code's session id does (the converter reads it from metadata.user_id).
 */
export function conversationMetadata(promptCacheKey: string | null | undefined): Pick<MessagesRequest, "metadata"> {
  if (typeof promptCacheKey !== "string" || !UUID.test(promptCacheKey)) return {};
  return { metadata: { user_id: JSON.stringify({ session_id: promptCacheKey }) } };
}

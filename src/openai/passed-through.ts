/**
 * The strings of the OpenAI requests that reach Kiro as they are, or only joined with others: message texts and tool
 * outputs. The body reader may keep them as the client's escaped text (http/verbatim.ts), as it does for
 * /v1/messages; the converted Messages request carries the same table to the shared path.
 */
import type { Verbatim, VerbatimPaths } from "../http/verbatim";
import { verbatimOf } from "../http/verbatim";

export const CHAT_PASSED_THROUGH: VerbatimPaths = [
  ["messages", "*", "content"],
  ["messages", "*", "content", "*", "text"],
];

export const RESPONSES_PASSED_THROUGH: VerbatimPaths = [
  ["input"],
  ["input", "*", "content"],
  ["input", "*", "content", "*", "text"],
  ["input", "*", "output"],
  ["input", "*", "output", "*", "text"],
];

type Item = { role?: unknown; type?: unknown; content?: unknown };

/**
 * The table of the strings kept from `body`, after restoring those the conversion reads rather than passes on: the
 * content of system and developer messages (the converter looks for the client's own thinking tags in the system
 * prompt) and of reasoning items (they become thinking blocks, which are not passed through).
 */
export function keptStrings(
  body: object,
  items: unknown,
): { verbatim?: Verbatim } {
  const table = verbatimOf(body);
  if (!table) return {};
  for (const item of Array.isArray(items) ? (items as unknown[]) : []) {
    if (typeof item !== "object" || item === null) continue;
    const it = item as Item;
    if (
      it.role === "system" ||
      it.role === "developer" ||
      it.type === "reasoning"
    )
      it.content = table.restoreAll(it.content);
  }
  return { verbatim: table };
}

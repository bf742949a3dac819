/**
 * The strings of the OpenAI requests that reach Kiro as they are, or only joined with others: message texts and tool
 * outputs. The body reader may keep them as the client's escaped text (http/verbatim.ts), as it does for
 * /v1/messages; the converted Messages request carries the same table to the shared path. The function calls'
 * `arguments`, JSON text of an object, are parsed as that object with the rest of the body.
 */
import type { BodyText, Verbatim, VerbatimPaths } from "../http/verbatim";
import { verbatimOf } from "../http/verbatim";
import { ECHOED_AS_SENT } from "./echo";

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

/** What the Chat Completions route's body reader keeps and parses in place. */
export const CHAT_BODY: BodyText = {
  passedThrough: CHAT_PASSED_THROUGH,
  objects: [["messages", "*", "tool_calls", "*", "function", "arguments"]],
};

/** What the Responses route's body reader keeps (the echoed fields too) and parses in place. */
export const RESPONSES_BODY: BodyText = {
  passedThrough: RESPONSES_PASSED_THROUGH,
  whole: ECHOED_AS_SENT,
  objects: [["input", "*", "arguments"]],
};

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

/**
 * Codex's remote compaction (x-codex-beta-features: remote_compaction_v2): Codex appends a `compaction_trigger` item
 * to an otherwise ordinary /v1/responses request and takes back exactly one `compaction` item, whose
 * `encrypted_content` it sends in place of the compacted history from then on. Here the model writes a hand-over
 * summary of the conversation, and the item carries that summary. It is encoded, not encrypted: it is the client's
 * own conversation, and a gateway that keeps nothing (store: false) has nothing else to point to.
 */
import { invalidRequest } from "../errors";

const SEAL = "kiro-ts-compaction-v1:";

/** The request that asks the model for the summary, as the conversation's last user message. */
export const COMPACTION_REQUEST = [
  "The conversation above is about to be replaced by a summary, which is all you will have of it when the work goes on.",
  "Write that summary now instead of continuing the work. Keep: the user's goal and every requirement they stated,",
  "decisions taken and why, files, commands and identifiers that matter, what has been done and verified, what is",
  "still open, and the next step. Leave out pleasantries and anything that no longer matters. Do not call tools.",
].join(" ");

/** The summary as a compaction item's opaque content. */
export function sealSummary(summary: string): string {
  return SEAL + Buffer.from(summary, "utf8").toString("base64");
}

/** The summary a compaction item carries; `at` names the item in errors. */
export function openSummary(content: unknown, at: string): string {
  if (typeof content !== "string" || !content.startsWith(SEAL)) {
    throw invalidRequest(`${at}.encrypted_content: this compaction item was not made by kiro-ts, so its content cannot be read here; compact the conversation again through kiro-ts`);
  }
  return Buffer.from(content.slice(SEAL.length), "base64").toString("utf8");
}

/** How the summary stands in for the history it replaces. */
export const summaryText = (summary: string) => `Earlier parts of this conversation were compacted into this summary:\n\n${summary}`;

/**
 * A reasoning item's `encrypted_content` carries one of two things Kiro gave: the signature of Claude's reasoning
 * (its summary is the signed text, possibly empty) or GPT's redacted reasoning, a blob with no text at all. The two
 * must go back to Kiro differently (`reasoningText` with the signature, `redactedContent`), and an empty summary
 * cannot tell them apart, so the redacted blob travels tagged. The content is opaque to clients either way.
 */
const REDACTED = "kiro-ts-redacted-v1:";

/** GPT's redacted reasoning as a reasoning item's encrypted content. */
export const sealRedacted = (blob: string): string => REDACTED + blob;

/** The redacted blob an item's encrypted content carries, or undefined when it is a signature (or not ours). */
export function openRedacted(content: unknown): string | undefined {
  return typeof content === "string" && content.startsWith(REDACTED) && content.length > REDACTED.length ? content.slice(REDACTED.length) : undefined;
}

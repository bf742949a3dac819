/**
 * Where the blocks of the internal request came from in the client's OpenAI request. The shared converter checks
 * blocks and names them by their Anthropic path (`messages.2.content.0: image data is not valid base64…`); an
 * OpenAI client must hear its own field (`input[3].content[1].image_url`). The converters mark each block they
 * make with its field, and an error naming a block is rewritten with that field.
 */
import type { MessagesRequest } from "../anthropic/schemas";
import { GatewayError } from "../errors";

/**
 * The field rides on the block under a symbol, hidden from JSON, spreads and equality: a WeakMap entry per block cost
 * more than the rest of a 1 MB request's conversion (JSC's weak tables), a defined property a fraction of it.
 */
const FIELD = Symbol("openai field");
const fieldOf = (block: object): string | undefined => (block as { [FIELD]?: string })[FIELD];

/** Records the OpenAI field a block was made from; returns the block. */
export function markOrigin<B extends object>(block: B, field: string): B {
  Object.defineProperty(block, FIELD, { value: field });
  return block;
}

/** A block path (`messages.N.content.M: …`) or the message list itself (`messages: …`), as the converter names them. */
const ANTHROPIC_PATH = /^messages(?:\.(\d+)\.content\.(\d+))?: /;

/**
 * The error with the Anthropic path it opens with replaced by the OpenAI request's own field: `list` is the name of
 * the request's conversation (`messages`, `input`). Paths below a block (a tool result's own content) never come
 * from the OpenAI fronts, whose tool results are text, and an unmarked block has no field to name: both stay as
 * they are.
 */
export function inClientTerms(e: unknown, request: MessagesRequest, list: string): unknown {
  if (!(e instanceof GatewayError) || e.kind !== "invalid_request") return e;
  const m = ANTHROPIC_PATH.exec(e.message);
  if (!m) return e;
  let field: string | undefined = list;
  if (m[1] !== undefined) {
    const content = request.messages[Number(m[1])]?.content;
    const block = Array.isArray(content) ? content[Number(m[2])] : undefined;
    field = block ? fieldOf(block) : undefined;
  }
  return field === undefined ? e : new GatewayError(e.kind, `${field}: ${e.message.slice(m[0].length)}`, e.detail);
}

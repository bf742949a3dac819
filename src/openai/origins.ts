/**
 * Where the blocks of the internal request came from in the client's OpenAI request. The shared converter checks
 * blocks and names them by their Anthropic path (`messages.2.content.0: image data is not valid base64…`); an
 * OpenAI client must hear its own field (`input[3].content[1].image_url`). The converters mark each block they
 * make with its field in their conversion's Origins, and an error naming a block is rewritten with that field.
 */
import type { MessagesRequest } from "../anthropic/schemas";
import { GatewayError } from "../errors";

/** A block path (`messages.N.content.M: …`) or the message list itself (`messages: …`), as the converter names them. */
const ANTHROPIC_PATH = /^messages(?:\.(\d+)\.content\.(\d+))?: /;

/**
 * The fields of one conversion's blocks, kept beside the blocks rather than on them: a property defined on each block
 * gave it a shape the Anthropic front's blocks do not have, and cost a third of converting the bench's 1 MB Chat
 * Completions request (59 → 43 µs; a WeakMap cost more than the whole conversion). Two lists, not a Map: a block is
 * looked up only for an error, and filling a Map with the request's ~400 blocks took 10 of that conversion's 62 µs.
 * The table dies with the request.
 */
export class Origins {
  private readonly blocks: object[] = [];
  private readonly fields: string[] = [];

  /** Records the OpenAI field a block was made from; returns the block. */
  mark<B extends object>(block: B, field: string): B {
    this.blocks.push(block);
    this.fields.push(field);
    return block;
  }

  /**
   * The error with the Anthropic path it opens with replaced by the OpenAI request's own field: `list` is the name
   * of the request's conversation (`messages`, `input`). Paths below a block (a tool result's own content) never
   * come from the OpenAI fronts, whose tool results are text, and an unmarked block has no field to name: both stay
   * as they are.
   */
  inClientTerms(e: unknown, request: MessagesRequest, list: string): unknown {
    if (!(e instanceof GatewayError) || e.kind !== "invalid_request") return e;
    const m = ANTHROPIC_PATH.exec(e.message);
    if (!m) return e;
    let field: string | undefined = list;
    if (m[1] !== undefined) {
      const content = request.messages[Number(m[1])]?.content;
      const block = Array.isArray(content) ? content[Number(m[2])] : undefined;
      const at = block ? this.blocks.indexOf(block) : -1;
      field = at < 0 ? undefined : this.fields[at];
    }
    return field === undefined ? e : new GatewayError(e.kind, `${field}: ${e.message.slice(m[0].length)}`, e.detail);
  }
}

/**
 * Local token estimates (kiro-protocol.md §5.6, §6.2). Kiro reports no token counts, so input and output tokens are
 * estimated from characters the way kiro.rs does it. These run on every request body and every streamed chunk,
 * so each walks the string's char codes once and allocates nothing per character.
 */
import { type Verbatim, verbatimOf } from "../http/verbatim";
import { keepFromFtl } from "../jit";
import type { MessageParam, MessagesRequest, ToolParam } from "./schemas";

/** What a request is billed as per image (Anthropic's rule of thumb for a ~1 MP image). */
const TOKENS_PER_IMAGE = 1_600;

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Latin, Latin Extended and IPA: scripts where a token spans about four characters. string-ends.wat's `beyond` reads the
 * same ranges from the UTF-8 bytes of the strings the body reader keeps (verbatim.test.ts holds the two together).
 */
function isWestern(c: number): boolean {
  return (
    c <= 0x024f ||
    (c >= 0x1e00 && c <= 0x1eff) ||
    (c >= 0x2c60 && c <= 0x2c7f) ||
    (c >= 0xa720 && c <= 0xa7ff) ||
    (c >= 0xab30 && c <= 0xab6f)
  );
}

/** The first character that is not western (isWestern as a character class), searched from `lastIndex`. */
const NOT_WESTERN = /[^\u0000-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f]/g;

/** Western characters in a row after which the count goes back to skipping with NOT_WESTERN. */
const WESTERN_RUN = 32;

/** kiro.rs `count_tokens`: 1 unit per western character, 4 per other character, ÷4, then a short-text surcharge. */
export function countTextTokens(text: string): number {
  return tokensOfUnits(textUnits(text));
}

/** The units of `text`: 1 per western character, 4 per other character. */
export function textUnits(text: string): number {
  // ASCII text is all western, so its units are its length: Buffer.byteLength answers that in ~0.01 ms a megabyte,
  // where the walk below takes ~0.5 ms.
  if (Buffer.byteLength(text, "utf8") === text.length) return text.length;
  let units = 0;
  let i = 0;
  while (i < text.length) {
    // The regex engine skips a run of western characters three times faster than a loop over char codes can.
    NOT_WESTERN.lastIndex = i;
    if (!NOT_WESTERN.test(text)) {
      units += text.length - i;
      break;
    }
    const other = NOT_WESTERN.lastIndex - 1;
    units += other - i;
    // Character by character while other scripts are about (CJK text would cost a regex call per character).
    let western = 0;
    for (i = other; i < text.length && western < WESTERN_RUN; i++) {
      const c = text.charCodeAt(i);
      if (isWestern(c)) {
        units += 1;
        western++;
      } else {
        units += 4;
        western = 0;
        // A character outside the BMP is one character, not two.
        if (isHighSurrogate(c) && isLowSurrogate(text.charCodeAt(i + 1))) i++;
      }
    }
  }
  return units;
}

/** textUnits of a string the body reader kept, from what its scan counted: 1 a character, 4 one outside Latin. */
function keptUnits(characters: number, beyondLatin: number): number {
  return characters + 3 * beyondLatin;
}

/** Tokens of a text of `units` units, with kiro.rs's surcharge on short texts. */
export function tokensOfUnits(units: number): number {
  const tokens = units / 4;
  const surcharge = tokens < 100 ? 1.5 : tokens < 200 ? 1.3 : tokens < 300 ? 1.25 : tokens < 800 ? 1.2 : 1;
  return Math.trunc(tokens * surcharge);
}

export interface TokenCountInput {
  system?: MessagesRequest["system"];
  messages: MessageParam[];
  tools?: ToolParam[];
}

/**
 * The input-token estimate of a request (§6.2 step 2). Unlike kiro.rs it also counts what Kiro really receives
 * besides plain text — tool results, tool-use inputs, thinking — and images, because an estimate that is too low
 * keeps clients from compacting their context in time.
 */
export function estimateInputTokens(req: TokenCountInput): number {
  // Strings the body reader kept as the client's text (http/verbatim.ts) are counted from that text.
  const table = verbatimOf(req);
  let total = 0;
  if (typeof req.system === "string") total += textTokens(req.system, table);
  else for (const block of req.system ?? []) total += textTokens(block.text, table);
  for (const message of req.messages) {
    if (typeof message.content === "string") total += textTokens(message.content, table);
    else for (const block of message.content) total += blockTokens(block as Record<string, unknown>, table);
  }
  for (const tool of req.tools ?? []) {
    total += textTokens(tool.name, table);
    if (typeof tool.description === "string") total += textTokens(tool.description, table);
    if (tool.input_schema !== undefined) total += textTokens(JSON.stringify(tool.input_schema), table);
  }
  return Math.max(1, total);
}
// With the function it calls for each block, whose FTL code was thrown away and compiled again under steady load.
for (const walker of [estimateInputTokens, blockTokens]) keepFromFtl(walker);

/**
 * The tokens of `text`, its placeholders counted as the strings they stand for: the table an argument, not a closure
 * made per request over it (src/jit.ts says why).
 */
function textTokens(text: string, table: Verbatim | undefined): number {
  return table ? tokensOfUnits(table.unitsOf(text, textUnits, keptUnits)) : countTextTokens(text);
}

function blockTokens(block: Record<string, unknown>, table: Verbatim | undefined): number {
  switch (block.type) {
    case "image":
      return TOKENS_PER_IMAGE;
    case "thinking":
      return typeof block.thinking === "string" ? textTokens(block.thinking, table) : 0;
    case "tool_use":
      return textTokens(block.name + JSON.stringify(block.input ?? {}), table);
    case "tool_result":
      return toolResultTokens(block.content, table);
    default:
      return typeof block.text === "string" ? textTokens(block.text, table) : 0;
  }
}

function toolResultTokens(content: unknown, table: Verbatim | undefined): number {
  if (content === undefined || content === null) return 0;
  if (typeof content === "string") return textTokens(content, table);
  if (!Array.isArray(content)) return textTokens(JSON.stringify(content), table);
  let total = 0;
  for (const item of content) {
    const text = (item as { text?: unknown } | null)?.text;
    if (typeof text === "string") total += textTokens(text, table);
  }
  return total;
}

/**
 * The first character at or above the ideographs (U+4E00): only there can an ideograph or a surrogate pair be. One
 * bound is the cheapest class for the regex engine, and most text (curly quotes and dashes included) lies below it.
 */
const WIDE = /[\u4e00-\uffff]/g;

/** Characters looked at one by one after a wide one, for as long as every stretch this long holds another. */
const WIDE_WINDOW = 32;

/**
 * kiro.rs's per-chunk output estimate while streaming (§5.6): CJK ideographs at ⅔ token each, everything else at
 * ¼ token per character, rounded up, at least 1 per chunk.
 */
export function estimateOutputTokens(chunk: string): number {
  const n = chunk.length;
  let cjk = 0;
  let pairs = 0;
  let i = 0;
  while (i < n) {
    WIDE.lastIndex = i;
    if (!WIDE.test(chunk)) break;
    i = WIDE.lastIndex - 1;
    // Character by character while wide ones keep coming (CJK text would cost a regex call per character).
    for (;;) {
      const end = Math.min(n, i + WIDE_WINDOW);
      let wide = 0;
      for (; i < end; i++) {
        const c = chunk.charCodeAt(i);
        if (c < 0x4e00) continue;
        wide++;
        if (c <= 0x9fff) cjk++;
        else if (isHighSurrogate(c) && isLowSurrogate(chunk.charCodeAt(i + 1))) {
          pairs++;
          i++;
        }
      }
      if (wide === 0 || i >= n) break;
    }
  }
  // A pair's two UTF-16 units are one character.
  return outputTokensOf(n - pairs, cjk);
}

/** estimateOutputTokens of a text measured while its bytes were read (KiroText): its characters and ideographs. */
export function estimateOutputTokensOfCounts(characters: number, ideographs: number): number {
  return outputTokensOf(characters, ideographs);
}

/** The estimate of a text of `characters` characters, `cjk` of them ideographs. */
function outputTokensOf(characters: number, cjk: number): number {
  const other = characters - cjk;
  return Math.max(1, Math.floor((2 * cjk + 2) / 3) + Math.floor((other + 3) / 4));
}

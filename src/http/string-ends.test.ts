import { expect, test } from "bun:test";
import { assemble } from "../../scripts/wasm";
import { Random } from "../simulator/random";
import { STRING_ENDS_WASM } from "./string-ends.gen";
import { StringEnds } from "./string-ends";

const SHORT = new Set([..."\"\\/bfnrt"].map((c) => c.charCodeAt(0)));

const utf8 = new TextDecoder();

interface Found {
  end: number;
  escapes?: number;
  plain?: boolean;
  /** Of a plain string (the ones cut): bytes beyond the UTF-16 units its text decodes to. */
  wide?: number;
  /** Anything but ASCII of short escapes. */
  special?: boolean;
}

/**
 * What `close` must find, one byte at a time: the end, the escapes, whether the text holds only what a cut may, and
 * for such a text how many units fewer than bytes TextDecoder makes of it.
 */
function expected(bytes: Uint8Array, open: number): Found {
  let escapes = 0;
  let plain = true;
  for (let at = open + 1; at < bytes.length; at++) {
    const c = bytes[at]!;
    if (c === 0x22) {
      const text = bytes.subarray(open + 1, at);
      const wide = text.length - utf8.decode(text).length;
      return { end: at, escapes, plain, ...(plain ? { wide } : {}), special: !plain || wide !== 0 };
    }
    if (c === 0x5c) {
      if (at + 1 >= bytes.length) return { end: -1 };
      if (!SHORT.has(bytes[at + 1]!)) plain = false;
      escapes++;
      at++;
    } else if (c < 0x20) {
      plain = false;
    }
  }
  return { end: -1 };
}

/** What a table finds; `moduleFrom` 0: the module reads every body, Infinity: none (string-ends.ts). */
function found(bytes: Uint8Array, open: number, moduleFrom?: number): Found {
  const strings = new StringEnds(bytes, moduleFrom);
  const end = strings.close(open);
  return end < 0 ? { end } : { end, escapes: strings.escapes, plain: strings.plain, ...(strings.plain ? { wide: strings.wide } : {}), special: strings.special };
}

test("the committed module is what string-ends.wat assembles to", async () => {
  expect(Buffer.from(await assemble()).toString("base64")).toBe(STRING_ENDS_WASM);
});

test.each([
  ["the module", 0],
  ["the walk one byte at a time", Number.POSITIVE_INFINITY],
])("%s: every string's end, escapes, plainness and width, with each escape, control character and quote at every place in the 64 bytes the module reads at once", (_, moduleFrom) => {
  // Every other round has no doubled backslash, so that runs of lone escapes come as often as escaped backslashes.
  const doubled = "\\\\";
  const pieces = ["a", "text of a file ", "\\n", "\\t", '\\"', doubled, "\\/", "\\b", "\\f", "\\r", "\\u0041", "\\x", "\\é", "\u0001", "\t", "\u001f", "é", "東京", "🚀", "x".repeat(16), "x".repeat(61)];
  const random = new Random(25);
  const encoder = new TextEncoder();
  let checked = 0;
  for (let round = 0; round < 1200; round++) {
    const drawn = round % 2 === 0 ? pieces : pieces.filter((p) => p !== doubled);
    let text = "";
    // A third of them short: keys and ids end within the first 16 bytes, which the module reads first.
    const length = round % 3 === 0 ? random.int(0, 20) : random.int(0, 300);
    while (text.length < length) text += drawn[random.int(0, drawn.length - 1)]!;
    // The text moved through the 64 bytes the module reads at once (by plain bytes before it), and the string through
    // the body (by spaces before its quote).
    for (let shift = 0; shift < 65; shift++) {
      const pad = shift % 3;
      // After the end, more strings with escapes; or the body ends, maybe in a lone backslash: never closed.
      const tail = [`" , "more\\n\\t\\u0001 \u0001"`, "", "\\", `\\"`][round % 4]!;
      const bytes = encoder.encode(`${" ".repeat(pad)}"${"x".repeat(shift)}${text}${tail}`);
      expect(found(bytes, pad, moduleFrom)).toEqual(expected(bytes, pad));
      checked++;
    }
  }
  expect(checked).toBe(1200 * 65);
});

test("a body larger than the kept memory (12 MB) is read whole, and the next body after it as before", () => {
  const large = new TextEncoder().encode(`"${"line\\n".repeat(2_000_000)}"`);
  expect(found(large, 0)).toEqual({ end: large.length - 1, escapes: 2_000_000, plain: true, wide: 0, special: false });
  const small = new TextEncoder().encode(`{"k":"v\\u0000"}`);
  expect(found(small, 5, 0)).toEqual({ end: 13, escapes: 1, plain: false, special: true });
  expect(found(small, 1, 0)).toEqual({ end: 3, escapes: 0, plain: true, wide: 0, special: false });
});

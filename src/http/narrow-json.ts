/**
 * JSON.stringify of a large value on JavaScriptCore's fast path. That path takes only 8-bit strings: at the first
 * string holding a character past U+00FF it starts over, for the whole value, on a path 4–7× slower (an object of
 * 118 KB: 25 µs, against 94 with such a string first and 187 with it last). Every real Claude Code request has such
 * characters — a dash in its system prompt, arrows and ellipses in its tool descriptions — and on the bench's 1 MB
 * request one dash in the system prompt made the gateway's CPU a request ~40 % higher (README, Performance: the
 * thirty-second pass). So the strings past Latin-1 are set aside while the value is written, and their own JSON is
 * put back in their places: pieces to be written one after the other.
 *
 * The body reader writes the other strings of a large body 8-bit (verbatim.ts): JSON.parse of a text with any such
 * character makes every string it reads 16-bit, past Latin-1 or not.
 */

import { placeholderMarks } from "./verbatim";

const { open: OPEN, close: CLOSE, openJson: OPEN_JSON, closeJson: CLOSE_JSON } = placeholderMarks();

/** Strings longer than this are measured natively rather than looped over. */
const LOOPED_UP_TO = 32;
const PAST_LATIN1 = /[^\u0000-\u00ff]/;

function pastLatin1(s: string): boolean {
  if (s.length <= LOOPED_UP_TO) {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return true;
    return false;
  }
  // Most text is ASCII, which Buffer.byteLength tells at memory speed; only other text is searched, character by
  // character (the search alone, over every long string, took ~450 µs of a 1 MB request's conversation).
  return Buffer.byteLength(s, "utf8") !== s.length && PAST_LATIN1.test(s);
}

/** The strings set aside while a value is written: where each was, and what it was. */
interface SetAside {
  holders: Array<Record<string, unknown>>;
  keys: string[];
  wide: string[];
}

/**
 * Sets aside `v` (at `key` of `holder`) if it is a string past Latin-1, else what such strings it holds. A function of
 * the module, given its state, rather than a closure made per call (src/jit.ts says why).
 */
function visit(aside: SetAside, holder: Record<string, unknown>, key: string, v: unknown): void {
  if (typeof v === "string") {
    if (!pastLatin1(v)) return;
    aside.holders.push(holder);
    aside.keys.push(key);
    holder[key] = `${OPEN}${aside.wide.push(v) - 1}${CLOSE}`;
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) visit(aside, v as unknown as Record<string, unknown>, String(i), v[i]);
  } else if (typeof v === "object" && v !== null) {
    for (const k in v) visit(aside, v as Record<string, unknown>, k, (v as Record<string, unknown>)[k]);
  }
}

/**
 * JSON.stringify(value) as pieces: JSON text, and between them the JSON of each string past Latin-1. `value` is a
 * tree of plain objects, arrays and primitives (no toJSON, no getters); its strings are put back before this returns.
 */
export function narrowJson(value: object): string[] {
  const aside: SetAside = { holders: [], keys: [], wide: [] };
  let json: string;
  try {
    for (const key in value) visit(aside, value as Record<string, unknown>, key, (value as Record<string, unknown>)[key]);
    json = JSON.stringify(value);
  } finally {
    for (let i = 0; i < aside.holders.length; i++) aside.holders[i]![aside.keys[i]!] = aside.wide[i];
  }
  const wide = aside.wide;
  if (wide.length === 0) return [json];
  const pieces: string[] = [];
  let at = 0;
  for (let open = json.indexOf(OPEN_JSON); open >= 0; open = json.indexOf(OPEN_JSON, at)) {
    const digits = open + OPEN_JSON.length;
    const close = json.indexOf(CLOSE_JSON, digits);
    // The placeholder stands inside the quotes its string was written in; the string's JSON brings its own.
    pieces.push(json.slice(at, open - 1), JSON.stringify(wide[Number(json.slice(digits, close))]));
    at = close + CLOSE_JSON.length + 1;
  }
  pieces.push(json.slice(at));
  return pieces;
}

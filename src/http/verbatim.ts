/**
 * Long strings of a JSON body that pass through to another JSON document unchanged, kept as the client's escaped
 * text. Claude Code's bodies are mostly file contents full of `\n` and `\t`, which push JSC's JSON.parse and
 * JSON.stringify off their fast paths (~5× slower than the same bytes without escapes): on the bench's 1 MB request
 * parsing and re-serialising them cost ~6 ms of the gateway's ~8. So one scan of the body's bytes (which also bounds
 * nesting) cuts the long strings at chosen places out and puts a short placeholder in each place; only the small
 * rest is decoded and parsed; the JSON written from it gets the client's bytes spliced back where the placeholders are.
 *
 * A string is cut only when its text is valid JSON (so a malformed body still fails JSON.parse), holds no `\u`
 * escape (the text spliced back then equals JSON.stringify's for any client that serialises as JSON.stringify does,
 * and holds no lone surrogate to repair) and is not blank (so `trim() === ""` tells the same of a text with
 * placeholders). Whatever reads such a string's content rather than passing it on asks this table.
 *
 * The table keeps the body's bytes, and the request frees them when its last attempt is over (`release`): a
 * megabyte string lives until a garbage collection, and one alive across a collection waits for a full one, so under
 * a stream of 1 MB requests texts kept were most of the gateway's memory (README, Performance).
 */
import { StringEnds } from "./string-ends";

/** Where strings may be cut: key paths, `*` for any array index. */
export type VerbatimPaths = ReadonlyArray<ReadonlyArray<string>>;

/** Shorter strings are parsed as usual: a cut costs a placeholder and a splice, ~60 bytes of work. */
const MIN_CUT = 256;

/**
 * In bodies this large, the strings that are not cut are read 8-bit: one holding a character past ASCII is given to
 * JSON.parse with that character as a \u escape. JSON.parse of a text with any character past Latin-1 makes every
 * string it reads 16-bit, and JSON.stringify of a value holding one leaves its fast path (narrow-json.ts): a dash in
 * Claude Code's system prompt would otherwise put every string of the conversation on the slow path.
 */
const ESCAPED_FROM_BYTES = 64 * 1024;

/**
 * The marks of one kind of placeholder, as text and as they read inside JSON text: `\u0000` + a nonce of this
 * process + an index + `\u0001`. No client can write one without the nonce, and JSON.stringify writes each the same
 * way wherever it ends up in a string. Each kind (the kept strings here, narrow-json.ts's) has a nonce of its own.
 */
export function placeholderMarks(): { open: string; close: string; openJson: string; closeJson: string } {
  const nonce = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => (b % 36).toString(36)).join("");
  return { open: `\u0000${nonce}`, close: "\u0001", openJson: `\\u0000${nonce}`, closeJson: "\\u0001" };
}

const { open: OPEN, close: CLOSE, openJson: OPEN_JSON, closeJson: CLOSE_JSON } = placeholderMarks();

const VERBATIM = Symbol("verbatim");

/** The table of the strings cut out of a parsed body, or undefined when none were. */
export function verbatimOf(value: unknown): Verbatim | undefined {
  return typeof value === "object" && value !== null ? (value as { [VERBATIM]?: Verbatim })[VERBATIM] : undefined;
}

const FIELD_TEXTS = Symbol("field texts");

/** The client's JSON text of the top-level fields the body reader was asked to keep whole (cutVerbatim's `whole`). */
export function fieldTextsOf(value: unknown): FieldTexts {
  return (typeof value === "object" && value !== null ? (value as { [FIELD_TEXTS]?: FieldTexts })[FIELD_TEXTS] : undefined) ?? {};
}

/** Gives `root` (the parsed body) the texts, where fieldTextsOf finds them. */
export function attachFieldTexts<T extends object>(root: T, fields: FieldTexts): T {
  Object.defineProperty(root, FIELD_TEXTS, { value: fields, enumerable: false });
  return root;
}

/** A piece of JSON to be written: text, or the client's bytes of a kept string. */
export type JsonPiece = string | Uint8Array<ArrayBuffer>;

// A piece may begin with U+FEFF as text: only the body reader drops a byte order mark.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

export class Verbatim {
  /** Each cut string's start and end inside its quotes, in the body's bytes. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** UTF-16 units each decodes to. */
  private readonly lengths: number[] = [];
  /** Characters each decodes to (one beyond the BMP once), and how many lie outside Latin (StringEnds.beyondLatin). */
  private readonly characters: number[] = [];
  private readonly beyond: number[] = [];
  private released = false;
  /**
   * Whether a string of the rest of a large body (ESCAPED_FROM_BYTES) may hold a character past ASCII (or a \u
   * escape): then JSON.stringify of what is made of it is written by narrow-json.ts.
   */
  wideRest = false;
  /** The last placeholder `next` found: its string's index and where it ends. */
  private found = 0;
  private foundEnd = 0;

  /** `source`: the body's UTF-8 bytes, which the table may free (nothing else may hold them). */
  constructor(private readonly source: Uint8Array<ArrayBuffer>) {}

  add(start: number, end: number, length: number, characters: number, beyondLatin: number): string {
    this.starts.push(start);
    this.ends.push(end);
    this.lengths.push(length);
    this.characters.push(characters);
    this.beyond.push(beyondLatin);
    return `${OPEN}${this.starts.length - 1}${CLOSE}`;
  }

  /**
   * Frees the body's bytes once no attempt will send the request again (messages.ts). A table read after that is a
   * mistake that would send empty strings: it throws instead.
   */
  release(): void {
    this.released = true;
    if (!this.source.buffer.detached) this.source.buffer.transfer(0);
  }

  get size(): number {
    return this.starts.length;
  }

  /** Gives `root` (the parsed rest) this table, where verbatimOf finds it. */
  attach<T extends object>(root: T): T {
    Object.defineProperty(root, VERBATIM, { value: this, enumerable: false });
    return root;
  }

  /** The length `s` has with every placeholder in it replaced by its string. */
  lengthOf(s: string): number {
    let length = s.length;
    for (let open = this.next(s, 0); open >= 0; open = this.next(s, this.foundEnd)) {
      length += this.lengths[this.found]! - (this.foundEnd - open);
    }
    return length;
  }

  /**
   * Units (tokens.ts's) of `s` with its placeholders replaced: `count` of its own text, `counted` of each kept string's
   * characters and those of them beyond Latin, found by the scan, so that no kept string is decoded to be counted.
   */
  unitsOf(s: string, count: (text: string) => number, counted: (characters: number, beyondLatin: number) => number): number {
    let units = 0;
    let at = 0;
    for (let open = this.next(s, 0); open >= 0; open = this.next(s, at)) {
      units += count(s.slice(at, open)) + counted(this.characters[this.found]!, this.beyond[this.found]!);
      at = this.foundEnd;
    }
    return units + count(at === 0 ? s : s.slice(at));
  }

  /** `s` with its placeholders replaced by their strings. */
  restore(s: string): string {
    let out = "";
    let at = 0;
    for (let open = this.next(s, 0); open >= 0; open = this.next(s, at)) {
      out += s.slice(at, open) + this.value(this.found);
      at = this.foundEnd;
    }
    return at === 0 ? s : out + s.slice(at);
  }

  /** A copy of `value` with every string in it restored. */
  restoreAll<T>(value: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") return this.restore(v);
      if (Array.isArray(v)) return v.map(walk);
      if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(value) as T;
  }

  /**
   * JSON text written by JSON.stringify from the rest (or from anything made of its strings) with the client's text
   * of each cut string where its placeholder was, in pieces to be written one after the other: joined, a megabyte
   * would be copied once more only to be encoded for the socket.
   */
  splice(json: string): JsonPiece[] {
    const pieces: JsonPiece[] = [];
    let at = 0;
    for (let open = json.indexOf(OPEN_JSON); open >= 0; open = json.indexOf(OPEN_JSON, at)) {
      const digits = open + OPEN_JSON.length;
      const close = json.indexOf(CLOSE_JSON, digits);
      pieces.push(json.slice(at, open), this.raw(Number(json.slice(digits, close))));
      at = close + CLOSE_JSON.length;
    }
    pieces.push(at === 0 ? json : json.slice(at));
    return pieces;
  }

  /** The client's escaped text of string `i`, as bytes. */
  private raw(i: number): Uint8Array<ArrayBuffer> {
    if (this.released) throw new Error("a kept string was read after its request ended");
    return this.source.subarray(this.starts[i], this.ends[i]);
  }

  private value(i: number): string {
    return JSON.parse(`"${utf8.decode(this.raw(i))}"`) as string;
  }

  /**
   * Where the next placeholder in `s` starts, at `from` or after, with its string's index in `found` and its end in
   * `foundEnd`; -1 when there is none. Read by loops rather than given a callback made per call (src/jit.ts says why).
   */
  private next(s: string, from: number): number {
    for (let open = s.indexOf(OPEN, from); open >= 0; open = s.indexOf(OPEN, open + 1)) {
      const close = s.indexOf(CLOSE, open + OPEN.length);
      const i = Number(s.slice(open + OPEN.length, close));
      if (close < 0 || !Number.isInteger(i) || i >= this.starts.length) continue;
      this.found = i;
      this.foundEnd = close + 1;
      return open;
    }
    return -1;
  }
}

/** Every string in `value` with its placeholders replaced: for code that reads the content (a web search's query). */
export function restoreVerbatim<T>(value: T): T {
  const table = verbatimOf(value);
  return table ? table.restoreAll(value) : value;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** Escapes that decode to whitespace trim() removes: \t \n \f \r. */
const BLANK_ESCAPES = new Set([0x74, 0x6e, 0x66, 0x72]);

export type Cut = { nested: true } | { nested: false; text: string; verbatim?: Verbatim; fields?: FieldTexts };

/** The client's JSON text of some top-level fields of a body, by name (see `whole` below). */
export type FieldTexts = Partial<Record<string, string>>;

/**
 * One scan of `bytes` (a body, valid UTF-8, in a buffer of its own that the table may free): `nested` when arrays
 * and objects nest deeper than `maxNesting`; else the body's text with the long strings at `paths` replaced by
 * placeholders, and their table. Text that is not JSON is left for JSON.parse to refuse: the scan never decides that.
 * The top-level fields named in `whole` that hold an array, an object or a string are also kept as the client's JSON
 * text, for an answer that repeats them (the Responses API's echo of `tools` and `instructions`) — unless that text
 * spans lines, which an event stream's `data:` line could not carry.
 */
export function cutVerbatim(bytes: Uint8Array<ArrayBuffer>, maxNesting: number, paths: VerbatimPaths, whole: readonly string[] = []): Cut {
  const strings = new StringEnds(bytes);
  // The key of the value being read at depth d, as its start and end in the bytes (start -1: inside an array).
  const keyStarts: number[] = [];
  const keyEnds: number[] = [];
  const inObject: boolean[] = [];
  let expectKey = false;
  let depth = 0;
  let table: Verbatim | undefined;
  const parts: string[] = [];
  let copied = 0;
  const escaping = bytes.length >= ESCAPED_FROM_BYTES;
  let wideRest = false;
  let fields: FieldTexts | undefined;
  // The top-level field being kept whole: its name, where its array or object opened, and the first of `parts` that
  // holds its text (the rest is decoded there at its edges, so that its text can be that part: no decoding twice).
  let wholeName: string | undefined;
  let wholeStart = -1;
  let wholePart = -1;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      const end = strings.close(i);
      if (end < 0) break;
      const key = expectKey && inObject[depth];
      if (key) {
        keyStarts[depth] = i + 1;
        keyEnds[depth] = end;
        expectKey = false;
      } else if (depth === 1 && whole.length > 0) {
        const name = wholeField(bytes, keyStarts, keyEnds, whole);
        if (name !== undefined) (fields ??= {})[name] = fieldText(bytes, i, end + 1);
      }
      if (!key && end - i - 1 >= MIN_CUT && atPath(bytes, keyStarts, keyEnds, depth, paths) && strings.plain && !blank(bytes, i + 1, end)) {
        table ??= new Verbatim(bytes);
        const wide = strings.wide;
        // Each escape is two bytes of text for one character.
        const length = end - i - 1 - wide - strings.escapes;
        const beyondLatin = wide === 0 ? 0 : strings.beyondLatin(i, end);
        const characters = wide === 0 ? length : length - strings.pairs;
        parts.push(utf8.decode(bytes.subarray(copied, i)), JSON.stringify(table.add(i + 1, end, length, characters, beyondLatin)));
        copied = end + 1;
      } else if (escaping && strings.special) {
        wideRest = true;
        // Only text of short escapes is rewritten: anything else stays as written, for JSON.parse to judge.
        if (strings.plain) {
          parts.push(utf8.decode(bytes.subarray(copied, i + 1)), asciiText(bytes, i + 1, end));
          copied = end;
        }
      }
      i = end;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxNesting) return { nested: true };
      if (depth === 2 && whole.length > 0) {
        wholeName = wholeField(bytes, keyStarts, keyEnds, whole);
        wholeStart = i;
        if (wholeName !== undefined) {
          parts.push(utf8.decode(bytes.subarray(copied, i)));
          copied = i;
          wholePart = parts.length;
        }
      }
      inObject[depth] = c === OPEN_OBJECT;
      keyStarts[depth] = -1;
      expectKey = c === OPEN_OBJECT;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      if (depth-- === 2 && wholeName !== undefined) {
        parts.push(utf8.decode(bytes.subarray(copied, i + 1)));
        copied = i + 1;
        // Nothing inside it cut or rewritten: its text is the one part decoded since it opened.
        (fields ??= {})[wholeName] = fieldText(bytes, wholeStart, i + 1, parts.length === wholePart + 1 ? parts[wholePart] : undefined);
        wholeName = undefined;
      }
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = inObject[depth] === true;
    } else if (c === COLON) {
      expectKey = false;
    }
  }
  const text = copied === 0 ? utf8.decode(bytes) : (parts.push(utf8.decode(bytes.subarray(copied))), parts.join(""));
  if (table) table.wideRest = wideRest;
  return { nested: false, text, ...(table ? { verbatim: table } : {}), ...(fields ? { fields } : {}) };
}

/** Which of `whole` the key of the value being read at depth 1 is, if the body is an object and it is one. */
function wholeField(bytes: Uint8Array, keyStarts: number[], keyEnds: number[], whole: readonly string[]): string | undefined {
  const start = keyStarts[1]!;
  if (start >= 0) for (const name of whole) if (keyIs(bytes, start, keyEnds[1]!, name)) return name;
  return undefined;
}

/**
 * The client's text of bytes `start` to `end` (`decoded` when the scan has it already); undefined when it spans
 * lines (whitespace between tokens).
 */
function fieldText(bytes: Uint8Array, start: number, end: number, decoded?: string): string | undefined {
  const piece = bytes.subarray(start, end);
  return piece.includes(0x0a) || piece.includes(0x0d) ? undefined : (decoded ?? utf8.decode(piece));
}

const HEX = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
/** The escaped text is written here; a string needing more gets a buffer of its own, not kept. */
const KEPT_SCRATCH_BYTES = 256 * 1024;
let scratch = new Uint8Array(0);

/**
 * A string's text (bytes `start` to `end` of a body: valid UTF-8, only short escapes) in ASCII: each character past
 * ASCII as its \u escape (two of them beyond the BMP), which JSON.parse reads back as the same character.
 */
function asciiText(bytes: Uint8Array, start: number, end: number): string {
  // At most three bytes of text for each: two bytes become six, four become twelve.
  const most = (end - start) * 3;
  if (scratch.length < most && most <= KEPT_SCRATCH_BYTES) scratch = new Uint8Array(KEPT_SCRATCH_BYTES);
  const out = most <= scratch.length ? scratch : new Uint8Array(most);
  let n = 0;
  for (let at = start; at < end; ) {
    const c = bytes[at]!;
    if (c < 0x80) {
      out[n++] = c;
      at++;
    } else if (c < 0xe0) {
      n = writeEscape(out, n, ((c & 0x1f) << 6) | (bytes[at + 1]! & 0x3f));
      at += 2;
    } else if (c < 0xf0) {
      n = writeEscape(out, n, ((c & 0x0f) << 12) | ((bytes[at + 1]! & 0x3f) << 6) | (bytes[at + 2]! & 0x3f));
      at += 3;
    } else {
      const point = (((c & 0x07) << 18) | ((bytes[at + 1]! & 0x3f) << 12) | ((bytes[at + 2]! & 0x3f) << 6) | (bytes[at + 3]! & 0x3f)) - 0x10000;
      n = writeEscape(out, writeEscape(out, n, 0xd800 + (point >> 10)), 0xdc00 + (point & 0x3ff));
      at += 4;
    }
  }
  return Buffer.from(out.buffer, 0, n).toString("latin1");
}

/** Writes `\uXXXX` for a UTF-16 unit at `n`; the index after it. */
function writeEscape(out: Uint8Array, n: number, unit: number): number {
  out[n] = 0x5c;
  out[n + 1] = 0x75;
  out[n + 2] = HEX[unit >> 12]!;
  out[n + 3] = HEX[(unit >> 8) & 15]!;
  out[n + 4] = HEX[(unit >> 4) & 15]!;
  out[n + 5] = HEX[unit & 15]!;
  return n + 6;
}

/** The keys at depths 1..depth are one of `paths` (`*` for an array's element; a key is compared as written). */
function atPath(bytes: Uint8Array, keyStarts: number[], keyEnds: number[], depth: number, paths: VerbatimPaths): boolean {
  next: for (const path of paths) {
    if (path.length !== depth) continue;
    for (let d = 0; d < depth; d++) {
      const name = path[d]!;
      const start = keyStarts[d + 1]!;
      if (start < 0) {
        if (name !== "*") continue next;
        continue;
      }
      if (!keyIs(bytes, start, keyEnds[d + 1]!, name)) continue next;
    }
    return true;
  }
  return false;
}

/** Whether the key written at bytes `start` to `end` is `name`, compared as written. */
function keyIs(bytes: Uint8Array, start: number, end: number, name: string): boolean {
  if (name.length !== end - start) return false;
  for (let k = 0; k < name.length; k++) if (bytes[start + k] !== name.charCodeAt(k)) return false;
  return true;
}

/** Whether the text may decode to whitespace only: anything but a plain printable ASCII character first says so. */
function blank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let at = start; at < end; at++) {
    const c = bytes[at]!;
    if (c === 0x20) continue;
    if (c === BACKSLASH && BLANK_ESCAPES.has(bytes[at + 1]!)) {
      at++;
      continue;
    }
    return !(c > 0x20 && c < 0x7f);
  }
  return true;
}

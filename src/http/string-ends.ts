/**
 * Where each string of a JSON body ends, and whether its text holds an escape other than the short ones or a raw
 * control character, found in the body's bytes 64 at a time by a small WebAssembly module (string-ends.wat). A
 * megabyte of Claude Code body is file contents with an escape every ~45 bytes: walking those with `indexOf` needed
 * the body as a JS string, a decoded copy of the megabyte, in fresh pages, made only to be scanned; with the body's
 * bytes read here, only the small rest between the long strings is ever decoded (README, Performance: the
 * twenty-fifth pass). A small body is walked here one byte at a time instead: the module's first use pages in ~4.5 MB
 * of JavaScriptCore's WebAssembly machinery, which a gateway answering only small requests need not hold.
 */
import { STRING_ENDS_WASM } from "./string-ends.gen";

/** What `close` found in a string besides its end (string-ends.wat). */
const BAD_ESCAPE = 1;
const CONTROL = 2;

/** Bodies from this size on are read by the module. */
const MODULE_FROM_BYTES = 64 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** `"`, `\`, `/`, b, f, n, r, t: the escapes a string may hold as two characters (the module's table too). */
const SHORT_ESCAPES = new Uint8Array(256);
for (const c of [0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]) SHORT_ESCAPES[c] = 1;

/** The module's escape table sits below this offset; the body is copied from it on. */
const BASE = 128;
/** The module reads 64 bytes at a time and may read past a body's end by that much. */
const SPARE = 64;
const PAGE = 64 * 1024;
/** Larger bodies are rare: they get an instance of their own, whose memory goes with them. */
const KEPT_BYTES = 8 * 1024 * 1024;
/** The module's `close` answers an index times two in an i32: larger bodies (far past any limit) are walked. */
const MODULE_TO_BYTES = 2 ** 30 - BASE - SPARE;

interface Exports {
  memory: WebAssembly.Memory;
  close(open: number, end: number): number;
  escapes: WebAssembly.Global<"i32">;
  flags: WebAssembly.Global<"i32">;
  wide: WebAssembly.Global<"i32">;
  beyond(at: number, end: number): number;
  pairs: WebAssembly.Global<"i32">;
}

// Compiled and instantiated at the first large body, not at start-up.
let compiled: WebAssembly.Module | undefined;
let kept: Exports | undefined;

function instance(): Exports {
  compiled ??= new WebAssembly.Module(Buffer.from(STRING_ENDS_WASM, "base64"));
  return new WebAssembly.Instance(compiled).exports as unknown as Exports;
}

/**
 * The strings of one body. A large body is read from a copy of its bytes in the module's memory, which every body
 * shares: a table is used in the synchronous stretch that made it, before the next body is read.
 */
export class StringEnds {
  private readonly module: Exports | undefined;
  private readonly end: number;
  // Of the string last ended, when this walk found it.
  private escapeCount = 0;
  private flagBits = 0;
  private wideCount = 0;
  private pairCount = 0;
  private other = false;

  /** `moduleFrom`: the size from which the module reads the body (tests choose either way). */
  constructor(
    private readonly bytes: Uint8Array,
    moduleFrom = MODULE_FROM_BYTES,
  ) {
    this.end = BASE + bytes.length;
    if (bytes.length < moduleFrom || bytes.length > MODULE_TO_BYTES) return;
    const needed = this.end + SPARE;
    if (needed > KEPT_BYTES) {
      this.module = instance();
    } else {
      kept ??= instance();
      this.module = kept;
    }
    const { memory } = this.module;
    if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    new Uint8Array(memory.buffer, BASE, bytes.length).set(bytes);
  }

  /** The index of the quote that ends the string opening at `open`, or -1 when the body ends first. */
  close(open: number): number {
    if (!this.module) return this.walk(open);
    const found = this.module.close(open + BASE, this.end);
    if (found < 0) return -1;
    this.other = (found & 1) === 1;
    return (found >> 1) - BASE;
  }

  /**
   * Of the string `close` last ended: whether its text is anything but ASCII of short escapes (then `wide`, `plain`
   * and `escapes` tell what). Asked of every string: the module's answer comes with the end, not from its globals.
   */
  get special(): boolean {
    return this.other;
  }

  /** Of the string `close` last ended: its escapes (each two bytes of text for one character). */
  get escapes(): number {
    return this.module ? this.module.escapes.value : this.escapeCount;
  }

  /**
   * Of the string `close` last ended: how many UTF-16 units fewer than bytes its text decodes to — 0 for ASCII, one a
   * continuation byte, one less a four-byte sequence (a surrogate pair). The body is valid UTF-8 (body.ts's utf8Of).
   */
  get wide(): number {
    return this.module ? this.module.wide.value : this.wideCount;
  }

  /** Of the string `close` last ended: whether it holds only the short escapes (no \u) and no raw control character. */
  get plain(): boolean {
    return ((this.module ? this.module.flags.value : this.flagBits) & (BAD_ESCAPE | CONTROL)) === 0;
  }

  /**
   * Of the text inside the quotes at `open` and `end` (a plain string `close` ended): how many of its characters lie
   * outside the ranges the token estimate counts as Latin (tokens.ts isWestern), a character beyond the BMP once.
   * Read from the body's bytes, so that no text need be decoded to be counted; asked of text that is not ASCII.
   */
  beyondLatin(open: number, end: number): number {
    if (this.module) {
      const count = this.module.beyond(open + 1 + BASE, end + BASE);
      this.pairCount = this.module.pairs.value;
      return count;
    }
    // What the module's `beyond` does, without its skipping.
    const bytes = this.bytes;
    let count = 0;
    let pairs = 0;
    for (let at = open + 1; at < end; at++) {
      const c = bytes[at]!;
      if (c < 0xc9) continue;
      if (c < 0xe0) {
        if (c !== 0xc9 || bytes[at + 1]! >= 0x90) count++;
      } else if (c >= 0xf0) {
        count++;
        pairs++;
      } else if (!latinAbove07ff(((c & 0x0f) << 12) | ((bytes[at + 1]! & 0x3f) << 6) | (bytes[at + 2]! & 0x3f))) {
        count++;
      }
    }
    this.pairCount = pairs;
    return count;
  }

  /** Of the text `beyondLatin` last counted: its characters beyond the BMP (each two UTF-16 units). */
  get pairs(): number {
    return this.pairCount;
  }

  /** What the module's `close` does, one byte at a time. */
  private walk(open: number): number {
    const bytes = this.bytes;
    let escapes = 0;
    let flags = 0;
    let wide = 0;
    for (let at = open + 1; at < bytes.length; at++) {
      const c = bytes[at]!;
      if (c === QUOTE) {
        this.escapeCount = escapes;
        this.flagBits = flags;
        this.wideCount = wide;
        this.other = wide !== 0 || (flags & (BAD_ESCAPE | CONTROL)) !== 0;
        return at;
      }
      if (c === BACKSLASH) {
        if (at + 1 >= bytes.length) return -1;
        if (SHORT_ESCAPES[bytes[at + 1]!] !== 1) flags |= BAD_ESCAPE;
        escapes++;
        at++;
      } else if (c < 0x20) {
        flags |= CONTROL;
      } else if (c >= 0x80) {
        if (c < 0xc0) wide++;
        else if (c >= 0xf0) wide--;
      }
    }
    return -1;
  }
}

/** The ranges above U+07FF that tokens.ts's isWestern counts as Latin. */
function latinAbove07ff(point: number): boolean {
  return (point >= 0x1e00 && point <= 0x1eff) || (point >= 0x2c60 && point <= 0x2c7f) || (point >= 0xa720 && point <= 0xa7ff) || (point >= 0xab30 && point <= 0xab6f);
}

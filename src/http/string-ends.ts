/**
 * Where each string of a JSON body ends, and whether its text holds an escape other than the short ones or a raw
 * control character, found in the body's bytes 16 at a time by a small WebAssembly module (string-ends.wat). A
 * megabyte of Claude Code body is file contents with an escape every ~45 bytes: walking those with `indexOf` needed
 * the body as a JS string, a decoded copy of the megabyte, in fresh pages, made only to be scanned; with the body's
 * bytes read here, only the small rest between the long strings is ever decoded (README, Performance: the
 * twenty-fifth pass).
 */
import { STRING_ENDS_WASM } from "./string-ends.gen";

/** What `close` found in a string besides its end (string-ends.wat). */
const BAD_ESCAPE = 1;
const CONTROL = 2;

/** The module's escape table sits below this offset; the body is copied from it on. */
const BASE = 128;
/** The module reads 16 bytes at a time and may read past a body's end by that much. */
const SPARE = 16;
const PAGE = 64 * 1024;
/** Larger bodies are rare: they get an instance of their own, whose memory goes with them. */
const KEPT_BYTES = 8 * 1024 * 1024;

interface Exports {
  memory: WebAssembly.Memory;
  close(open: number, end: number): number;
  escapes: WebAssembly.Global<"i32">;
  flags: WebAssembly.Global<"i32">;
}

// Compiled and instantiated at the first body, not at start-up.
let compiled: WebAssembly.Module | undefined;
let kept: Exports | undefined;

function instance(): Exports {
  compiled ??= new WebAssembly.Module(Buffer.from(STRING_ENDS_WASM, "base64"));
  return new WebAssembly.Instance(compiled).exports as unknown as Exports;
}

/**
 * The strings of one body, read from a copy of its bytes in the module's memory. The copy is shared by every
 * body the process reads: a table is used in the synchronous stretch that made it, before the next body is read.
 */
export class StringEnds {
  private readonly exports: Exports;
  private readonly end: number;

  constructor(bytes: Uint8Array) {
    const needed = BASE + bytes.length + SPARE;
    if (needed > KEPT_BYTES) {
      this.exports = instance();
    } else {
      kept ??= instance();
      this.exports = kept;
    }
    const { memory } = this.exports;
    if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    new Uint8Array(memory.buffer, BASE, bytes.length).set(bytes);
    this.end = BASE + bytes.length;
  }

  /** The index of the quote that ends the string opening at `open`, or -1 when the body ends first. */
  close(open: number): number {
    const end = this.exports.close(open + BASE, this.end);
    return end < 0 ? -1 : end - BASE;
  }

  /** Of the string `close` last ended: its escapes (each two bytes of text for one character). */
  get escapes(): number {
    return this.exports.escapes.value;
  }

  /** Of the string `close` last ended: whether it holds only the short escapes (no \u) and no raw control character. */
  get plain(): boolean {
    return (this.exports.flags.value & (BAD_ESCAPE | CONTROL)) === 0;
  }
}

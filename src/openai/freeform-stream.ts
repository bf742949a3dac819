/**
 * A freeform call's text as its JSON input (`{"input": "…"}`, tools.ts) arrives in fragments: the string is decoded
 * as it comes, so the client sees the call being written. Held back until the next fragment: an escape cut in two
 * (`\`, a partial `\uXXXX`) and a high surrogate whose pair has not arrived yet (Codex reads the events with serde,
 * which refuses a lone surrogate). Input of any other shape is held whole and given at the end, as freeformText
 * reads it.
 */
import { FREEFORM_INPUT, freeformText } from "./tools";

const HEAD = ["{", JSON.stringify(FREEFORM_INPUT), ":", '"'];
const ESCAPED: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const HEX4 = /^[0-9a-fA-F]{4}$/;
const HEX_PREFIX = /^[0-9a-fA-F]{0,3}$/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isJsonSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r";

export class FreeformDecoder {
  /** The JSON text so far. */
  private raw = "";
  /** Where decoding resumes in `raw`. */
  private at = 0;
  /** Before the string's opening quote, inside the string, past its closing quote, or not of the expected shape. */
  private state: "head" | "string" | "after" | "whole" = "head";
  /** Text given so far. */
  private given = "";
  /** A high surrogate waiting for its pair. */
  private held = "";

  /** The text this fragment makes safe to give ("" when it all waits). */
  push(fragment: string): string {
    this.raw += fragment;
    if (this.state === "head") this.readHead();
    if (this.state !== "string") return "";
    const text = this.decode();
    this.given += text;
    return text;
  }

  /**
   * At the call's end: the rest of its text, and the whole input, which always equals everything given. An input
   * cut inside its string (Kiro cuts very large inputs mid-JSON) ends with what was decoded; any other ends as
   * freeformText reads it, when that continues what was given.
   */
  end(): { rest: string; input: string } {
    let rest = this.held;
    if (this.state !== "string") {
      const whole = freeformText(this.raw);
      if (whole.startsWith(this.given)) rest = whole.slice(this.given.length);
    }
    this.held = "";
    this.given += rest;
    return { rest, input: this.given };
  }

  private readHead(): void {
    let i = 0;
    for (const token of HEAD) {
      while (isJsonSpace(this.raw[i])) i++;
      const part = this.raw.slice(i, i + token.length);
      if (part !== token) {
        // Not there yet, or not the shape at all.
        if (!(i + part.length === this.raw.length && token.startsWith(part))) this.state = "whole";
        return;
      }
      i += token.length;
    }
    this.at = i;
    this.state = "string";
  }

  private decode(): string {
    const raw = this.raw;
    let out = this.held;
    this.held = "";
    let run = this.at;
    let i = this.at;
    for (;;) {
      if (i >= raw.length) {
        out += raw.slice(run);
        this.at = raw.length;
        break;
      }
      const c = raw.charCodeAt(i);
      if (c === QUOTE) {
        this.at = i + 1;
        this.state = "after";
        return out + raw.slice(run, i);
      }
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      out += raw.slice(run, i);
      this.at = i;
      const escape = raw[i + 1];
      // The escape's rest is in the next fragment.
      if (escape === undefined) break;
      if (escape === "u") {
        const hex = raw.slice(i + 2, i + 6);
        if (hex.length < 4 && HEX_PREFIX.test(hex)) break;
        if (!HEX4.test(hex)) return this.giveUp(out);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        const char = ESCAPED[escape];
        if (char === undefined) return this.giveUp(out);
        out += char;
        i += 2;
      }
      run = i;
    }
    if (out.length > 0 && isHighSurrogate(out.charCodeAt(out.length - 1))) {
      this.held = out.slice(-1);
      out = out.slice(0, -1);
    }
    return out;
  }

  /** Not JSON: the call ends as freeformText reads it; what was decoded so far is still given. */
  private giveUp(out: string): string {
    this.state = "whole";
    return out;
  }
}

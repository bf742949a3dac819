/**
 * Splits a streamed reply into thinking and answer text when Kiro writes its reasoning inline as
 * `<thinking>…</thinking>\n\n` (kiro-protocol.md §5.3). Independent of SSE: it turns text chunks into
 * pieces, and the caller decides what blocks they become.
 *
 * Every decision (is this tag real? quoted? followed by a blank line?) waits until the characters it
 * depends on have arrived, so the same reply split at any offset yields the same thinking and text.
 */

export type ThinkingPiece =
  | { kind: "text"; text: string }
  | { kind: "thinking"; text: string }
  | { kind: "thinking_start" }
  | { kind: "thinking_end" };

const START = "<thinking>";
const END = "</thinking>";
/** A real end tag is followed by a blank line; the tag and the blank line are both removed. */
const END_WITH_BLANK_LINE = END.length + 2;

/**
 * A start tag touching one of these is a mention ("`<thinking>`", "(<thinking>)"), not the model's
 * reasoning. The set is §5.3's.
 */
const START_QUOTES = new Set("`\"'\\#!@$%^&*()-_=+[]{};:<>,.?/");
/**
 * Before an end tag only quote and escape characters mark a mention: sentence punctuation naturally
 * ends the reasoning ("…wants weather.</thinking>"), and the blank line required after a real end tag
 * already rules out most mentions.
 */
const END_QUOTES = new Set("`\"'\\");

/** Enough of the tail to hold a partial start tag and the character before it. */
const START_HOLDBACK = START.length;
/** Enough of the tail to hold a partial end tag and the blank line after it. */
const END_HOLDBACK = END_WITH_BLANK_LINE;

const NON_SPACE = /\S/;

type Phase = "before" | "thinking" | "after";

export class ThinkingSplitter {
  private phase: Phase = "before";
  private buf = "";
  /** The character just before `buf` in the reply ("" at the very start), for the quote check. */
  private prev = "";
  /** Whether any answer text has been given out; until then, whitespace is held back. */
  private textGiven = false;
  /** The model writes `<thinking>\n`; that newline may arrive in the next chunk. */
  private dropNewline = false;

  push(chunk: string): ThinkingPiece[] {
    const out: ThinkingPiece[] = [];
    this.buf += chunk;
    for (;;) {
      if (this.phase === "before") {
        if (!this.scanBefore(out)) break;
      } else if (this.phase === "thinking") {
        if (!this.scanThinking(out)) break;
      } else {
        this.giveText(out, this.keepWhole(this.buf.length));
        break;
      }
    }
    return out;
  }

  /**
   * Settle everything held back: called before a tool call starts and at the end of the reply. An
   * unfinished thinking block is closed here, since nothing can continue it after a tool call.
   */
  flush(): ThinkingPiece[] {
    const out: ThinkingPiece[] = [];
    const buf = this.buf;
    this.buf = "";
    if (this.phase === "before") {
      if (this.textGiven || NON_SPACE.test(buf)) this.emitText(out, buf);
    } else if (this.phase === "thinking") {
      // Only whitespace can follow an end tag still held here, and it is dropped with the tag.
      const end = this.endAtBufferEnd(buf);
      const thinking = end === -1 ? buf : buf.slice(0, end);
      if (thinking) out.push({ kind: "thinking", text: thinking });
      out.push({ kind: "thinking_end" });
      this.phase = "after";
    } else {
      this.emitText(out, buf);
    }
    this.prev = "";
    return out;
  }

  /** Returns true when a start tag was consumed and scanning should go on in the thinking phase. */
  private scanBefore(out: ThinkingPiece[]): boolean {
    const buf = this.buf;
    const start = this.realStart(buf);
    if (start !== -1) {
      const before = buf.slice(0, start);
      if (this.textGiven || NON_SPACE.test(before)) this.emitText(out, before);
      out.push({ kind: "thinking_start" });
      this.buf = buf.slice(start + START.length);
      this.prev = ">";
      this.phase = "thinking";
      this.dropNewline = true;
      return true;
    }
    const cut = this.keepWhole(buf.length - START_HOLDBACK);
    // Whitespace ahead of a thinking block is not part of the answer: hold it until we know.
    if (this.textGiven || NON_SPACE.test(buf.slice(0, cut))) this.giveText(out, cut);
    return false;
  }

  /** Returns true when the end tag was consumed and scanning should go on after the thinking. */
  private scanThinking(out: ThinkingPiece[]): boolean {
    if (this.dropNewline) {
      if (this.buf === "") return false;
      if (this.buf.charCodeAt(0) === 10) {
        this.buf = this.buf.slice(1);
        this.prev = "\n";
      }
      this.dropNewline = false;
    }
    const buf = this.buf;
    const end = this.realEnd(buf);
    if (end !== -1) {
      if (end > 0) out.push({ kind: "thinking", text: buf.slice(0, end) });
      out.push({ kind: "thinking_end" });
      this.buf = buf.slice(end + END_WITH_BLANK_LINE);
      this.prev = "\n";
      this.phase = "after";
      return true;
    }
    let cut = buf.length - END_HOLDBACK;
    // An end tag followed so far only by whitespace may still close the block at a tool call or the end.
    const trailing = this.endAtBufferEnd(buf);
    if (trailing !== -1 && trailing < cut) cut = trailing;
    cut = this.keepWhole(cut);
    if (cut > 0) {
      out.push({ kind: "thinking", text: buf.slice(0, cut) });
      this.prev = buf[cut - 1] ?? "";
      this.buf = buf.slice(cut);
    }
    return false;
  }

  /** First start tag not touching a quote character; -1 if none is certain yet. */
  private realStart(buf: string): number {
    for (let at = buf.indexOf(START); at !== -1; at = buf.indexOf(START, at + 1)) {
      const before = at > 0 ? buf[at - 1]! : this.prev;
      const after = buf[at + START.length];
      // At the buffer's end the next character is unknown: the holdback keeps the tag for next time.
      if (after === undefined) return -1;
      if (!START_QUOTES.has(before) && !START_QUOTES.has(after)) return at;
    }
    return -1;
  }

  /** First end tag followed by a blank line and not quoted; -1 if none is certain yet. */
  private realEnd(buf: string): number {
    for (let at = buf.indexOf(END); at !== -1; at = buf.indexOf(END, at + 1)) {
      if (END_QUOTES.has(at > 0 ? buf[at - 1]! : this.prev)) continue;
      const tail = at + END.length;
      if (buf.charCodeAt(tail) !== 10) {
        if (tail >= buf.length) return -1;
        continue;
      }
      if (tail + 1 >= buf.length) return -1;
      if (buf.charCodeAt(tail + 1) === 10) return at;
    }
    return -1;
  }

  /** An unquoted end tag followed only by whitespace up to the end of `buf`; -1 if none. */
  private endAtBufferEnd(buf: string): number {
    const at = buf.lastIndexOf(END);
    if (at === -1) return -1;
    if (END_QUOTES.has(at > 0 ? buf[at - 1]! : this.prev)) return -1;
    return NON_SPACE.test(buf.slice(at + END.length)) ? -1 : at;
  }

  /** Moves a cut point back so it never falls between the two halves of a surrogate pair. */
  private keepWhole(cut: number): number {
    if (cut <= 0) return 0;
    const code = this.buf.charCodeAt(cut - 1);
    return code >= 0xd800 && code <= 0xdbff ? cut - 1 : cut;
  }

  /** Gives out `buf[0:cut]` as answer text and keeps the rest. */
  private giveText(out: ThinkingPiece[], cut: number): void {
    if (cut <= 0) return;
    const text = this.buf.slice(0, cut);
    this.buf = this.buf.slice(cut);
    this.prev = text[text.length - 1]!;
    this.emitText(out, text);
  }

  private emitText(out: ThinkingPiece[], text: string): void {
    if (!text) return;
    out.push({ kind: "text", text });
    this.textGiven = true;
  }
}

/**
 * Stop sequences (Chat Completions' `stop`), which Kiro does not take: the answer's text is watched as it streams,
 * and cut before the first stop sequence. Text that could be the start of one is held back until the next piece
 * shows whether it is, so a sequence split across pieces is found too.
 */
export class StopCutter {
  private held = "";
  private cut = false;

  constructor(private readonly sequences: readonly string[]) {}

  /** Whether a stop sequence was found; nothing more is let through after it. */
  get stopped(): boolean {
    return this.cut;
  }

  /** The part of `text` that may be written now. */
  push(text: string): string {
    if (this.cut) return "";
    if (this.sequences.length === 0) return text;
    const buffer = this.held + text;
    let at = -1;
    for (const s of this.sequences) {
      const i = buffer.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    if (at >= 0) {
      this.cut = true;
      this.held = "";
      return buffer.slice(0, at);
    }
    const keep = this.heldBack(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return buffer.slice(0, buffer.length - keep);
  }

  /** The end of a text: what was held back was no stop sequence after all. */
  flush(): string {
    const rest = this.held;
    this.held = "";
    return this.cut ? "" : rest;
  }

  /** The length of the longest end of `buffer` that begins a stop sequence. */
  private heldBack(buffer: string): number {
    let longest = 0;
    for (const s of this.sequences) {
      for (let n = Math.min(s.length - 1, buffer.length); n > longest; n--) {
        if (buffer.endsWith(s.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}

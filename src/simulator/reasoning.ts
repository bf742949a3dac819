/**
 * Native reasoning (kiro-protocol-2026.md §3): the reasoningContentEvent frames each model family sends, with
 * signatures and redacted blobs the simulator can later recognise, and the check of reasoning replayed in the
 * history — a signature Kiro did not issue for exactly that text is THINKING_SIGNATURE_INVALID, the flat form
 * is REQUEST_BODY_INVALID.
 */
import type { ModelFacts } from "./catalog";
import type { ModelFields } from "./model-fields";
import { improperlyFormed, type HttpErrorReply, reasoning, reasoningSignature, redactedReasoning, type StreamStep, thinkingSignatureInvalid } from "./replies";

/** Signs reasoning with a key of its own simulator, so a signature survives only a faithful replay to the same simulator. */
export class ReasoningSigner {
  private readonly key = crypto.getRandomValues(new Uint8Array(32));

  /** A signature binding exactly the text the client was shown ("" when the display is omitted). */
  sign(shownText: string): string {
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    return toBase64([...SIGNATURE_PREFIX, ...nonce, ...this.mac("thinking", nonce, shownText)]);
  }

  verify(shownText: string, signature: string): boolean {
    const bytes = fromBase64(signature);
    if (!bytes || bytes.length !== SIGNATURE_PREFIX.length + 12 + 32) return false;
    if (SIGNATURE_PREFIX.some((b, i) => bytes[i] !== b)) return false;
    const nonce = bytes.subarray(SIGNATURE_PREFIX.length, SIGNATURE_PREFIX.length + 12);
    return equal(bytes.subarray(SIGNATURE_PREFIX.length + 12), this.mac("thinking", nonce, shownText));
  }

  /** GPT-5.6's encrypted reasoning: opaque to the client, recognised when it comes back. */
  redactedBlob(): string {
    const nonce = crypto.getRandomValues(new Uint8Array(24));
    return toBase64([...nonce, ...this.mac("redacted", nonce, "")]);
  }

  verifyBlob(blob: string): boolean {
    const bytes = fromBase64(blob);
    return !!bytes && bytes.length === 24 + 32 && equal(bytes.subarray(24), this.mac("redacted", bytes.subarray(0, 24), ""));
  }

  private mac(kind: string, nonce: Uint8Array, text: string): Uint8Array {
    const hmac = new Bun.CryptoHasher("sha256", this.key);
    hmac.update(kind);
    hmac.update(nonce);
    hmac.update(text);
    return hmac.digest();
  }
}

/** Live signatures start "EsYFCk…" (a protobuf header); ours start the same way. */
const SIGNATURE_PREFIX = [0x12, 0xc6, 0x05, 0x0a];

export interface SignedReasoningShape {
  /** Reasoning text frames (default 2, as conformance case 10 expects). */
  textPieces?: number;
  /** Frames the signature is split over, to be concatenated in order (default 1; TZ #12 saw several). */
  signaturePieces?: number;
}

/** A signed block on the wire: text frames (none when empty), then the signature frame(s). */
export function signedReasoning(text: string, signature: string, shape: SignedReasoningShape = {}): StreamStep[] {
  const texts = text === "" ? [] : split(text, shape.textPieces ?? 2).map((t) => reasoning(t));
  return [...texts, ...split(signature, shape.signaturePieces ?? 1).map(reasoningSignature)];
}

/** Where a family's reasoning sits: Claude's before the answer, GPT's blob after the text and tool calls. */
export interface ReasoningFrames {
  before: StreamStep[];
  after: StreamStep[];
}

/** The reasoning a model sends on its own for a request with these fields (§3.1's table). */
export function nativeReasoning(facts: ModelFacts, fields: ModelFields | undefined, thought: string, signer: ReasoningSigner): ReasoningFrames {
  const none = { before: [], after: [] };
  const asked = fields?.thinkingType === "adaptive" || fields?.thinkingType === "between_tools";
  const shown = fields?.display === "omitted" ? "" : thought;
  switch (facts.reasoning) {
    case "none":
    case "silent":
      return none;
    case "summary-by-default":
      return fields?.thinkingType === "disabled" ? none : { before: signedReasoning(shown, signer.sign(shown)), after: [] };
    case "summary":
    case "plaintext":
      return asked ? { before: signedReasoning(shown, signer.sign(shown)), after: [] } : none;
    case "signature-only":
      return asked ? { before: signedReasoning("", signer.sign("")), after: [] } : none;
    case "redacted":
      return fields?.reasoningEffort !== undefined && fields.reasoningEffort !== "none" ? { before: [], after: [redactedReasoning(signer.redactedBlob())] } : none;
  }
}

/**
 * The first replayed reasoning Kiro would refuse, as its 400; null when every replayed block is well formed
 * and signed by this simulator. `messages.N` counts the history entries, as Anthropic counts messages.
 */
export function judgeReplayedReasoning(body: unknown, signer: ReasoningSigner): HttpErrorReply | null {
  const history = historyOf(body);
  for (let i = 0; i < history.length; i++) {
    const entry = history[i];
    const message = isObject(entry) && isObject(entry.assistantResponseMessage) ? entry.assistantResponseMessage : undefined;
    if (!message) continue;
    if ("reasoningSignature" in message) return improperlyFormed("REQUEST_BODY_INVALID");
    const content = message.reasoningContent;
    if (content === undefined) continue;
    if (!isObject(content)) return improperlyFormed("REQUEST_BODY_INVALID");
    if (isObject(content.reasoningText)) {
      const { text, signature } = content.reasoningText;
      if (typeof text !== "string") return improperlyFormed("REQUEST_BODY_INVALID");
      if (signature === undefined) return thinkingSignatureInvalid("missing", i);
      if (typeof signature !== "string" || !signer.verify(text, signature)) return thinkingSignatureInvalid("invalid", i);
    } else if (typeof content.redactedContent === "string") {
      if (!signer.verifyBlob(content.redactedContent)) return thinkingSignatureInvalid("invalid", i);
    } else {
      return improperlyFormed("REQUEST_BODY_INVALID");
    }
  }
  return null;
}

function historyOf(body: unknown): unknown[] {
  const state = isObject(body) ? body.conversationState : undefined;
  return isObject(state) && Array.isArray(state.history) ? state.history : [];
}

function split(s: string, pieces: number): string[] {
  const chars = [...s];
  const n = Math.max(1, Math.min(pieces, chars.length || 1));
  return Array.from({ length: n }, (_, i) => chars.slice(Math.floor((i * chars.length) / n), Math.floor(((i + 1) * chars.length) / n)).join(""));
}

function toBase64(bytes: number[]): string {
  return Buffer.from(bytes).toString("base64");
}

function fromBase64(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return undefined;
  return new Uint8Array(Buffer.from(s, "base64"));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Replies chosen by what the user said, so one simulator process can serve every benchmark scenario: the caller
 * puts a directive in the current user message and the gateway passes it through untouched.
 *
 *   `[sim] long <bytes> <chars>`  a text reply of about <bytes> bytes of event stream, <chars> characters a frame
 *   `[sim] hold <ms>`             one text event, then silence for <ms> (a stream held open), then the end
 *   anything else                  the ordinary echo reply
 */
import { echoReply } from "./chat";
import { encodeStep } from "./playback";
import { contextUsage, events, metering, pause, type Reply, type StreamStep, textEvent } from "./replies";
import type { RecordedRequest } from "./simulator";

export type BenchDirective = { kind: "long"; bytes: number; chars: number } | { kind: "hold"; ms: number };

const DIRECTIVE = /^\[sim\] (long (\d+) (\d+)|hold (\d+))$/;

/** Largest long reply, so a typo cannot make the simulator build gigabytes. */
const MAX_LONG_BYTES = 512 * 1024 * 1024;

export function parseDirective(text: string): BenchDirective | undefined {
  const m = DIRECTIVE.exec(text.trim());
  if (!m) return undefined;
  if (m[4] !== undefined) return { kind: "hold", ms: Number(m[4]) };
  const bytes = Number(m[2]);
  const chars = Number(m[3]);
  if (bytes < 1 || bytes > MAX_LONG_BYTES || chars < 1) return undefined;
  return { kind: "long", bytes, chars };
}

/**
 * Prose with what makes JSON and SSE encoding work: quotes, backslashes, newlines, tabs, and characters of
 * two, three and four UTF-8 bytes.
 */
const PROSE =
  'The gateway reads "frames" as they arrive — decoding each one\\n once.\n\tCafé, naïve, 東京, emoji 🚀; ' +
  "code: `if (a < b && c > d) { return x[i]; }`, a path C:\\\\tmp\\\\kiro, and plain words to fill the line. ";

/** `chars` characters of PROSE repeated, never cutting a surrogate pair. */
export function proseChunk(chars: number): string {
  const codePoints = Array.from(PROSE);
  const out: string[] = [];
  for (let i = 0; i < chars; i++) out.push(codePoints[i % codePoints.length]!);
  return out.join("");
}

/**
 * The same text frame repeated until the encoded stream reaches `bytes` (at least one frame), then metering and
 * context usage as Kiro ends a reply.
 */
export function longReply(bytes: number, chars: number): Reply {
  const step = textEvent(proseChunk(chars));
  const frameBytes = encodeStep(step as Exclude<StreamStep, { type: "pause" }>).length;
  const frames = Math.max(1, Math.round(bytes / frameBytes));
  const steps: StreamStep[] = new Array(frames).fill(step);
  return events([...steps, metering(), contextUsage(12.5)]);
}

export function holdReply(ms: number): Reply {
  return events([textEvent("Holding the stream open."), pause(ms), textEvent(" Done."), metering(), contextUsage(0.5)]);
}

/** The simulator's default reply in benchmark mode. */
export function benchReply(req: RecordedRequest): Reply {
  const directive = parseDirective(currentText(req.body));
  if (directive?.kind === "long") return longReply(directive.bytes, directive.chars);
  if (directive?.kind === "hold") return holdReply(directive.ms);
  return echoReply(req);
}

function currentText(body: unknown): string {
  const text = (body as { conversationState?: { currentMessage?: { userInputMessage?: { content?: unknown } } } } | undefined)
    ?.conversationState?.currentMessage?.userInputMessage?.content;
  return typeof text === "string" ? text : "";
}

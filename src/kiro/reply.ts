/**
 * A generateAssistantResponse reply as a sequence of Kiro events, decoded as the bytes arrive: body → frames →
 * events. A cut or corrupt stream ends in an EventStreamError, never in a silent early end.
 */
import { EventStreamDecoder } from "./eventstream";
import { frameToEvent } from "./events";
import type { KiroEvent } from "./types";

export async function* replyEvents(body: ReadableStream<Uint8Array>, onSkip?: (reason: string) => void): AsyncGenerator<KiroEvent[]> {
  const decoder = new EventStreamDecoder({ onSkip });
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const frames = decoder.push(value);
      if (frames.length === 0) continue;
      const events: KiroEvent[] = [];
      for (const f of frames) {
        const e = frameToEvent(f);
        if (e) events.push(e);
      }
      if (events.length) yield events;
    }
    decoder.finish();
  } finally {
    // Stops the upstream download when the consumer leaves early (client gone, error).
    reader.cancel().catch(() => {});
  }
}

import { describe, expect, test } from "bun:test";
import { encodeFrame } from "../simulator/frames";
import { EventStreamDecoder } from "./eventstream";
import { KiroText, readEvent } from "./events";

const TEXT_HEADERS = { ":event-type": "assistantResponseEvent", ":content-type": "application/json", ":message-type": "event" };

/** The event a text frame with this payload is read into, or null when it is passed over. */
function read(payload: string | Uint8Array) {
  const events = new EventStreamDecoder({ read: readEvent }).push(encodeFrame(TEXT_HEADERS, payload));
  expect(events.length).toBeLessThanOrEqual(1);
  return events[0] ?? null;
}

describe("text frames read from their bytes", () => {
  // The walk takes plain ASCII four bytes at a time: every byte that is not plain, in every place of a word, must
  // still be seen.
  const special = [0x00, 0x08, 0x0a, 0x1f, 0x22, 0x5c, 0x7f, 0x80, 0xc3, 0xe4, 0xff];

  test("a byte that is not plain ASCII is seen in any place of a four-byte word", () => {
    for (const byte of special) {
      for (let at = 0; at < 9; at++) {
        const text = `abcdefghijk`.slice(0, at) + String.fromCharCode(byte) + "lmnopqr";
        const literal = JSON.stringify(text);
        const event = read(`{"content":${literal}}`)!;
        expect(event).toMatchObject({ type: "text", content: text });
        // Control characters stringify spells with \u (0x00, 0x1f) take the string path; \b and \n are copied as they are.
        const own = byte >= 0x20 || [0x08, 0x0a].includes(byte);
        expect(KiroText.isRead(event)).toBe(own);
        if (KiroText.isRead(event)) expect(event.characters).toBe([...text].length);
      }
    }
  });

  test("a raw quote, control character or invalid UTF-8 byte in any place is not a literal stringify writes", () => {
    for (const byte of [0x00, 0x0a, 0x1f, 0x22, 0x80, 0xff]) {
      for (let at = 0; at < 9; at++) {
        const bytes = new TextEncoder().encode(`{"content":"abcdefghijklmnop"}`);
        bytes[12 + at] = byte;
        const event = read(bytes);
        expect(event === null || !KiroText.isRead(event)).toBe(true);
      }
    }
  });

  test("ASCII text of every length up to a few words, and an ideograph after it, are counted", () => {
    for (let n = 0; n < 14; n++) {
      const text = "x".repeat(n);
      for (const tail of ["", "一", "é"]) {
        const event = read(`{"content":${JSON.stringify(text + tail)}}`)!;
        expect(KiroText.isRead(event)).toBe(true);
        if (!KiroText.isRead(event)) continue;
        expect(event.content).toBe(text + tail);
        expect(event.characters).toBe(n + (tail ? 1 : 0));
        expect(event.ideographs).toBe(tail === "一" ? 1 : 0);
      }
    }
  });
});

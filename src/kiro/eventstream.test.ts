import { describe, expect, test } from "bun:test";
import { EventStreamDecoder, EventStreamError, HeaderBlocks, type Frame } from "./eventstream";
import { readEvent } from "./events";

const frameToEvent = (frame: Frame) => readEvent(frame.headers, frame.bytes, frame.start, frame.end, new DataView(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength));
/** An event as plain data: a text read from bytes decodes its content when read, which toEqual does not do. */
const eventOf = (frame: Frame) => JSON.parse(JSON.stringify(frameToEvent(frame))) as unknown;

// The three vectors of kiro-protocol.md §4.7, byte for byte.
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const TEXT = hex(`00 00 00 7c 00 00 00 5c 3b dd cf 78 0b 3a 65 76 65 6e 74 2d 74 79 70 65 07 00 16 61 73 73 69 73
  74 61 6e 74 52 65 73 70 6f 6e 73 65 45 76 65 6e 74 0d 3a 63 6f 6e 74 65 6e 74 2d 74 79 70 65 07
  00 10 61 70 70 6c 69 63 61 74 69 6f 6e 2f 6a 73 6f 6e 0d 3a 6d 65 73 73 61 67 65 2d 74 79 70 65
  07 00 05 65 76 65 6e 74 7b 22 63 6f 6e 74 65 6e 74 22 3a 22 48 69 22 7d b0 2b ab dc`);
const TOOL = hex(`00 00 00 bb 00 00 00 52 87 50 d6 b4 0b 3a 65 76 65 6e 74 2d 74 79 70 65 07 00 0c 74 6f 6f 6c 55
  73 65 45 76 65 6e 74 0d 3a 63 6f 6e 74 65 6e 74 2d 74 79 70 65 07 00 10 61 70 70 6c 69 63 61 74
  69 6f 6e 2f 6a 73 6f 6e 0d 3a 6d 65 73 73 61 67 65 2d 74 79 70 65 07 00 05 65 76 65 6e 74 7b 22
  6e 61 6d 65 22 3a 22 67 65 74 5f 77 65 61 74 68 65 72 22 2c 22 74 6f 6f 6c 55 73 65 49 64 22 3a
  22 74 6f 6f 6c 75 73 65 5f 31 22 2c 22 69 6e 70 75 74 22 3a 22 7b 5c 22 63 69 74 79 5c 22 3a 5c
  22 50 61 72 69 73 5c 22 7d 22 2c 22 73 74 6f 70 22 3a 74 72 75 65 7d 17 1f c6 1d`);
const EXCEPTION = hex(`00 00 00 90 00 00 00 61 8e 91 a9 b7 0f 3a 65 78 63 65 70 74 69 6f 6e 2d 74 79 70 65 07 00 13 54
  68 72 6f 74 74 6c 69 6e 67 45 78 63 65 70 74 69 6f 6e 0d 3a 63 6f 6e 74 65 6e 74 2d 74 79 70 65
  07 00 10 61 70 70 6c 69 63 61 74 69 6f 6e 2f 6a 73 6f 6e 0d 3a 6d 65 73 73 61 67 65 2d 74 79 70
  65 07 00 09 65 78 63 65 70 74 69 6f 6e 7b 22 6d 65 73 73 61 67 65 22 3a 22 54 6f 6f 20 6d 61 6e
  79 20 72 65 71 75 65 73 74 73 22 7d fe b6 d8 12`);

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
};

function decodeIn(pieces: Uint8Array[], decoder = new EventStreamDecoder()): Frame[] {
  const frames = pieces.flatMap((p) => decoder.push(p));
  decoder.finish();
  return frames;
}

function expectThreeVectors(frames: Frame[]) {
  expect(frames.map(eventOf)).toEqual([
    { type: "text", content: "Hi" },
    { type: "toolUse", toolUseId: "tooluse_1", name: "get_weather", input: '{"city":"Paris"}', stop: true },
    { type: "exception", exceptionType: "ThrottlingException", message: "Too many requests" },
  ]);
}

/** A test-only encoder for header types Kiro does not send but the format allows. */
function encode(headers: Uint8Array, payload: Uint8Array): Uint8Array {
  const total = 16 + headers.length + payload.length;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, total);
  v.setUint32(4, headers.length);
  v.setUint32(8, Bun.hash.crc32(out.subarray(0, 8)));
  out.set(headers, 12);
  out.set(payload, 12 + headers.length);
  v.setUint32(total - 4, Bun.hash.crc32(out.subarray(0, total - 4)));
  return out;
}

describe("EventStreamDecoder", () => {
  test("decodes the three spec vectors, headers and payloads exact", () => {
    const frames = decodeIn([TEXT, TOOL, EXCEPTION]);
    expect(frames[0]!.headers).toEqual({
      ":event-type": "assistantResponseEvent",
      ":content-type": "application/json",
      ":message-type": "event",
    });
    expect(new TextDecoder().decode(frames[0]!.payload)).toBe('{"content":"Hi"}');
    expect(frames[2]!.headers[":exception-type"]).toBe("ThrottlingException");
    expectThreeVectors(frames);
  });

  test("each vector split at every byte offset", () => {
    for (const vector of [TEXT, TOOL, EXCEPTION]) {
      for (let cut = 0; cut <= vector.length; cut++) {
        const frames = decodeIn([vector.subarray(0, cut), vector.subarray(cut)]);
        expect(frames).toHaveLength(1);
        expect(frames[0]!.payload).toEqual(vector.subarray(vector.length - 4 - frames[0]!.payload.length, vector.length - 4));
      }
    }
  });

  test("the concatenated vectors split at every pair of offsets", () => {
    const all = concat(TEXT, TOOL, EXCEPTION);
    for (let a = 0; a <= all.length; a += 3) {
      for (let b = a; b <= all.length; b += 7) {
        expectThreeVectors(decodeIn([all.subarray(0, a), all.subarray(a, b), all.subarray(b)]));
      }
    }
  });

  test("one byte at a time", () => {
    const all = concat(TEXT, TOOL, EXCEPTION, TEXT);
    const frames = decodeIn(Array.from(all, (byte) => Uint8Array.of(byte)));
    expect(frames).toHaveLength(4);
    expect(eventOf(frames[3]!)).toEqual({ type: "text", content: "Hi" });
  });

  test("a frame emerges as soon as its last byte arrives", () => {
    const decoder = new EventStreamDecoder();
    expect(decoder.push(TEXT.subarray(0, TEXT.length - 1))).toHaveLength(0);
    expect(decoder.push(concat(TEXT.subarray(TEXT.length - 1), TOOL.subarray(0, 20)))).toHaveLength(1);
    expect(decoder.pending).toBe(20);
  });

  test("a corrupted message CRC skips that frame and keeps the rest", () => {
    const bad = TOOL.slice();
    bad[bad.length - 30]! ^= 0xff; // inside the payload
    const skipped: string[] = [];
    const frames = decodeIn([concat(TEXT, bad, EXCEPTION)], new EventStreamDecoder({ onSkip: (r) => skipped.push(r) }));
    expect(frames.map((f) => frameToEvent(f)?.type)).toEqual(["text", "exception"]);
    expect(skipped).toEqual(["message CRC mismatch"]);
  });

  test("a corrupted prelude CRC resynchronises on the next good frame", () => {
    const bad = TOOL.slice();
    bad[9]! ^= 0x01; // the prelude CRC itself
    const skipped: string[] = [];
    const decoder = new EventStreamDecoder({ maxConsecutiveErrors: 1000, onSkip: (r) => skipped.push(r) });
    const frames = decodeIn([concat(TEXT, bad, EXCEPTION)], decoder);
    expect(frames.map((f) => frameToEvent(f)?.type)).toEqual(["text", "exception"]);
    expect(skipped.length).toBeGreaterThan(0);
  });

  test("preludes of every size are checked exactly: right CRCs pass, any flipped bit of one is refused", () => {
    for (let size = 0; size < 600; size += 7) {
      const frame = encode(new Uint8Array(0), new Uint8Array(size).fill(0x61));
      expect(decodeIn([frame])[0]!.payload).toHaveLength(size);
      for (let bit = 0; bit < 32; bit += 5) {
        const bad = frame.slice();
        bad[8 + (bit >> 3)]! ^= 1 << (bit & 7);
        const skipped: string[] = [];
        new EventStreamDecoder({ maxConsecutiveErrors: 1000, onSkip: (r) => skipped.push(r) }).push(bad);
        expect(skipped[0]).toStartWith("bad prelude");
      }
    }
  });

  test("message CRCs of frames of every size, small ones checked in JS and large ones natively: right ones pass, a flipped bit is refused", () => {
    let seed = 5;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let size = 0; size < 700; size++) {
      const payload = Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
      const frame = encode(new Uint8Array(0), payload);
      expect(decodeIn([frame])[0]!.payload).toEqual(payload);
      const bad = frame.slice();
      bad[12 + Math.floor(random() * (bad.length - 12))]! ^= 1 << Math.floor(random() * 8);
      const skipped: string[] = [];
      expect(new EventStreamDecoder({ onSkip: (r) => skipped.push(r) }).push(bad)).toHaveLength(0);
      expect(skipped).toEqual(["message CRC mismatch"]);
    }
  });

  test("too many bad frames in a row: the stream is declared corrupt", () => {
    const garbage = new Uint8Array(64).fill(0xab);
    expect(() => new EventStreamDecoder().push(garbage)).toThrow(EventStreamError);
  });

  test("an oversized frame is refused, not buffered", () => {
    const huge = new Uint8Array(12);
    const v = new DataView(huge.buffer);
    v.setUint32(0, 17 * 1024 * 1024);
    v.setUint32(4, 0);
    v.setUint32(8, Bun.hash.crc32(huge.subarray(0, 8)));
    const skipped: string[] = [];
    const decoder = new EventStreamDecoder({ maxConsecutiveErrors: 100, onSkip: (r) => skipped.push(r) });
    const frames = decoder.push(concat(huge, TEXT));
    expect(skipped[0]).toContain("bad prelude");
    expect(frames.map(eventOf)).toEqual([{ type: "text", content: "Hi" }]);
  });

  test("a body cut mid-frame is reported at finish", () => {
    const decoder = new EventStreamDecoder();
    expect(decoder.push(concat(TEXT, TOOL.subarray(0, 50)))).toHaveLength(1);
    expect(() => decoder.finish()).toThrow("ended inside a frame (50 bytes left over)");
  });

  test("every header value type", () => {
    const name = (n: string) => concat(Uint8Array.of(n.length), new TextEncoder().encode(n));
    const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
    const be = (n: number, bytes: number) => {
      const b = new Uint8Array(bytes);
      const v = new DataView(b.buffer);
      if (bytes === 2) v.setInt16(0, n);
      else if (bytes === 4) v.setInt32(0, n);
      else v.setBigInt64(0, BigInt(n));
      return b;
    };
    const headers = concat(
      name("t"), Uint8Array.of(0),
      name("f"), Uint8Array.of(1),
      name("byte"), Uint8Array.of(2, 0xfe),
      name("short"), Uint8Array.of(3), be(-2, 2),
      name("int"), Uint8Array.of(4), be(70000, 4),
      name("long"), Uint8Array.of(5), be(2 ** 40, 8),
      name("bytes"), Uint8Array.of(6), u16(3), Uint8Array.of(1, 2, 3),
      name("str"), Uint8Array.of(7), u16(4), new TextEncoder().encode("héé").subarray(0, 4),
      name("time"), Uint8Array.of(8), be(1767225600000, 8),
      name("uuid"), Uint8Array.of(9), hex("0b4445e1f5be49e187ce62bbc28ad705"),
    );
    const [frame] = decodeIn([encode(headers, new Uint8Array(0))]);
    expect(frame!.headers).toEqual({
      t: true,
      f: false,
      byte: -2,
      short: -2,
      int: 70000,
      long: 2n ** 40n,
      bytes: Uint8Array.of(1, 2, 3),
      str: "hé\uFFFD",
      time: new Date(1767225600000),
      uuid: "0b4445e1-f5be-49e1-87ce-62bbc28ad705",
    });
  });

  test("a header block is recognised by its bytes: same length, other value, other headers", () => {
    const block = (eventType: string) =>
      concat(Uint8Array.of(11), new TextEncoder().encode(":event-type"), Uint8Array.of(7), Uint8Array.of(0, eventType.length), new TextEncoder().encode(eventType));
    const payload = new TextEncoder().encode('{"content":"x"}');
    const frames = decodeIn([encode(block("alphaEvent"), payload), encode(block("bravoEvent"), payload), encode(block("alphaEvent"), payload)]);
    expect(frames.map((f) => f.headers[":event-type"])).toEqual(["alphaEvent", "bravoEvent", "alphaEvent"]);
    expect(Object.isFrozen(frames[2]!.headers)).toBe(true);
  });

  test("streams sharing HeaderBlocks reuse what an earlier stream parsed; past the bound blocks are still parsed", () => {
    const blocks = new HeaderBlocks(2);
    const [first] = decodeIn([TEXT], new EventStreamDecoder({ headerBlocks: blocks }));
    const [again] = decodeIn([TEXT], new EventStreamDecoder({ headerBlocks: blocks }));
    expect(again!.headers).toBe(first!.headers);
    const frames = decodeIn([TOOL, EXCEPTION, EXCEPTION], new EventStreamDecoder({ headerBlocks: blocks }));
    expectThreeVectors([first!, ...frames.slice(0, 2)]);
    expect(frames[2]!.headers).toEqual(frames[1]!.headers);
    expect(frames[2]!.headers).not.toBe(frames[1]!.headers);
  });

  test("chunks that are Buffers, whose slice is a view, decode as plain arrays do: header blocks recognised, bytes copied", () => {
    const blocks = new HeaderBlocks();
    const [first] = decodeIn([Buffer.from(TEXT)], new EventStreamDecoder({ headerBlocks: blocks }));
    const [again] = decodeIn([Buffer.from(TEXT)], new EventStreamDecoder({ headerBlocks: blocks }));
    expect(again!.headers).toBe(first!.headers);
    const headers = concat(Uint8Array.of(3), new TextEncoder().encode("raw"), Uint8Array.of(6), Uint8Array.of(0, 2), Uint8Array.of(9, 9));
    const chunk = Buffer.from(encode(headers, new Uint8Array(0)));
    const [frame] = decodeIn([chunk]);
    chunk.fill(0);
    expect(frame!.headers).toEqual({ raw: Uint8Array.of(9, 9) });
  });

  test("headers holding bytes are never shared between frames", () => {
    const headers = concat(Uint8Array.of(3), new TextEncoder().encode("raw"), Uint8Array.of(6), Uint8Array.of(0, 2), Uint8Array.of(9, 9));
    const [a, b] = decodeIn([encode(headers, new Uint8Array(0)), encode(headers, new Uint8Array(0))]);
    expect(a!.headers).toEqual({ raw: Uint8Array.of(9, 9) });
    expect(b!.headers.raw).not.toBe(a!.headers.raw);
    (a!.headers.raw as Uint8Array)[0] = 1;
    expect(b!.headers.raw).toEqual(Uint8Array.of(9, 9));
  });

  test("a header running past its block is a skipped frame", () => {
    const headers = concat(Uint8Array.of(3), new TextEncoder().encode("abc"), Uint8Array.of(7), Uint8Array.of(0, 50));
    const skipped: string[] = [];
    const frames = decodeIn([encode(headers, new Uint8Array(0)), TEXT], new EventStreamDecoder({ onSkip: (r) => skipped.push(r) }));
    expect(skipped).toEqual(["header runs past the header block"]);
    expect(frames).toHaveLength(1);
  });
});

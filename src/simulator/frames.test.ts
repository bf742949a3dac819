import { describe, expect, test } from "bun:test";
import { encodeFrame, errorFrame, eventFrame, exceptionFrame } from "./frames";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const unspaced = (s: string) => s.replace(/\s+/g, "");

// The three vectors of kiro-protocol.md §4.7, byte for byte.
const ASSISTANT_RESPONSE = `
  00 00 00 7c 00 00 00 5c 3b dd cf 78 0b 3a 65 76 65 6e 74 2d 74 79 70 65 07 00 16 61 73 73 69 73
  74 61 6e 74 52 65 73 70 6f 6e 73 65 45 76 65 6e 74 0d 3a 63 6f 6e 74 65 6e 74 2d 74 79 70 65 07
  00 10 61 70 70 6c 69 63 61 74 69 6f 6e 2f 6a 73 6f 6e 0d 3a 6d 65 73 73 61 67 65 2d 74 79 70 65
  07 00 05 65 76 65 6e 74 7b 22 63 6f 6e 74 65 6e 74 22 3a 22 48 69 22 7d b0 2b ab dc`;
const TOOL_USE_STOP = `
  00 00 00 bb 00 00 00 52 87 50 d6 b4 0b 3a 65 76 65 6e 74 2d 74 79 70 65 07 00 0c 74 6f 6f 6c 55
  73 65 45 76 65 6e 74 0d 3a 63 6f 6e 74 65 6e 74 2d 74 79 70 65 07 00 10 61 70 70 6c 69 63 61 74
  69 6f 6e 2f 6a 73 6f 6e 0d 3a 6d 65 73 73 61 67 65 2d 74 79 70 65 07 00 05 65 76 65 6e 74 7b 22
  6e 61 6d 65 22 3a 22 67 65 74 5f 77 65 61 74 68 65 72 22 2c 22 74 6f 6f 6c 55 73 65 49 64 22 3a
  22 74 6f 6f 6c 75 73 65 5f 31 22 2c 22 69 6e 70 75 74 22 3a 22 7b 5c 22 63 69 74 79 5c 22 3a 5c
  22 50 61 72 69 73 5c 22 7d 22 2c 22 73 74 6f 70 22 3a 74 72 75 65 7d 17 1f c6 1d`;
const THROTTLING = `
  00 00 00 90 00 00 00 61 8e 91 a9 b7 0f 3a 65 78 63 65 70 74 69 6f 6e 2d 74 79 70 65 07 00 13 54
  68 72 6f 74 74 6c 69 6e 67 45 78 63 65 70 74 69 6f 6e 0d 3a 63 6f 6e 74 65 6e 74 2d 74 79 70 65
  07 00 10 61 70 70 6c 69 63 61 74 69 6f 6e 2f 6a 73 6f 6e 0d 3a 6d 65 73 73 61 67 65 2d 74 79 70
  65 07 00 09 65 78 63 65 70 74 69 6f 6e 7b 22 6d 65 73 73 61 67 65 22 3a 22 54 6f 6f 20 6d 61 6e
  79 20 72 65 71 75 65 73 74 73 22 7d fe b6 d8 12`;

describe("the §4.7 vectors", () => {
  test("assistantResponseEvent", () => {
    expect(hex(eventFrame("assistantResponseEvent", { content: "Hi" }))).toBe(unspaced(ASSISTANT_RESPONSE));
  });

  test("final toolUseEvent", () => {
    const payload = { name: "get_weather", toolUseId: "tooluse_1", input: '{"city":"Paris"}', stop: true };
    expect(hex(eventFrame("toolUseEvent", payload))).toBe(unspaced(TOOL_USE_STOP));
  });

  test("ThrottlingException frame", () => {
    expect(hex(exceptionFrame("ThrottlingException", { message: "Too many requests" }))).toBe(unspaced(THROTTLING));
  });

  test("the same frames through encodeFrame with explicit string headers", () => {
    const frame = encodeFrame(
      { ":event-type": { type: "string", value: "assistantResponseEvent" }, ":content-type": "application/json", ":message-type": "event" },
      '{"content":"Hi"}',
    );
    expect(hex(frame)).toBe(unspaced(ASSISTANT_RESPONSE));
  });
});

/** The header block of a frame (between the 12-byte prelude and the payload). */
function headerBlock(frame: Uint8Array): string {
  const view = new DataView(frame.buffer, frame.byteOffset);
  return hex(frame.subarray(12, 12 + view.getUint32(4)));
}

describe("every header value type", () => {
  // name "h" = 01 68, then the type byte, then the value.
  const cases: Array<[string, Parameters<typeof encodeFrame>[0]["h"], string]> = [
    ["0 bool true", { type: "bool", value: true }, "016800"],
    ["1 bool false", { type: "bool", value: false }, "016801"],
    ["2 byte", { type: "byte", value: -2 }, "016802fe"],
    ["3 short", { type: "short", value: 0x1234 }, "0168031234"],
    ["4 integer", { type: "int", value: -1 }, "016804ffffffff"],
    ["5 long", { type: "long", value: 0x0102030405060708n }, "0168050102030405060708"],
    ["6 byte array", { type: "bytes", value: new Uint8Array([0xde, 0xad]) }, "0168060002dead"],
    ["7 string", { type: "string", value: "é" }, "0168070002c3a9"],
    ["8 timestamp", { type: "timestamp", value: new Date(1_700_000_000_123) }, "016808" + "0000018bcfe5687b"],
    ["9 uuid", { type: "uuid", value: "0b4445e1-f5be-49e1-87ce-62bbc28ad705" }, "016809" + "0b4445e1f5be49e187ce62bbc28ad705"],
  ];
  for (const [name, value, expected] of cases) {
    test(name, () => {
      expect(headerBlock(encodeFrame({ h: value }, ""))).toBe(expected);
    });
  }

  test("out-of-range values are refused, not truncated", () => {
    expect(() => encodeFrame({ h: { type: "byte", value: 128 } }, "")).toThrow(RangeError);
    expect(() => encodeFrame({ h: { type: "short", value: 1.5 } }, "")).toThrow(RangeError);
    expect(() => encodeFrame({ h: { type: "uuid", value: "not-a-uuid" } }, "")).toThrow(RangeError);
    expect(() => encodeFrame({ "": "x" }, "")).toThrow(RangeError);
    expect(() => encodeFrame({ h: "x".repeat(70_000) }, "")).toThrow(RangeError);
  });

  test("frames over 16 MiB are refused", () => {
    expect(() => encodeFrame({}, new Uint8Array(16 * 1024 * 1024))).toThrow(RangeError);
  });
});

test("an error frame carries :error-code and :error-message and no payload", () => {
  const frame = errorFrame("InternalError", "boom");
  const view = new DataView(frame.buffer, frame.byteOffset);
  expect(view.getUint32(0)).toBe(frame.length);
  expect(12 + view.getUint32(4) + 4).toBe(frame.length);
  const text = Buffer.from(frame).toString("latin1");
  expect(text).toContain(":message-type\x07\x00\x05error");
  expect(text).toContain(":error-code\x07\x00\x0dInternalError");
  expect(text).toContain(":error-message\x07\x00\x04boom");
});

/**
 * AWS event-stream ENCODER (application/vnd.amazon.eventstream, kiro-protocol.md §4.1), the simulator's own:
 * it shares no code with the gateway's decoder, so a bug in one cannot hide the same bug in the other.
 * Also builds the three kinds of frames Kiro sends: events, exceptions and errors.
 */

/** A header value; a bare string is the common case (type 7). */
export type HeaderValue =
  | string
  | { type: "bool"; value: boolean }
  | { type: "byte"; value: number }
  | { type: "short"; value: number }
  | { type: "int"; value: number }
  | { type: "long"; value: bigint }
  | { type: "bytes"; value: Uint8Array }
  | { type: "string"; value: string }
  | { type: "timestamp"; value: Date }
  | { type: "uuid"; value: string };

/** Headers in wire order (object insertion order). */
export type FrameHeaders = Record<string, HeaderValue>;

const MAX_FRAME_BYTES = 16 * 1024 * 1024;
const utf8 = new TextEncoder();
const crc32 = (bytes: Uint8Array) => Bun.hash.crc32(bytes) >>> 0;

export function encodeFrame(headers: FrameHeaders, payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === "string" ? utf8.encode(payload) : payload;
  const headerBytes = concat(Object.entries(headers).map(([name, value]) => encodeHeader(name, value)));
  const total = 12 + headerBytes.length + body.length + 4;
  if (total > MAX_FRAME_BYTES) throw new RangeError(`frame of ${total} bytes exceeds the 16 MiB limit`);

  const frame = new Uint8Array(total);
  const view = new DataView(frame.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headerBytes.length);
  view.setUint32(8, crc32(frame.subarray(0, 8)));
  frame.set(headerBytes, 12);
  frame.set(body, 12 + headerBytes.length);
  view.setUint32(total - 4, crc32(frame.subarray(0, total - 4)));
  return frame;
}

/** `:message-type: event` with a JSON payload; header order as Kiro sends it (§4.7). */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return encodeFrame(
    { ":event-type": eventType, ":content-type": "application/json", ":message-type": "event" },
    JSON.stringify(payload),
  );
}

/** `:message-type: exception`, e.g. ThrottlingException with `{"message":…}` (§4.3). */
export function exceptionFrame(exceptionType: string, payload: unknown): Uint8Array {
  return encodeFrame(
    { ":exception-type": exceptionType, ":content-type": "application/json", ":message-type": "exception" },
    JSON.stringify(payload),
  );
}

/** `:message-type: error` carrying `:error-code` and `:error-message`, as the AWS spec defines them. */
export function errorFrame(code: string, message: string): Uint8Array {
  return encodeFrame({ ":message-type": "error", ":error-code": code, ":error-message": message }, new Uint8Array(0));
}

function encodeHeader(name: string, value: HeaderValue): Uint8Array {
  const nameBytes = utf8.encode(name);
  if (nameBytes.length < 1 || nameBytes.length > 255) {
    throw new RangeError(`header name must be 1..255 bytes: "${name}"`);
  }
  const [type, valueBytes] = encodeValue(typeof value === "string" ? { type: "string", value } : value);
  const out = new Uint8Array(1 + nameBytes.length + 1 + valueBytes.length);
  out[0] = nameBytes.length;
  out.set(nameBytes, 1);
  out[1 + nameBytes.length] = type;
  out.set(valueBytes, 2 + nameBytes.length);
  return out;
}

function encodeValue(v: Exclude<HeaderValue, string>): [type: number, bytes: Uint8Array] {
  switch (v.type) {
    case "bool":
      return [v.value ? 0 : 1, new Uint8Array(0)];
    case "byte":
      return [2, fixed(1, (d) => d.setInt8(0, checkInt(v.value, 8)))];
    case "short":
      return [3, fixed(2, (d) => d.setInt16(0, checkInt(v.value, 16)))];
    case "int":
      return [4, fixed(4, (d) => d.setInt32(0, checkInt(v.value, 32)))];
    case "long":
      return [5, fixed(8, (d) => d.setBigInt64(0, checkLong(v.value)))];
    case "bytes":
      return [6, lengthPrefixed(v.value)];
    case "string":
      return [7, lengthPrefixed(utf8.encode(v.value))];
    case "timestamp":
      return [8, fixed(8, (d) => d.setBigInt64(0, BigInt(v.value.getTime())))];
    case "uuid":
      return [9, uuidBytes(v.value)];
  }
}

function fixed(size: number, write: (view: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(size);
  write(new DataView(bytes.buffer));
  return bytes;
}

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0xffff) throw new RangeError(`header value of ${bytes.length} bytes exceeds 65535`);
  const out = new Uint8Array(2 + bytes.length);
  new DataView(out.buffer).setUint16(0, bytes.length);
  out.set(bytes, 2);
  return out;
}

function checkInt(n: number, bits: number): number {
  const limit = 2 ** (bits - 1);
  if (!Number.isInteger(n) || n < -limit || n >= limit) throw new RangeError(`${n} is not an int${bits}`);
  return n;
}

function checkLong(n: bigint): bigint {
  if (n < -(2n ** 63n) || n >= 2n ** 63n) throw new RangeError(`${n} is not an int64`);
  return n;
}

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replaceAll("-", "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: "${uuid}"`);
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

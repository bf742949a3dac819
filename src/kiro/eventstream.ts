/**
 * Incremental decoder of AWS event-stream frames (application/vnd.amazon.eventstream, kiro-protocol.md §4.1–4.2):
 * network chunks in, whole frames out, as soon as each frame's last byte arrives. Both CRCs are checked; a
 * corrupt frame is skipped by resynchronising (§4.2), and after too many errors in a row the stream is declared
 * broken rather than guessed at.
 */

export type HeaderValue = boolean | number | bigint | string | Uint8Array | Date;

export class Frame {
  constructor(
    /** Frozen and shared between frames with the same header bytes when every value is a plain one. */
    readonly headers: Record<string, HeaderValue>,
    /** The bytes the payload lies in, from `start` to `end`: a network chunk, or a copy of the frame's own. */
    readonly bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {}

  get payload(): Uint8Array {
    return this.bytes.subarray(this.start, this.end);
  }
}

export class EventStreamError extends Error {
  override name = "EventStreamError";
}

/**
 * What a decoder makes of a whole, checked frame: its headers, and its payload as `bytes` from `start` to `end`
 * (valid only during the call unless kept; `view` spans the same bytes); null passes the frame over. A reader that
 * takes the payload where it lies costs no Frame a frame.
 */
export type FrameReader<T> = (headers: Readonly<Record<string, HeaderValue>>, bytes: Uint8Array, start: number, end: number, view: DataView) => T | null;

const frameOf: FrameReader<Frame> = (headers, bytes, start, end) => new Frame(headers, bytes, start, end);

export interface DecoderOptions<T> {
  /** Largest frame accepted (§4.1: 16 MiB). */
  maxFrameBytes?: number;
  /** Corrupt frames tolerated in a row before the stream is declared broken (§4.2: 5). */
  maxConsecutiveErrors?: number;
  /** Told about each frame skipped while resynchronising. */
  onSkip?: (reason: string) => void;
  /** Header blocks already parsed, shared between the streams of one upstream (default: this stream's own). */
  headerBlocks?: HeaderBlocks;
  /** What each frame is decoded into (default: a Frame). */
  read?: FrameReader<T>;
}

/**
 * Kiro sends the same few header blocks (one per event type) on every frame: each distinct block is parsed once
 * and recognised by its bytes after that. Only blocks of plain values are kept, so headers may be shared between
 * frames but hold nothing a reader could change. The first blocks seen are kept, up to a small bound.
 */
export class HeaderBlocks {
  private readonly known: Array<{ bytes: DataView; headers: Readonly<Record<string, HeaderValue>> }> = [];

  constructor(private readonly max = 16) {}

  /** The headers of bytes[from, to); throws EventStreamError for a malformed block. */
  parse(bytes: Uint8Array, view: DataView, from: number, to: number): Record<string, HeaderValue> {
    const length = to - from;
    for (const block of this.known) {
      if (block.bytes.byteLength === length && sameBytes(block.bytes, view, from)) return block.headers;
    }
    const headers = parseHeaders(bytes, view, from, to);
    if (this.known.length < this.max && Object.values(headers).every(isPlain)) {
      this.known.push({ bytes: new DataView(copyOf(bytes, from, to).buffer), headers: Object.freeze(headers) });
    }
    return headers;
  }
}

/** bytes[from, to) in an array of their own: a Buffer's slice would be a view of the whole chunk. */
const copyOf = (bytes: Uint8Array, from: number, to: number): Uint8Array<ArrayBuffer> => new Uint8Array(bytes.subarray(from, to));

const PRELUDE = 12;
const MIN_FRAME = 16;
/**
 * CRC-32 (IEEE, as Bun.hash.crc32) tables for slicing by eight: CRC_TABLE[n] is the CRC of byte n, CRC_TABLE_K[n]
 * the CRC of byte n followed by K zero bytes. Filled by plain loops: built with Int32Array.from's callbacks they
 * were ~3 ms of every start.
 */
const CRC_TABLES = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLES[n] = c;
}
for (let i = 256; i < CRC_TABLES.length; i++) {
  const c = CRC_TABLES[i - 256]!;
  CRC_TABLES[i] = CRC_TABLES[c & 0xff]! ^ (c >>> 8);
}
const [CRC_TABLE, CRC_TABLE_1, CRC_TABLE_2, CRC_TABLE_3, CRC_TABLE_4, CRC_TABLE_5, CRC_TABLE_6, CRC_TABLE_7] = Array.from({ length: 8 }, (_, k) =>
  CRC_TABLES.subarray(k * 256, (k + 1) * 256),
) as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];

/**
 * The CRC of a prelude's 8 bytes from `at`, as an int32 (compared with `getInt32`: a uint32 above 2^31 would be a
 * double): in JS, as a native call costs more than the work on so few bytes.
 */
function preludeCrc(bytes: Uint8Array, at: number): number {
  let c = -1;
  for (let i = at; i < at + 8; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c;
}

/** Frames up to this size are checked in JS: a view for the native CRC costs more than the JS work on them. */
const SMALL_FRAME = 512;

/**
 * The CRC of bytes[from, to) as an int32; `view` spans the same bytes. Eight bytes a step, read as two little-endian
 * words (one load each, where four byte loads cost more).
 */
function crc32(bytes: Uint8Array, view: DataView, from: number, to: number): number {
  if (to - from > SMALL_FRAME) return Bun.hash.crc32(bytes.subarray(from, to)) | 0;
  let c = -1;
  let i = from;
  for (; i + 8 <= to; i += 8) {
    const low = c ^ view.getInt32(i, true);
    const high = view.getInt32(i + 4, true);
    c =
      CRC_TABLE_7[low & 0xff]! ^
      CRC_TABLE_6[(low >>> 8) & 0xff]! ^
      CRC_TABLE_5[(low >>> 16) & 0xff]! ^
      CRC_TABLE_4[low >>> 24]! ^
      CRC_TABLE_3[high & 0xff]! ^
      CRC_TABLE_2[(high >>> 8) & 0xff]! ^
      CRC_TABLE_1[(high >>> 16) & 0xff]! ^
      CRC_TABLE[high >>> 24]!;
  }
  for (; i < to; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c;
}
export const utf8 = new TextDecoder("utf-8", { fatal: false });

export class EventStreamDecoder<T = Frame> {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  private consecutiveErrors = 0;
  private readonly headerBlocks: HeaderBlocks;
  private readonly maxFrame: number;
  private readonly maxErrors: number;
  private readonly onSkip: (reason: string) => void;
  private readonly read: FrameReader<T>;

  constructor(opts: DecoderOptions<T> = {}) {
    this.maxFrame = opts.maxFrameBytes ?? 16 * 1024 * 1024;
    this.maxErrors = opts.maxConsecutiveErrors ?? 5;
    this.onSkip = opts.onSkip ?? (() => {});
    this.headerBlocks = opts.headerBlocks ?? new HeaderBlocks();
    this.read = opts.read ?? (frameOf as FrameReader<unknown> as FrameReader<T>);
  }

  /** Bytes received but not yet part of a whole frame. */
  get pending(): number {
    return this.end - this.start;
  }

  /** Feeds one network chunk; returns what the reader made of every frame it completes, in order. */
  push(chunk: Uint8Array): T[] {
    const frames: T[] = [];
    let from = 0;
    // A frame begun in an earlier chunk is completed with only the bytes it still lacks, so the rest of the
    // chunk is decoded in place rather than copied.
    while (this.pending > 0 && from < chunk.length) {
      const take = Math.min(chunk.length - from, this.lacking());
      this.append(chunk.subarray(from, from + take));
      from += take;
      this.start = this.drain(this.buf, this.start, this.end, frames, true);
      if (this.start === this.end) this.start = this.end = 0;
    }
    const used = this.drain(chunk, from, chunk.length, frames, false);
    if (used < chunk.length) this.append(chunk.subarray(used));
    return frames;
  }

  /** Bytes the pending frame still needs: its prelude first, then the rest of the length the prelude gives. */
  private lacking(): number {
    const pending = this.pending;
    // A whole prelude left pending was checked by drain: its length can be trusted, and is more than pending.
    if (pending < PRELUDE) return PRELUDE - pending;
    const b = this.buf;
    const s = this.start;
    return ((b[s]! << 24) | (b[s + 1]! << 16) | (b[s + 2]! << 8) | b[s + 3]!) - pending;
  }

  /** Declares the end of the body; an incomplete frame left over means the stream was cut. */
  finish(): void {
    if (this.pending > 0) {
      throw new EventStreamError(`event stream ended inside a frame (${this.pending} bytes left over)`);
    }
  }

  private append(bytes: Uint8Array): void {
    const need = this.end - this.start + bytes.length;
    if (this.end + bytes.length > this.buf.length) {
      if (need <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        // Grow geometrically so a large frame arriving in small pieces costs linear time.
        const grown = new Uint8Array(Math.max(need, this.buf.length * 2, 4096));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      }
      this.end -= this.start;
      this.start = 0;
    }
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  /**
   * Decodes whole frames from bytes[from, to); returns the offset of the first byte not consumed. Payloads lie in
   * a network chunk, or in copies (`copy`) of the buffer, which is reused for later chunks.
   */
  private drain(bytes: Uint8Array, from: number, to: number, out: T[], copy: boolean): number {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let off = from;
    while (to - off >= PRELUDE) {
      const total = view.getUint32(off);
      const headersLength = view.getUint32(off + 4);
      const preludeOk = preludeCrc(bytes, off) === view.getInt32(off + 8);
      if (!preludeOk || total < MIN_FRAME || total > this.maxFrame || headersLength > total - MIN_FRAME) {
        this.skip(`bad prelude at length ${total}`);
        off += 1; // resynchronise byte by byte: the length itself cannot be trusted
        continue;
      }
      if (to - off < total) break;
      if (crc32(bytes, view, off, off + total - 4) !== view.getInt32(off + total - 4)) {
        this.skip("message CRC mismatch");
        off += total;
        continue;
      }
      const headersEnd = off + PRELUDE + headersLength;
      let headers: Record<string, HeaderValue>;
      try {
        headers = this.headerBlocks.parse(bytes, view, off + PRELUDE, headersEnd);
      } catch (e) {
        this.skip((e as Error).message);
        off += total;
        continue;
      }
      const payloadEnd = off + total - 4;
      let item: T | null;
      if (copy) {
        const payload = copyOf(bytes, headersEnd, payloadEnd);
        item = this.read(headers, payload, 0, payload.length, new DataView(payload.buffer));
      } else {
        item = this.read(headers, bytes, headersEnd, payloadEnd, view);
      }
      if (item !== null) out.push(item);
      this.consecutiveErrors = 0;
      off += total;
    }
    return off;
  }

  private skip(reason: string): void {
    this.onSkip(reason);
    if (++this.consecutiveErrors >= this.maxErrors) {
      throw new EventStreamError(`event stream is corrupt: ${this.consecutiveErrors} bad frames in a row (${reason})`);
    }
  }
}

const isPlain = (v: HeaderValue) => typeof v !== "object";

/**
 * Whether `bytes` from `at` starts with every byte of `prefix`: four at a time as little-endian int32s (a big-endian
 * uint32 above 2^31 is a double, and compares at half the speed), in JS (a native compare costs more on a block this
 * small, on every frame).
 */
function sameBytes(prefix: DataView, bytes: DataView, at: number): boolean {
  const n = prefix.byteLength;
  let i = 0;
  for (; i + 4 <= n; i += 4) if (prefix.getInt32(i, true) !== bytes.getInt32(at + i, true)) return false;
  for (; i < n; i++) if (prefix.getUint8(i) !== bytes.getUint8(at + i)) return false;
  return true;
}

function parseHeaders(bytes: Uint8Array, view: DataView, from: number, to: number): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {};
  let off = from;
  const need = (n: number) => {
    if (off + n > to) throw new EventStreamError("header runs past the header block");
  };
  while (off < to) {
    const nameLength = bytes[off++]!;
    if (nameLength === 0) throw new EventStreamError("empty header name");
    need(nameLength + 1);
    const name = ascii(bytes, off, nameLength);
    off += nameLength;
    const type = bytes[off++]!;
    let value: HeaderValue;
    switch (type) {
      case 0:
        value = true;
        break;
      case 1:
        value = false;
        break;
      case 2:
        need(1);
        value = view.getInt8(off);
        off += 1;
        break;
      case 3:
        need(2);
        value = view.getInt16(off);
        off += 2;
        break;
      case 4:
        need(4);
        value = view.getInt32(off);
        off += 4;
        break;
      case 5:
        need(8);
        value = view.getBigInt64(off);
        off += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const length = view.getUint16(off);
        off += 2;
        need(length);
        value = type === 6 ? copyOf(bytes, off, off + length) : utf8.decode(bytes.subarray(off, off + length));
        off += length;
        break;
      }
      case 8:
        need(8);
        value = new Date(Number(view.getBigInt64(off)));
        off += 8;
        break;
      case 9:
        need(16);
        value = uuid(bytes.subarray(off, off + 16));
        off += 16;
        break;
      default:
        throw new EventStreamError(`unknown header value type ${type}`);
    }
    headers[name] = value;
  }
  return headers;
}

function ascii(bytes: Uint8Array, off: number, length: number): string {
  let s = "";
  for (let i = off; i < off + length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function uuid(b: Uint8Array): string {
  const hex = Buffer.from(b).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A Kiro request body as UTF-8 bytes in one buffer kept for the next request: the chat's own connections write
 * those bytes as they are (connections.ts); through fetch (a proxy), a large one is written as a stream of a
 * declared length. Bun's fetch copies a body of bytes when it is called and frees the copy only when the reply has
 * ended: a Claude Code request of a megabyte held a megabyte more for as long as its reply streamed, minutes at a
 * time. What a direct stream writes is copied at once and freed once sent (request-bytes.test.ts holds both). A Blob
 * or a fresh array per request would instead be new pages (a fault each 4 KiB) that only a garbage collection gives
 * back: under a stream of 1 MB requests, a third of the gateway's page faults and peak memory
 * (docs/performance-history.md, the fourth pass).
 */

import type { JsonPiece } from "../http/verbatim";

/** Larger bodies are rare (a megabyte is a long Claude Code session); their buffer is not kept. */
const KEPT_BYTES = 8 * 1024 * 1024;

// Empty until the first request: nothing is allocated at start-up.
let kept: Buffer<ArrayBuffer> = Buffer.allocUnsafeSlow(0);

/** A body for fetch, sent with its length (never in chunks). */
export interface RequestBody {
  /** Bytes of the kept buffer, to be handed to fetch at once; or a stream that writes them when fetch reads it. */
  body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>;
  /** Bytes, for the content-length header. */
  length: number;
}

/**
 * Smaller bodies go as bytes: their copy, held until the reply ends, is small, and a stream costs a hello ~20 µs of
 * CPU (fetch asks for it from its own thread); larger ones are streamed.
 */
const STREAMED_FROM_BYTES = 64 * 1024;

/**
 * The pieces as a request body. A stream is read after fetch has been called, when the kept buffer may hold another
 * request's bytes: they are made then, and `write` copies them before anything else runs.
 */
export function requestBody(pieces: readonly JsonPiece[], length = byteLength(pieces)): RequestBody {
  if (length < STREAMED_FROM_BYTES) return { body: requestBytes(pieces), length };
  const source: Bun.DirectUnderlyingSource<Uint8Array> = {
    type: "direct",
    pull(sink) {
      sink.write(requestBytes(pieces));
      sink.close();
    },
  };
  // tsconfig's lib "dom" gives ReadableStream the DOM's constructor, which knows nothing of Bun's direct sources.
  const body = new ReadableStream(source as unknown as UnderlyingDefaultSource<Uint8Array>);
  return { body, length };
}

/** The pieces' length in UTF-8 bytes. */
export function byteLength(pieces: readonly JsonPiece[]): number {
  let length = 0;
  for (const piece of pieces) {
    if (typeof piece === "string") length += Buffer.byteLength(piece);
    else if (piece.buffer.detached) throw freed();
    else length += piece.length;
  }
  return length;
}

const freed = () => new Error("a kept string was sent after its request ended");

/**
 * The pieces joined, as UTF-8 (a piece of bytes is UTF-8 already). The bytes are a view of the kept buffer: valid
 * until the next call, so they are written in the same synchronous stretch (nothing awaited in between).
 */
export function requestBytes(pieces: readonly JsonPiece[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  // At least a byte per UTF-16 unit; pieces that need more grow the buffer as they come.
  let buffer = length > kept.length ? grown(kept, 0, length) : kept;
  let at = 0;
  for (const piece of pieces) {
    if (typeof piece !== "string") {
      // Freed by its request's end (Verbatim.release): sending it would send an empty string in its place.
      if (piece.buffer.detached) throw freed();
      // Pieces of text before it may have taken more bytes than their units promised.
      if (buffer.length - at < piece.length) buffer = grown(buffer, at, at + length);
      buffer.set(piece, at);
      at += piece.length;
      length -= piece.length;
      continue;
    }
    if (buffer.length - at < piece.length * 3) {
      const needed = at + Buffer.byteLength(piece) + (length -= piece.length);
      if (needed > buffer.length) buffer = grown(buffer, at, needed);
    } else {
      length -= piece.length;
    }
    at += buffer.write(piece, at);
  }
  if (buffer.length <= KEPT_BYTES) kept = buffer;
  return buffer.subarray(0, at);
}

/** A buffer of at least `size` bytes (half as much again, for the pieces still to come) holding `used` of `from`. */
function grown(from: Buffer, used: number, size: number): Buffer<ArrayBuffer> {
  const next = Buffer.allocUnsafeSlow(Math.ceil(size * 1.5));
  from.copy(next, 0, 0, used);
  return next;
}

/**
 * A Kiro request body as UTF-8 bytes in one buffer kept for the next request. Bun's fetch copies a byte body when
 * it is called (request-bytes.test.ts holds it to that), into memory it frees when the call ends; a Blob or a fresh
 * array per request would instead be new pages (a fault each 4 KiB) that only a garbage collection gives back:
 * under a stream of 1 MB requests, a third of the gateway's page faults and peak memory (docs/performance-history.md,
 * the fourth pass).
 */

import type { JsonPiece } from "../http/verbatim";

/** Larger bodies are rare (a megabyte is a long Claude Code session); their buffer is not kept. */
const KEPT_BYTES = 8 * 1024 * 1024;

// Empty until the first request: nothing is allocated at start-up.
let kept: Buffer<ArrayBuffer> = Buffer.allocUnsafeSlow(0);

/**
 * The pieces joined, as UTF-8 (a piece of bytes is UTF-8 already). The bytes are a view of the kept buffer: valid
 * until the next call, so they go to fetch in the same synchronous stretch (nothing awaited in between).
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
      if (piece.buffer.detached) throw new Error("a kept string was sent after its request ended");
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

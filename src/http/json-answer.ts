/**
 * A JSON answer written to the client in one piece. Bun's server, answering after the request's own turn of the event
 * loop (every answer here waits for Kiro), writes a body that does not fit its 16 KB cork buffer with the head
 * uncorked: the status, each header's name, separator and value, each a send of its own — fifteen sendto calls for
 * the head of a 69 KB Responses answer, each a TCP segment on a TCP_NODELAY socket (strace, Bun 1.4.4; a plain
 * Bun.serve handler that awaits does the same). A direct stream writes the head and the body in one sendmsg, then the
 * chunked encoding's last chunk.
 */

/** What Elysia sends with an object it writes as JSON. */
const JSON_HEADERS = { "content-type": "application/json;charset=utf-8" };

/** Text of at most this many UTF-16 units is at most 15,000 bytes of UTF-8: with the head, within the cork buffer. */
const CORKED_UNITS = 5_000;

/** `pieces`, one after the other, as a JSON answer. */
export function jsonAnswer(pieces: readonly string[]): Response {
  let units = 0;
  for (const piece of pieces) units += piece.length;
  if (units <= CORKED_UNITS) return new Response(pieces.join(""), { headers: JSON_HEADERS });
  return new Response(new ReadableStream(new WholeBody(pieces) as unknown as UnderlyingDefaultSource), { headers: JSON_HEADERS });
}

/**
 * Bun's direct stream: `pull` writes every piece and ends; the writes are flushed together. (Passed through a cast: the
 * ReadableStream constructor this project compiles against has no overload for a direct source.)
 */
class WholeBody {
  readonly type = "direct";
  constructor(private readonly pieces: readonly string[]) {}

  pull(controller: { write(chunk: string): unknown; close(): unknown }): void {
    for (const piece of this.pieces) controller.write(piece);
    controller.close();
  }
}

/**
 * The body reader hands the verbatim table bytes that the table may free at the request's end (verbatim.ts): they
 * must be the reader's own, never the caller's array or memory another body shares.
 */
import { expect, test } from "bun:test";
import { PASSED_THROUGH } from "../anthropic/convert";
import { MessagesRequest } from "../anthropic/schemas";
import { BodyBudget, jsonBodyReader } from "./body";
import { restoreVerbatim, verbatimOf } from "./verbatim";

const read = jsonBodyReader<MessagesRequest>(MessagesRequest, { maxBytes: 1 << 20, budget: new BodyBudget(1 << 30) }, PASSED_THROUGH);
const text = "line of a file\n".repeat(30);
const wire = new TextEncoder().encode(JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: text }] }));

test("freeing a body's kept bytes leaves the caller's array and every other body intact", async () => {
  const sent = wire.slice();
  const withLength = await read(new Request("http://localhost/v1/messages", { method: "POST", headers: { "content-length": String(sent.length) }, body: sent }));
  // Chunked (no length): the reader gathers the chunks itself.
  const chunks = [sent.subarray(0, 100), sent.subarray(100)];
  const chunked = await read(
    new Request("http://localhost/v1/messages", {
      method: "POST",
      body: new ReadableStream({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) }),
    }),
  );
  const other = await read(new Request("http://localhost/v1/messages", { method: "POST", body: wire.slice() }));
  for (const body of [withLength, chunked]) {
    expect(verbatimOf(body)?.size).toBe(1);
    expect(restoreVerbatim(body).messages[0]!.content).toBe(text);
    verbatimOf(body)!.release();
  }
  expect(sent).toEqual(wire);
  expect(restoreVerbatim(other).messages[0]!.content).toBe(text);
});

/**
 * Large bodies do not take the process's memory with them: one body at most 32 MiB (Anthropic's limit, answered in
 * Anthropic's shape however the body arrives), and a budget of body bytes read at once across every request.
 */
import { afterEach, expect, test } from "bun:test";
import { startGateway, type Gateway } from "./harness";

let g: Gateway;
afterEach(() => g.stop());

/** A body that arrives in pieces, without a declared length, at the pace the test sets. */
function trickle(pieces: number, pieceBytes: number, gapMs: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      if (sent === pieces) return controller.close();
      if (sent > 0) await Bun.sleep(gapMs);
      controller.enqueue(new Uint8Array(pieceBytes).fill(32));
      sent++;
    },
  });
}

test("a chunked body past 32 MiB is refused with an Anthropic 413 body, not an empty answer", async () => {
  g = await startGateway();
  const res = await fetch(g.url + "/v1/messages", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": g.apiKey },
    body: trickle(40, 1024 * 1024, 0),
  });
  expect(res.status).toBe(413);
  const body = (await res.json()) as { type: string; error: { type: string; message: string } };
  expect(body.type).toBe("error");
  expect(body.error.type).toBe("request_too_large");
  expect(body.error.message).toContain("the limit is 33554432 bytes (32 MiB)");
});

test("a body that starts with a UTF-8 byte order mark is read alike with a length or chunked", async () => {
  g = await startGateway();
  const bytes = new TextEncoder().encode(`\ufeff${JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 32, messages: [{ role: "user", content: "hi" }] })}`);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const headers = { "content-type": "application/json", "x-api-key": g.apiKey };
  const withLength = await fetch(g.url + "/v1/messages", { method: "POST", headers, body: bytes });
  const pieces = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.subarray(0, 2));
      controller.enqueue(bytes.subarray(2));
      controller.close();
    },
  });
  const chunked = await fetch(g.url + "/v1/messages", { method: "POST", headers, body: pieces });
  for (const res of [withLength, chunked]) {
    expect(res.status).toBe(200);
    expect(((await res.json()) as { content: Array<{ text: string }> }).content[0]!.text).toContain("You said: hi");
  }
});

test("past maxBodyBytesInFlight a body is refused with 429 and Retry-After while others are read; then taken again", async () => {
  g = await startGateway({ config: { maxBodyBytesInFlight: 1024 * 1024 } });
  const headers = { "content-type": "application/json", "x-api-key": g.apiKey };
  // One slow body holds 800 KB of the 1 MiB budget while it arrives.
  const slow = fetch(g.url + "/v1/messages/count_tokens", {
    method: "POST",
    headers: { ...headers, "content-length": String(800 * 1024) },
    body: trickle(8, 100 * 1024, 100),
  });
  await Bun.sleep(150);
  const refused = await fetch(g.url + "/v1/messages/count_tokens", {
    method: "POST",
    headers,
    body: JSON.stringify({ model: "claude-sonnet-4-6", messages: [{ role: "user", content: "x".repeat(400 * 1024) }] }),
  });
  expect(refused.status).toBe(429);
  expect(refused.headers.get("retry-after")).toBe("1");
  expect(((await refused.json()) as { error: { type: string } }).error.type).toBe("rate_limit_error");
  // The slow body was not JSON: a 400 — and its share of the budget is free again.
  expect((await slow).status).toBe(400);
  const again = await fetch(g.url + "/v1/messages/count_tokens", {
    method: "POST",
    headers,
    body: JSON.stringify({ model: "claude-sonnet-4-6", messages: [{ role: "user", content: "x".repeat(400 * 1024) }] }),
  });
  expect(again.status).toBe(200);
});

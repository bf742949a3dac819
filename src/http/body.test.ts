/**
 * The body reader hands the verbatim table bytes that the table may free at the request's end (verbatim.ts): they
 * must be the reader's own, never the caller's array or memory another body shares. And it paces the collections
 * that large bodies need (CollectionPacer), keeping a body's shape across them (shapeOf).
 */
import * as jsc from "bun:jsc";
import { expect, test } from "bun:test";
import { PASSED_THROUGH } from "../anthropic/convert";
import { MessagesRequest } from "../anthropic/schemas";
import { BodyBudget, CollectionPacer, jsonBodyReader, shapeOf } from "./body";
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

test("a full collection runs after every 64 MiB of large bodies read; small bodies do not count toward it", async () => {
  let collections = 0;
  const pacer = new CollectionPacer(undefined, () => collections++);
  const largeRead = jsonBodyReader<MessagesRequest>(MessagesRequest, { maxBytes: 8 << 20, budget: new BodyBudget(1 << 30), collections: pacer }, PASSED_THROUGH);
  const body = (bytes: number) => {
    const json = JSON.stringify({ model: "claude-sonnet-4-6", max_tokens: 10, messages: [{ role: "user", content: "" }] });
    return json.replace('"content":""', `"content":"${"x".repeat(bytes - json.length)}"`);
  };
  const send = (text: string) => largeRead(new Request("http://localhost/v1/messages", { method: "POST", headers: { "content-length": String(text.length) }, body: text }));
  const small = body(200 * 1024);
  for (let i = 0; i < 400; i++) await send(small);
  expect(collections).toBe(0);
  const large = body(4 << 20);
  expect(large.length).toBe(4 << 20);
  for (let i = 0; i < 15; i++) await send(large);
  expect(collections).toBe(0);
  await send(large);
  expect(collections).toBe(1);
  for (let i = 0; i < 16; i++) await send(large);
  expect(collections).toBe(2);
});

test("bodies cut one after another, in the memory the scan keeps and in memory of their own (over 8 MB), each read as its own", async () => {
  const large = jsonBodyReader<MessagesRequest>(MessagesRequest, { maxBytes: 32 << 20, budget: new BodyBudget(1 << 30) }, PASSED_THROUGH);
  // Short strings stay in the rest, which is parsed; the long one is cut and kept as the client's bytes.
  const request = (tag: string, bytes: number) => ({
    model: "claude-sonnet-4-5",
    max_tokens: 10,
    system: `system prompt of ${tag} `.repeat(8),
    messages: [
      { role: "user" as const, content: `${tag}\n`.repeat(Math.ceil(bytes / (tag.length + 2))) },
      { role: "assistant" as const, content: `short answer of ${tag}` },
      { role: "user" as const, content: `last question of ${tag}` },
    ],
  });
  const sent = [request("first", 300_000), request("second", 300_000), request("huge", 9 << 20), request("last", 100_000)];
  const bodies = [];
  for (const r of sent) bodies.push(await large(new Request("http://localhost/v1/messages", { method: "POST", body: JSON.stringify(r) })));
  for (const [i, body] of bodies.entries()) {
    expect(verbatimOf(body)?.size).toBe(1);
    expect(restoreVerbatim(body)).toEqual(sent[i]!);
  }
});

/** JavaScriptCore's hidden class of an object, as bun:jsc's `describe` names it (its types leave it out). */
const describeCell = (jsc as unknown as { describe(value: unknown): string }).describe;
const structureOf = (value: unknown) => /StructureID: (\d+)/.exec(describeCell(value))![1];

test("a body's shape has its keys in order, null for every value but objects and arrays, and JSON.parse's hidden classes", () => {
  const parsed = JSON.parse('{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"__proto__":{"x":1},"n":null}');
  const shape = shapeOf(parsed) as Record<string, unknown>;
  expect(Object.keys(shape)).toEqual(["model", "messages", "__proto__", "n"]);
  expect(Object.getPrototypeOf(shape)).toBe(Object.prototype);
  expect(JSON.stringify(shape)).toBe('{"model":null,"messages":[{"role":null,"content":[{"type":null,"text":null}]}],"__proto__":{"x":null},"n":null}');
  const message = (parsed.messages as Array<{ content: unknown[] }>)[0]!;
  const shapeMessage = (shape.messages as Array<{ content: unknown[] }>)[0]!;
  expect(structureOf(shapeMessage)).toBe(structureOf(message));
  expect(structureOf(shapeMessage.content[0])).toBe(structureOf(message.content[0]));
  expect(structureOf(shape)).toBe(structureOf(parsed));
  expect(structureOf(shapeMessage)).not.toBe(structureOf({ role: null, content: null }));
  // However large the body, its shape holds 16,384 values at most.
  const huge = shapeOf({ numbers: new Array(100_000).fill(0), after: { x: 1 } }) as { numbers: unknown[]; after?: unknown };
  expect(huge.numbers.length).toBe(16_382);
  expect(huge.after).toBeUndefined();
});

test("the pacer keeps the shape of the first body of each kind after every collection, of eight kinds at most", async () => {
  const pacer = new CollectionPacer(512 * 1024, () => {});
  const paced = jsonBodyReader<MessagesRequest>(MessagesRequest, { maxBytes: 1 << 20, budget: new BodyBudget(1 << 30), collections: pacer }, PASSED_THROUGH);
  const send = (body: object) => {
    const json = JSON.stringify(body);
    return paced(new Request("http://localhost/v1/messages", { method: "POST", headers: { "content-length": String(Buffer.byteLength(json)) }, body: json }));
  };
  const hello = { model: "claude-sonnet-4-6", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
  const helloShape = { model: null, max_tokens: null, messages: [{ role: null, content: null }] };
  const withBlocks = { ...hello, messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] };
  const blocksShape = { model: null, max_tokens: null, messages: [{ role: null, content: [{ type: null, text: null }] }] };
  await send(hello);
  expect(pacer.keptShapes()).toEqual([helloShape]);
  // The same kind (top-level keys) with no collection since: not kept again.
  await send(withBlocks);
  expect(pacer.keptShapes()).toEqual([helloShape]);
  // Another kind is kept beside it.
  await send({ ...hello, system: "be brief" });
  expect(pacer.keptShapes()).toEqual([helloShape, { ...helloShape, system: null }]);
  // 300 KB twice: the second passes 512 KiB, a collection runs before its parse, and its kind's shape is taken again.
  const large = { ...hello, stream: true, messages: [{ role: "user", content: "x".repeat(300 * 1024) }] };
  await send(large);
  const kept = await send({ ...large, messages: [{ role: "user", content: [{ type: "text", text: "x".repeat(300 * 1024) }] }] });
  const largeShape = { ...blocksShape, stream: null };
  expect(pacer.keptShapes()).toEqual([helloShape, { ...helloShape, system: null }, largeShape]);
  expect(structureOf((pacer.keptShapes()[2] as { messages: unknown[] }).messages[0])).toBe(structureOf(kept.messages[0]));
  // After that collection the first hello with blocks is its kind's shape now.
  await send(withBlocks);
  expect(pacer.keptShapes()[0]).toEqual(blocksShape);
  // Five more kinds fill the reader's eight; a sixth takes the place of the kind kept longest ago (the one with system).
  const more = [{ temperature: 1 }, { top_p: 0.9 }, { top_k: 5 }, { stop_sequences: ["."] }, { metadata: { user_id: "u" } }, { temperature: 1, top_p: 0.9 }];
  for (const extra of more) await send({ ...hello, ...extra });
  expect(pacer.keptShapes().length).toBe(8);
  expect(pacer.keptShapes()).not.toContainEqual({ ...helloShape, system: null });
  expect(pacer.keptShapes()).toContainEqual(largeShape);
  // A body that is an array (a schema may take one) is no kind: nothing kept for it.
  pacer.parsed({}, Array.from({ length: 1000 }, (_, i) => i));
  expect(pacer.keptShapes().length).toBe(8);
});

import { expect, test } from "bun:test";
import { readNdjson } from "./ndjson";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const value of readNdjson(stream)) out.push(value);
  return out;
}

test("lines split across chunks, even inside a multi-byte character, come out whole", async () => {
  const bytes = new TextEncoder().encode('{"type":"progress","error":"账号不存在"}\n\n{"type":"done"}\n');
  const chunks = [bytes.slice(0, 10), bytes.slice(10, 31), bytes.slice(31, 33), bytes.slice(33)];
  expect(await collect(streamOf(chunks))).toEqual([{ type: "progress", error: "账号不存在" }, { type: "done" }]);
});

test("a last line without a newline is still read", async () => {
  expect(await collect(streamOf([new TextEncoder().encode('{"a":1}\n{"b":2}')]))).toEqual([{ a: 1 }, { b: 2 }]);
});

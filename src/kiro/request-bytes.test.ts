import { afterAll, expect, test } from "bun:test";
import { requestBody, requestBytes } from "./request-bytes";

const utf8 = (pieces: string[]) => new Uint8Array(Buffer.from(pieces.join(""), "utf8"));

test("the pieces joined as UTF-8, whatever they hold and however the buffer must grow", () => {
  const cases: string[][] = [
    [],
    ["{}"],
    ['{"a":', '"plain ascii"', "}"],
    // Each piece wider in bytes than in UTF-16 units: two-, three- and four-byte characters, a lone surrogate.
    ["é".repeat(40_000), "€".repeat(30_000), "😀".repeat(20_000), "\ud800"],
    // Short first pieces, then one that overflows what the units promised.
    ["x".repeat(70_000), "中".repeat(200_000), "y"],
    // Past the size of the buffer that is kept, then small again.
    ["z".repeat(9 * 1024 * 1024), "ü".repeat(1000)],
    ["small", " again"],
  ];
  for (const pieces of cases) expect(requestBytes(pieces)).toEqual(utf8(pieces));
});

test("pieces of bytes (the client's own, http/verbatim.ts) are written as they are, between pieces of text", () => {
  const bytes = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
  const cases: Array<Array<string | Uint8Array<ArrayBuffer>>> = [
    ['{"a":"', bytes("kept \\n text"), '"}'],
    ["x", "€".repeat(50_000), bytes("ü".repeat(60_000)), "中".repeat(10_000), bytes("y".repeat(200_000))],
    [bytes("z".repeat(9 * 1024 * 1024)), "small"],
  ];
  const sameText = (pieces: Array<string | Uint8Array<ArrayBuffer>>) => {
    const text = pieces.map((p) => (typeof p === "string" ? p : new TextDecoder().decode(p)));
    expect(requestBytes(pieces)).toEqual(utf8(text));
  };
  for (const pieces of cases) sameText(pieces);
  // A kept buffer of 6 MB (4 MB and half again) holds the units of the pieces after it, but text that takes three
  // bytes a unit leaves the bytes after it less room than the units promised.
  requestBytes(["a".repeat(4 * 1024 * 1024)]);
  sameText(["€".repeat(1.5 * 1024 * 1024), bytes("y".repeat(3 * 1024 * 1024))]);
});

test("a piece of bytes already freed is refused, not sent as nothing", () => {
  const piece = new Uint8Array(new ArrayBuffer(300)).fill(0x61);
  piece.buffer.transfer(0);
  expect(() => requestBytes(['{"a":"', piece, '"}'])).toThrow("a kept string was sent after its request ended");
  // When the body is made, not later, when fetch reads a stream.
  expect(() => requestBody(['{"a":"', "x".repeat(100_000), piece, '"}'])).toThrow("a kept string was sent after its request ended");
});

test("a body declares the length of the bytes it writes, small ones as bytes, large ones as a stream", async () => {
  const bytes = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
  const cases: Array<Array<string | Uint8Array<ArrayBuffer>>> = [
    ['{"a":1}'],
    ['{"a":"', bytes("kept \\n text"), '"}'],
    ["é".repeat(40_000), "€".repeat(30_000), "😀".repeat(20_000), "\ud800", bytes("ü".repeat(60_000))],
    ["x".repeat(70_000), "中".repeat(200_000), bytes("y".repeat(200_000)), "}"],
  ];
  for (const pieces of cases) {
    const expected = new Uint8Array(requestBytes(pieces));
    const { body, length } = requestBody(pieces);
    expect(length).toBe(expected.length);
    expect(body instanceof ReadableStream).toBe(length >= 64 * 1024);
    expect(new Uint8Array(await new Response(body).arrayBuffer())).toEqual(expected);
  }
});

test("a call's bytes are its own length, not the kept buffer's", () => {
  requestBytes(["a".repeat(100_000)]);
  const bytes = requestBytes(['{"b":1}']);
  expect(new TextDecoder().decode(bytes)).toBe('{"b":1}');
});

// The buffer is reused by the next request; that is only sound because fetch copies a byte body when called, and a
// stream's write copies what it writes.
const server = Bun.serve({
  port: 0,
  async fetch(request) {
    await Bun.sleep(20);
    return new Response(new Uint8Array(await request.arrayBuffer()));
  },
});
afterAll(() => server.stop(true));

test("Bun's fetch copies a body of bytes when it is called, so the next request may overwrite them at once", async () => {
  const bodies = Array.from({ length: 24 }, (_, i) => [`{"n":${i},"text":"`, String.fromCharCode(97 + i).repeat(300_000 + i * 7919), '"}']);
  const sent = bodies.map((pieces) => fetch(server.url, { method: "POST", body: requestBytes(pieces) }));
  const received = await Promise.all(sent.map(async (answer) => new Uint8Array(await (await answer).arrayBuffer())));
  received.forEach((bytes, i) => expect(bytes).toEqual(utf8(bodies[i]!)));
});

test("streamed bodies made one after the other, read by fetch later, each reach the server as their own", async () => {
  const bodies = Array.from({ length: 24 }, (_, i) => [`{"n":${i},"text":"`, String.fromCharCode(97 + i).repeat(300_000 + i * 7919), '"}']);
  const sent = bodies.map((pieces) => {
    const { body, length } = requestBody(pieces);
    expect(body instanceof ReadableStream).toBe(true);
    return fetch(server.url, { method: "POST", headers: { "content-length": String(length) }, body });
  });
  const received = await Promise.all(sent.map(async (answer) => new Uint8Array(await (await answer).arrayBuffer())));
  received.forEach((bytes, i) => expect(bytes).toEqual(utf8(bodies[i]!)));
});

test("a streamed body is freed once sent; fetch's copy of a body of bytes is held until the reply ends", async () => {
  // Client and server each in a process of their own: in this one, memory freed by earlier tests is reused without
  // RSS growing, and a server beside the client would add what it reads.
  const server = `
    let release = () => {};
    let replied = Promise.resolve();
    let read = 0;
    const server = Bun.serve({ port: 0, async fetch(request) {
      if (request.method === "GET") {
        const ask = new URL(request.url).searchParams.get("ask");
        if (ask === "hold") replied = new Promise((resolve) => (release = resolve));
        if (ask === "release") release();
        return new Response(String(read));
      }
      await request.arrayBuffer(); read++; await replied; return new Response("ok");
    } });
    console.log(server.url.href);
  `;
  const script = `
    import { requestBody, requestBytes } from ${JSON.stringify(`${import.meta.dir}/request-bytes.ts`)};
    const child = Bun.spawn([process.execPath, "-e", ${JSON.stringify(server)}], { stdout: "pipe" });
    const reader = child.stdout.getReader();
    let url = "";
    while (!url.includes("\\n")) url += new TextDecoder().decode((await reader.read()).value);
    url = url.trim();
    const ask = async (what) => Number(await (await fetch(url + "?ask=" + what)).text());
    const MB = 1024 * 1024;
    const pieces = ['{"text":"', "m".repeat(MB), '"}'];
    const heldPerRequest = async (make) => {
      const readBefore = await ask("hold");
      Bun.gc(true);
      const before = process.memoryUsage().rss;
      const calls = Array.from({ length: 16 }, () => { const { body, headers } = make(); return fetch(url, { method: "POST", body, headers }).then((a) => a.text()); });
      while ((await ask("count")) < readBefore + calls.length) await Bun.sleep(5);
      Bun.gc(true);
      const held = (process.memoryUsage().rss - before) / calls.length / MB;
      await ask("release");
      await Promise.all(calls);
      return held;
    };
    const streamedBody = () => { const { body, length } = requestBody(pieces); return { body, headers: { "content-length": String(length) } }; };
    await heldPerRequest(streamedBody);
    const streamed = await heldPerRequest(streamedBody);
    const copied = await heldPerRequest(() => ({ body: requestBytes(pieces) }));
    console.log(JSON.stringify({ streamed, copied }));
    child.kill();
  `;
  const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
  const { streamed, copied } = JSON.parse(await new Response(child.stdout).text()) as { streamed: number; copied: number };
  expect(await child.exited).toBe(0);
  expect(streamed).toBeLessThan(0.25);
  expect(copied).toBeGreaterThan(0.75);
});

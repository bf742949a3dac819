/**
 * The body reader that keeps long strings as the client's text (http/verbatim.ts) must change nothing Kiro or the
 * client sees: on every request shape, the Kiro JSON is byte for byte the one the plain reader leads to, the token
 * estimate is the same, and a body one refuses the other refuses with the same words.
 */
import { jscDescribe } from "bun:jsc";
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { claudeCode } from "../../scripts/bench/requests";
import { hostileRequests } from "../e2e/hostile";
import { BodyBudget, jsonBodyReader } from "../http/body";
import { type JsonPiece, verbatimOf } from "../http/verbatim";
import { requestBytes } from "../kiro/request-bytes";
import { conversationJson, convertRequest, PASSED_THROUGH, withoutReasoning } from "./convert";
import { MessagesRequest } from "./schemas";
import { estimateInputTokens } from "./tokens";
import { Random } from "../simulator/random";

const limits = { maxBytes: 64 * 1024 * 1024, budget: new BodyBudget(1e12) };
const plain = jsonBodyReader<MessagesRequest>(MessagesRequest, limits);
const kept = jsonBodyReader<MessagesRequest>(MessagesRequest, limits, PASSED_THROUGH);
/** The Kiro JSON as Kiro receives it: the pieces written as request-bytes.ts writes them. */
const sent = (pieces: JsonPiece[]) => new TextDecoder().decode(requestBytes(pieces));

/** Everything the request leads to: the Kiro JSON (with and without replayed reasoning), the estimate, or the refusal. */
async function outcome(read: typeof plain, text: string | Uint8Array<ArrayBuffer>): Promise<string> {
  let body: MessagesRequest;
  try {
    body = await read(new Request("http://localhost/v1/messages", { method: "POST", body: text }));
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
  const tokens = estimateInputTokens(body);
  let converted;
  try {
    converted = convertRequest(body, { conversationId: "c0ffee00-0000-4000-8000-000000000000", cachePoints: true });
  } catch (e) {
    return `tokens ${tokens}; not converted: ${(e as Error).message}`;
  }
  const table = verbatimOf(body);
  const stripped = withoutReasoning(converted.conversationState);
  const json = [sent(conversationJson(converted.conversationState, table)), stripped ? sent(conversationJson(stripped, table)) : ""].join("\n");
  return `tokens ${tokens}\n${json.replace(/"agentContinuationId":"[^"]+"/g, '"agentContinuationId":"-"')}`;
}

async function same(text: string): Promise<string> {
  const expected = await outcome(plain, text);
  expect(await outcome(kept, text)).toBe(expected);
  return expected;
}

/** Text drawn from what makes JSON escaping and token counting differ: escapes, CJK, emoji, halves of pairs. */
const PIECES = ["line of code ", "\n", "\t", '"', "\\", "/", "\b", "\f", "\r", "\u0001", "東京", "🚀", "\ud83d", "\ude80", "é", "\u2028", " ", "<thinking>", "\u0000"];

function text(next: () => number, length: number): string {
  let out = "";
  while (out.length < length) out += PIECES[Math.floor(next() * PIECES.length)]!;
  return out;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".json") ? [path] : [];
  });
}

describe("keeping long strings as the client's text changes nothing downstream", () => {
  test("the client corpus: every recorded Messages request", async () => {
    let n = 0;
    for (const file of files(join(import.meta.dir, "..", "e2e", "fixtures", "clients"))) {
      const fixture = JSON.parse(readFileSync(file, "utf8")) as { api?: string; body?: unknown };
      if (fixture.api !== "anthropic-messages" || fixture.body === undefined) continue;
      const body = typeof fixture.body === "string" ? fixture.body : JSON.stringify(fixture.body);
      await same(body);
      // The same request with its texts grown long enough to be kept.
      await same(body.replace(/"text":"([^"\\]{0,40})/g, (_, t: string) => `"text":"${t}${"\\n\\tmore text ".repeat(40)}`));
      n++;
    }
    expect(n).toBeGreaterThan(10);
  });

  test("Claude Code shaped requests of several sizes, streamed or not", async () => {
    for (const [bytes, history] of [
      [20_000, 4],
      [300_000, 40],
      [1_000_000, 200],
    ] as const) {
      for (const stream of [false, true]) expect(await same(JSON.stringify(claudeCode({ bytes, tools: 20, history, stream })))).toStartWith("tokens");
    }
  });

  test("random texts with every kind of escape, in every place a string can be kept", async () => {
    const random = new Random(17);
    const next = () => random.next();
    for (let i = 0; i < 150; i++) {
      const long = () => text(next, Math.floor(next() * 900));
      const req = {
        model: "claude-sonnet-4-5",
        max_tokens: 100,
        system: [{ type: "text", text: long(), cache_control: { type: "ephemeral" } }],
        messages: [
          { role: "user", content: long() },
          { role: "assistant", content: [{ type: "text", text: long() }, { type: "tool_use", id: "t1", name: "Read", input: { p: long() } }] },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "t1", content: next() < 0.5 ? long() : [{ type: "text", text: long() }, { type: "text", text: long() }] },
              { type: "text", text: long(), cache_control: { type: "ephemeral" } },
            ],
          },
          { role: "assistant", content: long() },
          { role: "user", content: [{ type: "text", text: long() }, { type: "text", text: long() }] },
        ],
        tools: [{ name: "Read", description: long(), input_schema: { type: "object" } }],
      };
      await same(JSON.stringify(req));
    }
  });

  test("kept texts in every script, at each edge of the ranges counted as Latin, are counted as their decoded text is", async () => {
    // Either side of each edge of tokens.ts's isWestern, of UTF-8's two-, three- and four-byte forms, and of 0xc9's split.
    const points = [0x7f, 0x80, 0xe9, 0x23f, 0x240, 0x24f, 0x250, 0x2af, 0x7ff, 0x800, 0x1dff, 0x1e00, 0x1eff, 0x1f00, 0x2014, 0x2c5f, 0x2c60, 0x2c7f, 0x2c80, 0x4e00, 0xa71f, 0xa720, 0xa7ff, 0xa800, 0xab2f, 0xab30, 0xab6f, 0xab70, 0xfffd, 0xffff, 0x10000, 0x1f680, 0x10ffff];
    const pieces = [...points.map((p) => String.fromCodePoint(p)), "line of code ", "\n", "\t"];
    const random = new Random(41);
    const long = (length: number) => {
      let out = "";
      while (out.length < length) out += pieces[random.int(0, pieces.length - 1)]!;
      return out;
    };
    // Small bodies are scanned one byte at a time, large ones by the WebAssembly module (string-ends.ts).
    for (const [bodies, length] of [[60, 700], [3, 40_000]] as const) {
      for (let i = 0; i < bodies; i++) {
        const req = {
          model: "claude-sonnet-4-5",
          max_tokens: 100,
          system: [{ type: "text", text: long(length) }],
          messages: [
            { role: "user", content: long(length) },
            { role: "assistant", content: [{ type: "text", text: long(length) }] },
            { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: long(length) }, { type: "text", text: long(length) }] },
          ],
          tools: [{ name: "Read", description: long(length), input_schema: { type: "object" } }],
        };
        const text = JSON.stringify(req);
        if (length > 1000) expect(Buffer.byteLength(text)).toBeGreaterThan(64 * 1024);
        expect(await same(text)).toStartWith("tokens ");
      }
    }
  });

  test("a large body with text past Latin-1 outside the kept strings is read 8-bit, and so is its conversation but for that text", async () => {
    // Claude Code's own system prompt and tool descriptions hold dashes and arrows; one string past Latin-1 would
    // otherwise make JSON.parse read every string 16-bit, and JSON.stringify take its slow path (http/narrow-json.ts).
    const text = JSON.stringify(claudeCode({ bytes: 200_000, tools: 4, history: 20 })).replace("Anthropic", "Anthropic — 東京 🚀");
    const body = await kept(new Request("http://localhost/v1/messages", { method: "POST", body: text }));
    const eightBit = (s: string) => jscDescribe(s).includes("8Bit:(1)");
    expect(eightBit(body.tools![0]!.description!)).toBe(true);
    expect(eightBit((body.system as Array<{ text: string }>)[1]!.text)).toBe(true);
    expect((body.system as Array<{ text: string }>)[0]!.text).toContain("Anthropic — 東京 🚀");
    const pieces = conversationJson(convertRequest(body).conversationState, verbatimOf(body));
    const wide = pieces.filter((p): p is string => typeof p === "string" && !eightBit(p));
    expect(wide.length).toBe(1);
    expect(wide[0]).toContain("Anthropic — 東京 🚀");
    expect(await same(text)).toStartWith("tokens ");
  });

  test("long texts that are blank, or hold the escapes JSON.stringify never writes", async () => {
    const blank = " \n\t\r\f".repeat(100);
    for (const content of [blank, `${blank}x`, "\u00a0".repeat(300), "\ufeff".repeat(300)]) {
      await same(JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }, { role: "assistant", content }, { role: "user", content }] }));
    }
    // "\/" and \u escapes: the same values, though not the bytes JSON.stringify would write.
    const escaped = `{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"${"a\\/b \\u00e9 \\ud83d\\ude80 ".repeat(40)}"},{"role":"user","content":"${"a\\/b ".repeat(100)}"}]}`;
    const a = (await outcome(plain, escaped)).split("\n");
    const b = (await outcome(kept, escaped)).split("\n");
    expect(b[0]).toBe(a[0]!);
    expect(JSON.parse(b[1]!)).toEqual(JSON.parse(a[1]!));
  });

  test("bodies sent as bytes that are not valid UTF-8, or open with a byte order mark, lead where their text leads", async () => {
    const utf8 = (s: string) => new TextEncoder().encode(s);
    const join = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
    const long = "naïve 東京 🚀 \\n\\t\\\"line\\\" ".repeat(30);
    const head = utf8(`{"model":"claude-sonnet-4-5","max_tokens":10,"system":"${long}","messages":[{"role":"user","content":"${long}`);
    const tail = utf8(`${long}"},{"role":"assistant","content":"${long}"},{"role":"user","content":"${long}"}]}`);
    // A lone byte, a cut 2-, 3- and 4-byte sequence, an encoded surrogate: each decodes to U+FFFD, as Request.text() does.
    const broken = [[0xff], [0xc3], [0xe6, 0x9d], [0xf0, 0x9f, 0x9a], [0xed, 0xa0, 0x80]].map((b) => Uint8Array.from(b));
    const bodies = [...broken.map((b) => join(head, b, tail)), join(Uint8Array.from([0xef, 0xbb, 0xbf]), head, tail), join(Uint8Array.from([0xef, 0xbb, 0xbf]), head, broken[3]!, tail)];
    for (const bytes of bodies) {
      const asText = await new Response(bytes.slice()).text();
      const expected = await outcome(plain, asText);
      expect(expected).toStartWith("tokens ");
      expect(await outcome(plain, bytes.slice())).toBe(expected);
      expect(await outcome(kept, bytes.slice())).toBe(expected);
    }
  });

  test("a long string that is not JSON is refused as such, never sent", async () => {
    const filler = "x".repeat(400);
    for (const bad of [`${filler}\\x`, `${filler}\u0001`, `${filler}\\u12`, `${filler}\n`]) {
      const body = `{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"${bad}"}]}`;
      expect(await same(body)).toBe("refused: the request body is not valid JSON");
    }
    expect(await same(`{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"${filler}`)).toBe("refused: the request body is not valid JSON");
    expect(await same(`${"[".repeat(129)}"${filler}"${"]".repeat(129)}`)).toStartWith("refused: the request body nests");
  });

  test("the hostile fuzzer's Messages bodies", async () => {
    let n = 0;
    for (const req of hostileRequests({ apiKey: "k", adminKey: "a" }, { perRoute: 60 })) {
      if (req.route !== "POST /v1/messages" || typeof req.body !== "string") continue;
      await same(req.body);
      n++;
    }
    expect(n).toBeGreaterThan(30);
    // ~2 s alone, past Bun's default 5 s on a loaded machine.
  }, 60_000);
});

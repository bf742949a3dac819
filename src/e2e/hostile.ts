/**
 * Hostile requests for every route of the gateway, and the judge of each answer (issue 6, item 2). Shared by
 * scripts/fuzz.ts (thousands per route) and src/e2e/fuzz.test.ts (a few hundred).
 *
 * Each request says what a correct gateway answers: refused with a 4xx naming the problem, served (input the
 * converter repairs by design: duplicate tool ids, broken surrogates), either, or — without the right key —
 * refused as a stranger. Whatever the expectation, no answer may be a 5xx, hang, or hold a secret.
 */
import { MAX_BODY_BYTES } from "../app";
import { Random } from "../simulator/random";
import { type GatewayProcess, inParallel, megabytes, type Outcome, send, Tally } from "./drive";

export interface Keys {
  apiKey: string;
  adminKey: string;
}

export type Expect =
  /** A 4xx (or, on /admin, the seed's HTTP 200 `{success:false}`) whose message matches `names`. */
  | { answer: "refused"; names: RegExp; status?: number }
  /** A complete 2xx answer. */
  | { answer: "served" }
  | { answer: "served or refused" }
  /** 401, or 429 once the address is locked out for failed keys; never served. */
  | { answer: "stranger" };

export interface HostileRequest {
  /** The route under attack, e.g. "POST /v1/messages". */
  route: string;
  /** What is wrong with it, e.g. "deep nesting". */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  expect: Expect;
  /** What exactly was broken, when the body does not show it at a glance. */
  detail?: string;
}

type Json = unknown;
type Case = Omit<HostileRequest, "route" | "method" | "path"> & { path?: string };
type Maker = (r: Random, keys: Keys) => Case;

interface RouteSpec {
  route: string;
  makers: Maker[];
}

const refused = (names: RegExp | string, status?: number): Expect => ({
  answer: "refused",
  names: typeof names === "string" ? new RegExp(escapeRegExp(names)) : names,
  ...(status !== undefined ? { status } : {}),
});
const served: Expect = { answer: "served" };
const either: Expect = { answer: "served or refused" };

const json = (keys: Keys, key: "apiKey" | "adminKey" = "apiKey") => ({ "content-type": "application/json", "x-api-key": keys[key] });
const encoder = new TextEncoder();

/* ---- building blocks ---------------------------------------------------------------------------- */

const MODEL = "claude-sonnet-4-6";
const hello = (): Record<string, Json> => ({ model: MODEL, max_tokens: 64, messages: [{ role: "user", content: "hello" }] });

/** A request using every field the schema knows, each of the right type, so that one can be broken at a time. */
const everyField = (): Record<string, Json> => ({
  model: MODEL,
  max_tokens: 64,
  stream: false,
  system: [{ type: "text", text: "be brief" }],
  messages: [{ role: "user", content: [{ type: "text", text: "hello" }] }],
  tools: [{ name: "lookup", description: "looks a word up", input_schema: { type: "object", properties: { word: { type: "string" } } } }],
  thinking: { type: "enabled", budget_tokens: 2000 },
  metadata: { user_id: "user-1" },
  output_config: { effort: "high" },
});

const toolUse = (id: string, name = "lookup", input: Json = { word: "x" }) => ({ type: "tool_use", id, name, input });
const toolResult = (id: string, content: Json = "found") => ({ type: "tool_result", tool_use_id: id, content });
const lookupTool = { name: "lookup", description: "looks a word up", input_schema: { type: "object", properties: {} } };

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const DEPTHS = [129, 1_000, 100_000, 1_000_000];
const TOO_DEEP = /deeper than 128 levels/;

/** The length of a huge string: mostly 1–8 MB, now and then 10–45 MB. */
const hugeLength = (r: Random) => (r.next() < 0.05 ? r.int(10, 45) : r.int(1, 8)) * 1024 * 1024;

type Kind = "string" | "nonempty string" | "integer" | "positive integer" | "boolean" | "array" | "object" | "string|array" | "string|null" | "role";

const WRONG: Record<Kind, Json[]> = {
  string: [5, 0, true, null, [], {}, ["a"], { text: "a" }],
  "nonempty string": ["", 5, true, null, [], {}],
  integer: ["64", 1.5, -2.5, true, null, [], {}, "1e3"],
  "positive integer": ["64", 1.5, 0, -1, true, null, [], {}, "1e3"],
  boolean: ["true", "yes", 1, 0, null, [], {}],
  array: ["[]", 5, true, null, {}, { 0: "a" }],
  object: ["{}", 5, true, null, [], [{}]],
  "string|array": [5, true, null, {}, { type: "text", text: "a" }],
  "string|null": [5, true, [], {}],
  role: ["robot", "", "USER", "Assistant", "tool", 5, null, [], {}],
};

/** Fields of the Messages request: where the schema reports a wrong value, and whether count_tokens knows it. */
const FIELDS: Array<{ path: Array<string | number>; kind: Kind; at: string; messagesOnly?: true }> = [
  { path: ["model"], kind: "string", at: "model" },
  { path: ["max_tokens"], kind: "positive integer", at: "max_tokens", messagesOnly: true },
  { path: ["stream"], kind: "boolean", at: "stream", messagesOnly: true },
  { path: ["messages"], kind: "array", at: "messages" },
  { path: ["messages", 0], kind: "object", at: "messages.0" },
  { path: ["messages", 0, "role"], kind: "role", at: "messages.0.role" },
  { path: ["messages", 0, "content"], kind: "string|array", at: "messages.0.content" },
  // Inside a union the schema reports the union.
  { path: ["messages", 0, "content", 0], kind: "object", at: "messages.0.content" },
  { path: ["messages", 0, "content", 0, "type"], kind: "string", at: "messages.0.content" },
  { path: ["system"], kind: "string|array", at: "system" },
  { path: ["system", 0], kind: "object", at: "system" },
  { path: ["system", 0, "text"], kind: "string", at: "system" },
  { path: ["tools"], kind: "array", at: "tools" },
  { path: ["tools", 0], kind: "object", at: "tools.0" },
  { path: ["tools", 0, "name"], kind: "nonempty string", at: "tools.0.name" },
  { path: ["tools", 0, "description"], kind: "string", at: "tools.0.description" },
  { path: ["tools", 0, "type"], kind: "string", at: "tools.0.type" },
  { path: ["thinking"], kind: "object", at: "thinking" },
  { path: ["thinking", "type"], kind: "string", at: "thinking.type" },
  { path: ["thinking", "budget_tokens"], kind: "integer", at: "thinking.budget_tokens" },
  { path: ["metadata"], kind: "object", at: "metadata", messagesOnly: true },
  { path: ["metadata", "user_id"], kind: "string|null", at: "metadata.user_id", messagesOnly: true },
  { path: ["output_config"], kind: "object", at: "output_config", messagesOnly: true },
  { path: ["output_config", "effort"], kind: "string", at: "output_config.effort", messagesOnly: true },
];

function setAt(target: Json, path: Array<string | number>, value: Json): void {
  let node = target as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[path.at(-1)!] = value;
}

/** Puts the JSON text `raw` where `placeholder` stands in the serialised body (for values JSON.stringify cannot write). */
const withRaw = (body: Json, placeholder: string, raw: string) => JSON.stringify(body).replace(JSON.stringify(placeholder), raw);
const RAW = "\u0000raw\u0000";

const concat = (...parts: Array<string | Uint8Array>) => {
  const bytes = parts.map((p) => (typeof p === "string" ? encoder.encode(p) : p));
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
};

const INVALID_UTF8 = [
  new Uint8Array([0xff]),
  new Uint8Array([0xc3]),
  new Uint8Array([0xe2, 0x82]),
  new Uint8Array([0xf0, 0x9f, 0x98]),
  new Uint8Array([0xc0, 0xaf]),
  new Uint8Array([0xed, 0xa0, 0x80]),
  new Uint8Array([0xf8, 0x88, 0x80, 0x80, 0x80]),
];

/** JSON as people and programs get it wrong. */
const BROKEN_JSON = [
  '{"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [],}',
  "{'model': 'claude-sonnet-4-6'}",
  '{model: "claude-sonnet-4-6"}',
  '{"model": "claude-sonnet-4-6" /* a comment */}',
  '{"max_tokens": NaN}',
  '{"max_tokens": Infinity}',
  '{"max_tokens": 0x40}',
  '{"max_tokens": 064}',
  '{"model": undefined}',
  '{"a": 1}{"b": 2}',
  '{"a": "line\nbreak"}',
  '{"a": "tab\there"}',
  '{"a": "\\x41"}',
  '{"a": "\\u12"}',
  '{"a": "unterminated}',
  "{",
  "}",
  "[",
  '{"a":1,,"b":2}',
  '{"a" 1}',
  "nul",
  "tru",
  "-",
  "{}}",
];

const LONE_SURROGATES = ["\\ud83d", "\\ude00", "\\udbff\\udbff", "x\\udc00y", "\\ud800\\u0041"];

/* ---- /v1/messages and /v1/messages/count_tokens ------------------------------------------------ */

/**
 * The makers of both body routes. `counting` is count_tokens: no upstream call, so a request Kiro would refuse as
 * too long is served there, and fields only /v1/messages knows are passed over.
 */
function bodyMakers(counting: boolean): Maker[] {
  const tooLong = counting ? served : refused(/^Input is too long/);
  /** A body as JSON, for /v1/messages now and then streamed (the answer to a bad request is the same). */
  const body = (r: Random, value: Record<string, Json>) => JSON.stringify(!counting && r.next() < 0.4 ? { ...value, stream: true } : value);
  const userBlocks = (...blocks: Json[]) => ({ ...hello(), messages: [{ role: "user", content: blocks }] });

  return [
    // Bad JSON: cut short, written by hand, or not JSON at all.
    (r, k) => {
      const text = JSON.stringify(everyField());
      return { kind: "bad JSON", headers: json(k), body: text.slice(0, r.int(1, text.length - 1)), expect: refused("the request body is not valid JSON", 400) };
    },
    (r, k) => {
      const broken = r.pick(BROKEN_JSON);
      return { kind: "bad JSON", headers: json(k), body: broken, expect: refused("the request body is not valid JSON", 400) };
    },
    (r, k) => {
      const junk = Array.from({ length: r.int(1, 4096) }, () => String.fromCharCode(r.int(0x21, 0x7e))).join("");
      // Printable junk; the leading "x" keeps it from ever being a JSON number by chance.
      return { kind: "bad JSON", headers: json(k), body: `x${junk}`, expect: refused("the request body is not valid JSON", 400) };
    },
    (r, k) => ({
      kind: "bad JSON",
      headers: json(k),
      body: concat('{"model": "claude-sonnet-4-6", ', r.pick(INVALID_UTF8), ' "max_tokens": 64}'),
      expect: refused("the request body is not valid JSON", 400),
    }),
    (r, k) => ({
      kind: "not an object",
      headers: json(k),
      body: r.pick(["null", "42", '"hello"', "[]", "true", "[{}]", '[{"model":"claude-sonnet-4-6"}]', "-1e400", "  \n\t "]),
      expect: refused(/^(body: expected object|the request body is empty; send a JSON object)$/, 400),
    }),
    (r, k) => {
      const field = r.pick(counting ? ["model", "messages"] : ["model", "messages", "max_tokens"]);
      const value = hello();
      delete value[field];
      return { kind: "missing field", headers: json(k), body: body(r, value), expect: refused(`${field}: field required`, 400) };
    },
    // Wrong types, one field at a time.
    (r, k) => {
      const field = r.pick(FIELDS);
      const value = everyField();
      const wrong = r.pick(WRONG[field.kind]);
      setAt(value, field.path, wrong);
      const expect = counting && field.messagesOnly ? served : refused(new RegExp(`^${escapeRegExp(field.at)}: `), 400);
      return { kind: "wrong type", headers: json(k), body: JSON.stringify(value), expect, detail: `${field.path.join(".")} = ${JSON.stringify(wrong)}` };
    },
    (r, k) => {
      // Numbers JSON.stringify cannot write: 1e400 parses as Infinity, not an integer.
      const value = hello();
      value.max_tokens = RAW;
      const raw = r.pick(["1e400", "-1e400", "1.0000000001", "-0"]);
      const expect = counting ? served : refused(/^max_tokens: /, 400);
      return { kind: "wrong type", headers: json(k), body: withRaw(value, RAW, raw), expect };
    },
    (r, k) => ({
      kind: "unknown model",
      headers: json(k),
      body: body(r, { ...hello(), model: r.pick(["gpt-4o", "", " ", "claude", "../../etc/passwd", "\u0000", "ｃｌａｕｄｅ"]) }),
      expect: refused(/is not supported|^model: /, 400),
    }),
    // Huge strings.
    (r, k) => {
      const where = r.pick(["text", "system", "model", "role", "tool name", "tool description", "unknown field", "tool_use id", "image"] as const);
      const big = "x".repeat(hugeLength(r));
      const value = hello();
      let expect: Expect = tooLong;
      switch (where) {
        case "text":
          value.messages = [{ role: "user", content: big }];
          break;
        case "system":
          value.system = big;
          break;
        case "model":
          value.model = big;
          expect = refused("is not supported", 400);
          break;
        case "role":
          value.messages = [{ role: big, content: "hi" }];
          expect = refused("messages.0.role: must be one of", 400);
          break;
        case "tool name":
          // Shortened to Kiro's 63 characters: nothing too long reaches Kiro.
          value.tools = [{ name: big, input_schema: { type: "object" } }];
          expect = served;
          break;
        case "tool description":
          // Cut to 10,000 characters.
          value.tools = [{ name: "lookup", description: big, input_schema: { type: "object" } }];
          expect = served;
          break;
        case "unknown field":
          value.some_future_field = big;
          expect = served;
          break;
        case "tool_use id":
          value.tools = [lookupTool];
          value.messages = [
            { role: "user", content: "look it up" },
            { role: "assistant", content: [toolUse(big)] },
            { role: "user", content: [toolResult(big)] },
          ];
          break;
        case "image":
          value.messages = [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "QUFB".repeat(big.length / 4) } }] }];
          break;
      }
      // A huge id appears twice (the call and its result): past the 32 MiB limit, the body itself is refused.
      const text = body(r, value);
      return { kind: "huge string", headers: json(k), body: text, expect: encoder.encode(text).length > MAX_BODY_BYTES ? refused("the limit is", 413) : expect };
    },
    (r, k) => {
      // Now and then a body over the 32 MiB limit (the gateway's own check, or beyond it Bun's); mostly 100,000 tiny turns.
      if (r.next() < 0.02) {
        const size = r.pick([50, 52]) * 1024 * 1024;
        return { kind: "huge body", headers: json(k), body: `{"pad":"${"x".repeat(size)}"}`, expect: refused("the limit is", 413) };
      }
      const messages = Array.from({ length: 100_000 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `turn ${i}` }));
      return { kind: "huge body", headers: json(k), body: body(r, { ...hello(), messages }), expect: tooLong };
    },
    // Deep nesting, wherever it can hide.
    (r, k) => {
      const where = r.pick(["root", "messages", "metadata", "input_schema", "tool input", "unknown field", "block field", "content"]);
      const value = hello();
      const deep = nested(r.pick(DEPTHS));
      let text: string;
      if (where === "root") text = deep;
      else {
        if (where === "messages") value.messages = RAW;
        if (where === "metadata") value.metadata = { user_id: "u", extra: RAW };
        if (where === "input_schema") value.tools = [{ name: "lookup", input_schema: { type: "object", properties: RAW } }];
        if (where === "tool input") {
          value.tools = [lookupTool];
          value.messages = [
            { role: "user", content: "go" },
            { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "lookup", input: { q: RAW } }] },
            { role: "user", content: [toolResult("t1")] },
          ];
        }
        if (where === "unknown field") value.extra = RAW;
        if (where === "block field") value.messages = [{ role: "user", content: [{ type: "text", text: "hi", extra: RAW }] }];
        if (where === "content") value.messages = [{ role: "user", content: RAW }];
        text = withRaw(value, RAW, deep);
      }
      return { kind: "deep nesting", headers: json(k), body: text, expect: refused(TOO_DEEP, 400) };
    },
    (r, k) => ({
      // Nesting within the limit is just data.
      kind: "deep nesting",
      headers: json(k),
      body: withRaw({ ...hello(), metadata: { user_id: "u", extra: RAW } }, RAW, nested(r.int(1, 120))),
      expect: served,
    }),
    // Images that are not what they claim.
    (r, k) => {
      const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
      const data = r.pick<Json>([
        `data:image/png;base64,${png}`,
        `${png.slice(0, 20)}\n${png.slice(20)}`,
        `${png.slice(0, 20)} ${png.slice(20)}`,
        png.replaceAll("+", "-").replaceAll("/", "_") + "-_",
        png.slice(0, -3),
        `${png.slice(0, 8)}=${png.slice(9)}`,
        "!!!!",
        "é".repeat(8),
        "ＱＵＦＢ",
        "",
        5,
        null,
        [],
        "!".repeat(hugeLength(r) / 8),
      ]);
      return {
        kind: "bad base64 image",
        headers: json(k),
        body: body(r, userBlocks({ type: "text", text: "what is this?" }, { type: "image", source: { type: "base64", media_type: "image/png", data } })),
        expect: refused(/^messages\.0\.content\.1: image (data is not valid base64|source needs base64 "data")/, 400),
      };
    },
    (r, k) => {
      const [source, names] = r.pick<[Json, RegExp]>([
        [{ type: "base64", media_type: "image/bmp", data: "QUFB" }, /image media_type "image\/bmp" is not supported/],
        [{ type: "base64", media_type: "../png", data: "QUFB" }, /media_type/],
        [{ type: "base64", data: "QUFB" }, /media_type/],
        [{ type: "url", url: "http://169.254.169.254/latest/meta-data" }, /image source type "url" is not supported/],
        [{ type: "file", file_id: "file_1" }, /image source type "file" is not supported/],
        ["QUFB", /needs a "source" object/],
        [null, /needs a "source" object/],
      ]);
      return { kind: "bad base64 image", headers: json(k), body: body(r, userBlocks({ type: "image", source })), expect: refused(names, 400) };
    },
    // Unknown block types, in user and assistant turns.
    (r, k) => {
      const type = r.pick(["bogus", "__proto__", "constructor", "toString", "hasOwnProperty", "", "TEXT", "text ", "ｔｅｘｔ", "image/png", "x".repeat(r.int(1, 100_000))]);
      const inAssistant = r.next() < 0.5;
      const value = inAssistant
        ? { ...hello(), messages: [{ role: "user", content: "a" }, { role: "assistant", content: [{ type }] }, { role: "user", content: "b" }] }
        : userBlocks({ type: "text", text: "a" }, { type });
      const at = inAssistant ? "messages.1.content.0" : "messages.0.content.1";
      return { kind: "unknown block type", headers: json(k), body: body(r, value), expect: refused(new RegExp(`^${escapeRegExp(at)}: unknown content block type`), 400) };
    },
    (r, k) => {
      const block = r.pick<Json>([{ type: 5 }, { type: null }, { text: "no type" }, { type: ["text"] }, "text", 5, null]);
      return { kind: "unknown block type", headers: json(k), body: body(r, userBlocks(block)), expect: refused(/^messages\.0\.content: /, 400) };
    },
    (r, k) => {
      // Block types Kiro has no place for are passed over, not refused.
      const type = r.pick(["document", "redacted_thinking", "search_result", "server_tool_use", "web_search_tool_result", "container_upload"]);
      return { kind: "unknown block type", headers: json(k), body: body(r, userBlocks({ type: "text", text: "see" }, { type, data: "x" })), expect: served };
    },
    (r, k) => {
      const block = r.pick<[Json, RegExp]>([
        [{ type: "text" }, /text block needs a string "text"/],
        [{ type: "text", text: 5 }, /text block needs a string "text"/],
        [{ type: "tool_result", content: "x" }, /tool_result block needs a string "tool_use_id"/],
        [{ type: "tool_result", tool_use_id: "", content: "x" }, /tool_result block needs a string "tool_use_id"/],
        [{ type: "tool_result", tool_use_id: "t", is_error: "yes" }, /tool_result "is_error" must be a boolean/],
        [{ type: "thinking", thinking: 5 }, /thinking block needs a string "thinking"/],
      ]);
      return { kind: "malformed block", headers: json(k), body: body(r, userBlocks(block[0])), expect: refused(block[1], 400) };
    },
    // 10,000 tools.
    (r, k) => {
      const variant = r.pick(["distinct", "one name", "one broken", "server tools", "null schemas"] as const);
      const broken = r.int(0, 9_999);
      const tools: Json[] = Array.from({ length: 10_000 }, (_, i) => {
        if (variant === "one name") return lookupTool;
        if (variant === "server tools") return { type: "web_search_20250305", name: "web_search", max_uses: 5 };
        if (variant === "null schemas") return { name: `tool_${i}`, input_schema: { type: "object", required: null, properties: null } };
        if (variant === "one broken" && i === broken) return r.pick<Json>([{ description: "no name" }, { name: 5 }, { name: "" }, null, "tool"]);
        return { name: `tool_${i}`, description: `tool number ${i}`, input_schema: { type: "object", properties: { a: { type: "string" } } } };
      });
      const expect: Expect =
        variant === "one broken" ? refused(new RegExp(`^tools\\.${broken}(\\.name)?: `), 400) : variant === "distinct" || variant === "null schemas" ? tooLong : served;
      return { kind: "10,000 tools", headers: json(k), body: body(r, { ...hello(), tools }), expect };
    },
    // Duplicate tool ids and unpaired tool results: repaired, never refused.
    (r, k) => {
      const history = r.pick<Json[]>([
        [{ role: "user", content: "go" }, { role: "assistant", content: [toolUse("t1"), toolUse("t1")] }, { role: "user", content: [toolResult("t1"), toolResult("t1")] }],
        [
          { role: "user", content: "go" },
          { role: "assistant", content: [toolUse("t1")] },
          { role: "user", content: [toolResult("t1")] },
          { role: "assistant", content: [toolUse("t1")] },
          { role: "user", content: [toolResult("t1")] },
        ],
        [{ role: "user", content: [toolResult("nobody-asked")] }],
        [{ role: "user", content: "go" }, { role: "assistant", content: [toolUse("t1"), toolUse("t2")] }, { role: "user", content: [toolResult("t2")] }],
        [{ role: "user", content: "go" }, { role: "assistant", content: [toolUse("t1")] }, { role: "user", content: "no result at all" }],
        [{ role: "user", content: "go" }, { role: "assistant", content: [toolUse("t1", "undeclared_tool")] }, { role: "user", content: [toolResult("t1")] }],
        [
          { role: "user", content: "go" },
          { role: "assistant", content: [toolUse("t1")] },
          { role: "assistant", content: [toolUse("t1")] },
          { role: "user", content: [toolResult("t1"), toolResult("t1"), toolResult("t9")] },
        ],
      ]);
      const messages = [...history, { role: "user", content: "and now?" }];
      return { kind: "duplicate tool ids", headers: json(k), body: body(r, { ...hello(), tools: [lookupTool], messages }), expect: served };
    },
    // Claude Code's WebSearch shape with hostile queries: searched (count_tokens just counts), or a 400 when empty.
    (r, k) => {
      const query = r.pick(["", "   ", "bun", "日本語 😀", "x".repeat(r.pick([1_000, 200_000])), "[sim] no results", "[sim] mcp error", '"; DROP TABLE', RAW]);
      const content = r.pick([
        `Perform a web search for the query: ${query}`,
        query,
        [{ type: "text", text: `Perform a web search for the query: ${query}` }],
        [{ type: "image", source: { type: "base64", media_type: "image/png", data: "QUFB" } }],
      ]);
      const tool = r.pick([{ type: "web_search_20250305", name: "web_search", max_uses: 8 }, { name: "web_search" }]);
      const textOf = typeof content === "string" ? content : (content[0] as { text?: string }).text ?? "";
      const empty = textOf.replace("Perform a web search for the query: ", "").trim() === "";
      return {
        kind: "web search",
        headers: json(k),
        body: body(r, { ...hello(), tools: [tool], messages: [{ role: "user", content }] }),
        expect: empty && !counting ? refused(/^messages\.0: a web search request needs the query/, 400) : served,
      };
    },
    // Broken unicode: lone surrogates (repaired), invalid UTF-8 inside strings (decoded as U+FFFD), a BOM, NULs.
    (r, k) => {
      const lone = r.pick(LONE_SURROGATES);
      const where = r.pick(["text", "system", "tool name", "tool description", "tool input key", "user id", "tool_use id"]);
      const value = hello();
      if (where === "text") value.messages = [{ role: "user", content: RAW }];
      if (where === "system") value.system = RAW;
      if (where === "tool name") value.tools = [{ name: RAW, input_schema: { type: "object" } }];
      if (where === "tool description") value.tools = [{ name: "lookup", description: RAW }];
      if (where === "user id") value.metadata = { user_id: RAW };
      if (where === "tool input key" || where === "tool_use id") {
        value.tools = [lookupTool];
        const id = where === "tool_use id" ? RAW : "t1";
        value.messages = [
          { role: "user", content: "go" },
          { role: "assistant", content: [{ type: "tool_use", id, name: "lookup", input: where === "tool input key" ? { [RAW]: 1 } : {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "x" }] },
        ];
      }
      const text = JSON.stringify(value).replaceAll(JSON.stringify(RAW).slice(1, -1), lone);
      // count_tokens ignores metadata; both serve every one of these.
      return { kind: "broken unicode", headers: json(k), body: text, expect: served };
    },
    (r, k) => {
      const variant = r.pick(["invalid UTF-8 in a string", "BOM", "NUL and separators"] as const);
      if (variant === "invalid UTF-8 in a string") {
        const bytes = concat('{"model":"claude-sonnet-4-6","max_tokens":64,"messages":[{"role":"user","content":"a', r.pick(INVALID_UTF8), 'b"}]}');
        return { kind: "broken unicode", headers: json(k), body: bytes, expect: served };
      }
      if (variant === "BOM") return { kind: "broken unicode", headers: json(k), body: concat(new Uint8Array([0xef, 0xbb, 0xbf]), JSON.stringify(hello())), expect: served };
      return { kind: "broken unicode", headers: json(k), body: body(r, { ...hello(), messages: [{ role: "user", content: "nul \u0000 ls \u2028 ps \u2029 bidi \u202e end" }] }), expect: served };
    },
    // Keys that mean something to JavaScript objects.
    (r, k) => {
      const key = r.pick(["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"]);
      const where = r.pick(["root", "message", "block", "tool input", "input_schema", "metadata"]);
      const evil = { polluted: true, max_tokens: "x", role: "system" };
      // A computed "__proto__" key makes an own property, which JSON.stringify writes like any other.
      let value: Record<string, Json> = hello();
      if (where === "root") value = { [key]: evil, ...hello() };
      if (where === "message") value.messages = [{ [key]: evil, role: "user", content: "hi" }];
      if (where === "block") value.messages = [{ role: "user", content: [{ [key]: evil, type: "text", text: "hi" }] }];
      if (where === "tool input") {
        value.tools = [lookupTool];
        value.messages = [
          { role: "user", content: "go" },
          { role: "assistant", content: [toolUse("t1", "lookup", { [key]: evil })] },
          { role: "user", content: [toolResult("t1")] },
        ];
      }
      if (where === "input_schema") value.tools = [{ name: "lookup", input_schema: { type: "object", [key]: evil, properties: { [key]: evil } } }];
      if (where === "metadata") value.metadata = { [key]: evil, user_id: "u" };
      return { kind: "prototype keys", headers: json(k), body: JSON.stringify(value), expect: either };
    },
    // Conversations of the wrong shape.
    (r, k) => {
      const [messages, expect] = r.pick<[Json[], Expect]>([
        [[], refused("messages: at least one user message is required", 400)],
        [[{ role: "assistant", content: "I start" }], refused("messages: at least one user message is required", 400)],
        [Array.from({ length: 1_000 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `turn ${i}` })), served],
        [Array.from({ length: 50 }, () => ({ role: "user", content: "again" })), served],
        [[{ role: "user", content: "a" }, { role: "assistant", content: "prefill" }], served],
        [[{ role: "user", content: "" }], served],
        [[{ role: "user", content: [] }], served],
        [[{ role: "assistant", content: [] }, { role: "user", content: "hi" }], served],
        [[{ role: "system", content: "be brief" }, { role: "user", content: "hi" }], served],
      ]);
      return { kind: "conversation shape", headers: json(k), body: body(r, { ...hello(), messages }), expect };
    },
    // Headers a careless client sends.
    (r, k) => {
      const headers = r.pick<Record<string, string>>([
        { "x-api-key": k.apiKey },
        { "x-api-key": k.apiKey, "content-type": "text/plain" },
        { "x-api-key": k.apiKey, "content-type": "application/x-www-form-urlencoded" },
        { "x-api-key": k.apiKey, "content-type": "multipart/form-data; boundary=x" },
        { "x-api-key": k.apiKey, "content-type": "application/json; charset=utf-16" },
        { "x-api-key": k.apiKey, "content-type": "application/json", "content-encoding": "gzip" },
        { "x-api-key": k.apiKey, "content-type": "application/json", "anthropic-version": "1999-01-01", "anthropic-beta": "x".repeat(2_000) },
        { "x-api-key": `  ${k.apiKey}  `, "content-type": "application/json" },
        { authorization: `Bearer ${k.apiKey}`, "content-type": "application/json" },
        { "x-api-key": k.apiKey, authorization: "Bearer wrong", "content-type": "application/json" },
      ]);
      // Sent as bytes, so that fetch adds no content type of its own.
      return { kind: "odd headers", headers, body: encoder.encode(JSON.stringify(hello())), expect: served };
    },
    (r, k) => ({
      kind: "odd headers",
      headers: { ...json(k), [`x-${"h".repeat(r.int(1, 50))}`]: "v".repeat(r.pick([100, 10_000, 70_000])) },
      body: JSON.stringify(hello()),
      expect: either,
    }),
  ];
}

/* ---- /v1/chat/completions and /v1/responses ----------------------------------------------------- */

type OpenAIApi = "chat" | "responses";

/** Ways OpenAI clients send the key: Bearer as the SDKs do, now and then x-api-key. */
const openaiHeaders = (r: Random, k: Keys): Record<string, string> =>
  r.next() < 0.8 ? { "content-type": "application/json", authorization: `Bearer ${k.apiKey}` } : json(k);

const chatHello = (): Record<string, Json> => ({ model: MODEL, messages: [{ role: "user", content: "hello" }] });
const responsesHello = (): Record<string, Json> => ({ model: MODEL, input: "hello" });

/** Every field each API's schema or converter knows, each of the right type, so that one can be broken at a time. */
const openaiEveryField = (api: OpenAIApi): Record<string, Json> =>
  api === "chat"
    ? {
        model: MODEL,
        messages: [{ role: "user", content: [{ type: "text", text: "hello" }] }],
        stream: false,
        stream_options: { include_usage: true },
        tools: [{ type: "function", function: { name: "lookup", description: "looks a word up", parameters: { type: "object", properties: { word: { type: "string" } } } } }],
        tool_choice: "auto",
        max_tokens: 64,
        max_completion_tokens: 64,
        n: 1,
        stop: ["\n\n\n"],
        reasoning_effort: "low",
        response_format: { type: "text" },
        prompt_cache_key: "fuzz",
      }
    : {
        model: MODEL,
        input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hello" }] }],
        instructions: "be brief",
        tools: [{ type: "function", name: "lookup", description: "looks a word up", parameters: { type: "object", properties: { word: { type: "string" } } } }],
        tool_choice: "auto",
        stream: false,
        max_output_tokens: 64,
        reasoning: { effort: "low" },
        previous_response_id: null,
        store: false,
        parallel_tool_calls: true,
        temperature: 1,
        top_p: 1,
        text: { format: { type: "text" } },
        prompt_cache_key: "fuzz",
      };

/** Wrong values for the OpenAI fields, where null is mostly a right one. */
const OPENAI_WRONG = {
  "nullable string": [5, true, [], {}],
  "nullable boolean": ["true", "yes", 1, 0, [], {}],
  "nullable object": ["{}", 5, true, [], [{}]],
  "nullable integer": ["64", 1.5, true, [], {}],
  "nullable positive integer": ["64", 1.5, 0, -1, true, [], {}, "1e3"],
  "nullable number": ["1", true, [], {}],
  content: [5, true, {}, { type: "text", text: "a" }],
  input: [5, true, null, {}, [], [{}]],
  role: ["robot", "", "USER", "Assistant", "function", 5, null, [], {}],
  stop: [5, true, {}, [5], [null]],
  "tool choice": [5, true, [], {}, "sometimes", { type: "function" }],
  format: [5, "json", true, []],
} satisfies Record<string, Json[]>;

type OpenAIKind = Kind | keyof typeof OPENAI_WRONG;
const wrongOf = (kind: OpenAIKind): Json[] => (kind in OPENAI_WRONG ? OPENAI_WRONG[kind as keyof typeof OPENAI_WRONG] : WRONG[kind as Kind]);

/** The fields broken one at a time, and the start of the message that must name them (OpenAI's bracketed paths). */
const OPENAI_FIELDS: Record<OpenAIApi, Array<{ path: Array<string | number>; kind: OpenAIKind; at: RegExp }>> = {
  chat: [
    { path: ["model"], kind: "nonempty string", at: /^model: / },
    { path: ["messages"], kind: "array", at: /^messages: / },
    { path: ["messages", 0], kind: "object", at: /^messages\[0\]: / },
    { path: ["messages", 0, "role"], kind: "role", at: /^messages\[0\]\.role: / },
    { path: ["messages", 0, "content"], kind: "content", at: /^messages\[0\]\.content: / },
    { path: ["messages", 0, "content", 0], kind: "object", at: /^messages\[0\]\.content\[0\]: / },
    { path: ["messages", 0, "content", 0, "type"], kind: "string", at: /^messages\[0\]\.content\[0\]\.type: / },
    { path: ["messages", 0, "content", 0, "text"], kind: "string", at: /^messages\[0\]\.content\[0\]\.text: / },
    { path: ["stream"], kind: "nullable boolean", at: /^stream: / },
    { path: ["stream_options"], kind: "nullable object", at: /^stream_options: / },
    { path: ["tools"], kind: "array", at: /^tools: / },
    { path: ["tools", 0], kind: "object", at: /^tools\[0\]: / },
    { path: ["tools", 0, "type"], kind: "string", at: /^tools\[0\]\.type: / },
    { path: ["tools", 0, "function", "name"], kind: "nonempty string", at: /^tools\[0\]\.function\.name: / },
    { path: ["tool_choice"], kind: "tool choice", at: /^tool_choice(\.name)?: / },
    { path: ["max_tokens"], kind: "nullable positive integer", at: /^max_tokens: / },
    { path: ["max_completion_tokens"], kind: "nullable positive integer", at: /^max_completion_tokens: / },
    { path: ["n"], kind: "nullable integer", at: /^n: / },
    { path: ["stop"], kind: "stop", at: /^stop(\[0\])?: / },
    { path: ["reasoning_effort"], kind: "nullable string", at: /^reasoning_effort: / },
    { path: ["response_format"], kind: "nullable object", at: /^response_format: / },
    { path: ["prompt_cache_key"], kind: "nullable string", at: /^prompt_cache_key: / },
  ],
  responses: [
    { path: ["model"], kind: "nonempty string", at: /^model: / },
    // Inside a union the schema reports the union.
    { path: ["input"], kind: "input", at: /^input: / },
    { path: ["input", 0], kind: "object", at: /^input(\[0\])?: / },
    { path: ["input", 0, "role"], kind: "role", at: /^input\[0\]\.role: / },
    { path: ["input", 0, "content"], kind: "content", at: /^input\[0\]\.content: / },
    { path: ["input", 0, "content", 0], kind: "object", at: /^input\[0\]\.content\[0\]: / },
    { path: ["input", 0, "content", 0, "type"], kind: "string", at: /^input\[0\]\.content\[0\]\.type: / },
    { path: ["input", 0, "content", 0, "text"], kind: "string", at: /^input\[0\]\.content\[0\]\.text: / },
    { path: ["instructions"], kind: "nullable string", at: /^instructions: / },
    { path: ["tools"], kind: "array", at: /^tools: / },
    { path: ["tools", 0], kind: "object", at: /^tools\[0\]: / },
    { path: ["tools", 0, "type"], kind: "string", at: /^tools\[0\]\.type: / },
    { path: ["tools", 0, "name"], kind: "nonempty string", at: /^tools\[0\]\.name: / },
    { path: ["tool_choice"], kind: "tool choice", at: /^tool_choice(\.name)?: / },
    { path: ["stream"], kind: "nullable boolean", at: /^stream: / },
    { path: ["max_output_tokens"], kind: "nullable positive integer", at: /^max_output_tokens: / },
    { path: ["reasoning"], kind: "nullable object", at: /^reasoning: / },
    { path: ["reasoning", "effort"], kind: "nullable string", at: /^reasoning(\.effort)?: / },
    { path: ["previous_response_id"], kind: "nullable string", at: /^previous_response_id: / },
    { path: ["store"], kind: "nullable boolean", at: /^store: / },
    { path: ["parallel_tool_calls"], kind: "nullable boolean", at: /^parallel_tool_calls: / },
    { path: ["temperature"], kind: "nullable number", at: /^temperature: / },
    { path: ["top_p"], kind: "nullable number", at: /^top_p: / },
    { path: ["text"], kind: "nullable object", at: /^text: / },
    { path: ["text", "format"], kind: "format", at: /^text\.format: / },
    { path: ["prompt_cache_key"], kind: "nullable string", at: /^prompt_cache_key: / },
  ],
};

const PNG_1x1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** The makers of both OpenAI routes: what each refuses (an OpenAI error naming the field), serves or repairs. */
function openaiMakers(api: OpenAIApi): Maker[] {
  const chat = api === "chat";
  const list = chat ? "messages" : "input";
  const hello = chat ? chatHello : responsesHello;
  const tooLong = refused(/^Input is too long/);
  /** A body as JSON, now and then streamed (the answer to a bad request is the same). */
  const body = (r: Random, value: Record<string, Json>) => JSON.stringify(r.next() < 0.4 ? { ...value, stream: true } : value);
  /** One user turn of content parts (`text` / `image_url` or `input_text` / `input_image`). */
  const userParts = (...parts: Json[]) => (chat ? { ...hello(), messages: [{ role: "user", content: parts }] } : { ...hello(), input: [{ role: "user", content: parts }] });
  const textPart = (text: string) => (chat ? { type: "text", text } : { type: "input_text", text });
  const imagePart = (url: Json) => (chat ? { type: "image_url", image_url: { url } } : { type: "input_image", image_url: url, detail: "auto" });
  /** A conversation: its turns as this API spells them. */
  const turns = (value: Json[]) => ({ ...hello(), [list]: value });
  const at = (path: string) => new RegExp(`^${escapeRegExp(path)}: `);
  const tool = (name: string): Json =>
    chat ? { type: "function", function: { name, parameters: { type: "object", properties: {} } } } : { type: "function", name, parameters: { type: "object", properties: {} } };

  return [
    // Bad JSON.
    (r, k) => {
      const text = JSON.stringify(openaiEveryField(api));
      return { kind: "bad JSON", headers: openaiHeaders(r, k), body: text.slice(0, r.int(1, text.length - 1)), expect: refused("the request body is not valid JSON", 400) };
    },
    (r, k) => ({ kind: "bad JSON", headers: openaiHeaders(r, k), body: r.pick(BROKEN_JSON), expect: refused("the request body is not valid JSON", 400) }),
    (r, k) => ({
      kind: "bad JSON",
      headers: openaiHeaders(r, k),
      body: concat('{"model": "claude-sonnet-4-6", ', r.pick(INVALID_UTF8), ' "input": "hi"}'),
      expect: refused("the request body is not valid JSON", 400),
    }),
    (r, k) => ({
      kind: "not an object",
      headers: openaiHeaders(r, k),
      body: r.pick(["null", "42", '"hello"', "[]", "true", "[{}]", "-1e400", "  \n\t "]),
      expect: refused(/^(body: expected object|the request body is empty; send a JSON object)$/, 400),
    }),
    (r, k) => {
      const field = r.pick(chat ? ["model", "messages"] : ["model", "input"]);
      const value = hello();
      delete value[field];
      const expect = field === "input" ? refused("input: at least one user message is required", 400) : refused(`${field}: field required`, 400);
      return { kind: "missing field", headers: openaiHeaders(r, k), body: body(r, value), expect };
    },
    // Wrong types, one field at a time.
    (r, k) => {
      const field = r.pick(OPENAI_FIELDS[api]);
      const value = openaiEveryField(api);
      const wrong = r.pick(wrongOf(field.kind));
      setAt(value, field.path, wrong);
      return { kind: "wrong type", headers: openaiHeaders(r, k), body: JSON.stringify(value), expect: refused(field.at, 400), detail: `${field.path.join(".")} = ${JSON.stringify(wrong)}` };
    },
    (r, k) => {
      // Numbers JSON.stringify cannot write: 1e400 parses as Infinity, not an integer.
      const field = chat ? r.pick(["max_tokens", "max_completion_tokens"]) : "max_output_tokens";
      const raw = r.pick(["1e400", "-1e400", "1.0000000001", "-0", "100000"]);
      return { kind: "wrong type", headers: openaiHeaders(r, k), body: withRaw({ ...hello(), [field]: RAW }, RAW, raw), expect: refused(at(field), 400) };
    },
    (r, k) => ({
      kind: "unknown model",
      headers: openaiHeaders(r, k),
      body: body(r, { ...hello(), model: r.pick(["gpt-4o", "", " ", "claude", "../../etc/passwd", "\u0000", "ｃｌａｕｄｅ"]) }),
      expect: refused(/is not supported|^model: /, 400),
    }),
    // Huge strings.
    (r, k) => {
      const where = r.pick(["text", "system", "model", "role", "tool name", "tool description", "unknown field", "call id", "image", "tool output"] as const);
      const big = "x".repeat(hugeLength(r));
      let value: Record<string, Json> = hello();
      let expect: Expect = tooLong;
      const call = chat
        ? [
            { role: "user", content: "look it up" },
            { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: "{}" } }] },
            { role: "tool", tool_call_id: "c1", content: "found" },
          ]
        : [
            { role: "user", content: "look it up" },
            { type: "function_call", call_id: "c1", name: "lookup", arguments: "{}" },
            { type: "function_call_output", call_id: "c1", output: "found" },
          ];
      switch (where) {
        case "text":
          value = turns([{ role: "user", content: big }]);
          break;
        case "system":
          value = chat ? turns([{ role: "system", content: big }, { role: "user", content: "hi" }]) : { ...hello(), instructions: big };
          break;
        case "model":
          value.model = big;
          expect = refused("is not supported", 400);
          break;
        case "role":
          value = turns([{ role: big, content: "hi" }]);
          expect = refused(`${list}[0].role: `, 400);
          break;
        case "tool name":
          // Shortened to Kiro's 63 characters: nothing too long reaches Kiro.
          value.tools = [tool(big)];
          expect = served;
          break;
        case "tool description":
          value.tools = [chat ? { type: "function", function: { name: "lookup", description: big } } : { type: "function", name: "lookup", description: big }];
          expect = served;
          break;
        case "unknown field":
          value.some_future_field = big;
          expect = served;
          break;
        case "call id":
          value = { ...turns(JSON.parse(JSON.stringify(call).replaceAll('"c1"', JSON.stringify(big)))), tools: [tool("lookup")] };
          break;
        case "image":
          value = userParts(imagePart(`data:image/png;base64,${"QUFB".repeat(big.length / 4)}`));
          break;
        case "tool output":
          value = { ...turns(JSON.parse(JSON.stringify(call).replace('"found"', JSON.stringify(big)))), tools: [tool("lookup")] };
          break;
      }
      const text = body(r, value);
      return { kind: "huge string", headers: openaiHeaders(r, k), body: text, expect: encoder.encode(text).length > MAX_BODY_BYTES ? refused("the limit is", 413) : expect };
    },
    (r, k) => {
      if (r.next() < 0.02) {
        const size = r.pick([50, 52]) * 1024 * 1024;
        return { kind: "huge body", headers: openaiHeaders(r, k), body: `{"pad":"${"x".repeat(size)}"}`, expect: refused("the limit is", 413) };
      }
      // 30,000 tiny turns: past Kiro's limit, as /v1/messages's 100,000 are, at a third of the fuzz's time.
      const many = Array.from({ length: 30_000 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `turn ${i}` }));
      return { kind: "huge body", headers: openaiHeaders(r, k), body: body(r, turns(many)), expect: tooLong };
    },
    // Deep nesting, wherever it can hide.
    (r, k) => {
      const where = r.pick(["root", "list", "parameters", "arguments object", "unknown field", "part field", "content", "tool_choice"]);
      const deep = nested(r.pick(DEPTHS));
      let value: Record<string, Json> = hello();
      if (where === "list") value[list] = RAW;
      if (where === "parameters") value.tools = [chat ? { type: "function", function: { name: "lookup", parameters: { type: "object", properties: RAW } } } : { type: "function", name: "lookup", parameters: { type: "object", properties: RAW } }];
      if (where === "arguments object") {
        value = turns(
          chat
            ? [{ role: "user", content: "go" }, { role: "assistant", tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: { q: RAW } } }] }, { role: "tool", tool_call_id: "c1", content: "x" }]
            : [{ role: "user", content: "go" }, { type: "function_call", call_id: "c1", name: "lookup", arguments: { q: RAW } }, { type: "function_call_output", call_id: "c1", output: "x" }],
        );
      }
      if (where === "unknown field") value.extra = RAW;
      if (where === "part field") value = userParts({ ...textPart("hi"), extra: RAW });
      if (where === "content") value = turns([{ role: "user", content: RAW }]);
      if (where === "tool_choice") value.tool_choice = RAW;
      return { kind: "deep nesting", headers: openaiHeaders(r, k), body: where === "root" ? deep : withRaw(value, RAW, deep), expect: refused(TOO_DEEP, 400) };
    },
    (r, k) => ({
      kind: "deep nesting",
      headers: openaiHeaders(r, k),
      body: withRaw({ ...hello(), metadata: { extra: RAW } }, RAW, nested(r.int(1, 120))),
      expect: served,
    }),
    // Images: remote URLs (the gateway fetches nothing), other schemes, data URLs that are not what they claim.
    (r, k) => {
      const field = `${list}[0].content[1].image_url`;
      const [url, names] = r.pick<[Json, RegExp]>([
        ["http://169.254.169.254/latest/meta-data/", /does not fetch remote images/],
        ["https://example.com/cat.png", /does not fetch remote images/],
        ["HTTPS://127.0.0.1:8990/admin/accounts", /does not fetch remote images/],
        ["file:///etc/passwd", /is not a data: URL/],
        ["ftp://example.com/a.png", /is not a data: URL/],
        ["/etc/hostname", /is not a data: URL/],
        ["data:image/png,not-base64", /must be base64/],
        ["data:image/bmp;base64,QUFB", /image type "image\/bmp" is not supported/],
        ["data:text/html;base64,PGI+", /image type "text\/html" is not supported/],
        ["data:image/png;base64,!!!!", /image data is not valid base64/],
        [`data:image/png;base64,${PNG_1x1.slice(0, -3)}`, /image data is not valid base64/],
        ["data:image/png;base64,", /image source needs base64 "data"/],
        ["", /an image needs a URL/],
        [5, /an image needs a URL/],
        [null, /an image needs a URL/],
      ]);
      return { kind: "bad image", headers: openaiHeaders(r, k), body: body(r, userParts(textPart("what is this?"), imagePart(url))), expect: refused(new RegExp(`^${escapeRegExp(field)}: (.*)${names.source}`), 400) };
    },
    (r, k) => ({ kind: "bad image", headers: openaiHeaders(r, k), body: body(r, userParts(textPart("what is this?"), imagePart(`data:image/png;base64,${PNG_1x1}`))), expect: served }),
    // Odd roles, items and parts.
    (r, k) => {
      const cases: Array<[Json[], Expect]> = chat
        ? [
            [[{ role: "function", name: "f", content: "x" }], refused(/^messages\[0\]\.role: "function" messages are deprecated/, 400)],
            [[{ role: "user", content: "go" }, { role: "tool", content: "x" }], refused(at("messages[1].tool_call_id"), 400)],
            [[{ role: "user", content: "go" }, { role: "assistant", tool_calls: "lookup" }], refused(at("messages[1].tool_calls"), 400)],
            [[{ role: "user", content: "go" }, { role: "assistant", tool_calls: [{ type: "function", function: { name: "lookup" } }] }], refused(at("messages[1].tool_calls[0].id"), 400)],
            [[{ role: "user", content: "go" }, { role: "assistant", tool_calls: [{ id: "c1", type: "function" }] }], refused(at("messages[1].tool_calls[0].function.name"), 400)],
            [[{ role: "user", content: "go" }, { role: "assistant", tool_calls: [{ id: "c1", function: { name: "lookup", arguments: "{not json" } }] }], refused(/^messages\[1\]\.tool_calls\[0\]\.function\.arguments: arguments are not valid JSON/, 400)],
            [[{ role: "user", content: "go" }, { role: "assistant", tool_calls: [{ id: "c1", function: { name: "lookup", arguments: "[1]" } }] }], refused(/must be a JSON object/, 400)],
            [[{ role: "user", content: [{ type: "input_audio", input_audio: { data: "QUFB", format: "wav" } }] }], refused(at("messages[0].content[0].type"), 400)],
            [[{ role: "user", content: [{ type: "file", file: { file_id: "file-1" } }] }], refused(at("messages[0].content[0].type"), 400)],
            [[{ role: "user", content: "go" }, { role: "tool", tool_call_id: "nobody-asked", content: "x" }], served],
            [[{ role: "user", content: "go" }, { role: "assistant", content: null, reasoning_content: "hmm", tool_calls: [{ id: "c1", type: "function", function: { name: "undeclared", arguments: "" } }] }, { role: "user", content: "and?" }], served],
            [[{ role: "developer", content: [{ type: "text", text: "be brief" }] }, { role: "user", content: "" }, { role: "system", content: "later" }, { role: "user", content: "hi" }], served],
            [[{ role: "user", content: [{ type: "refusal", refusal: "no" }] }], served],
            [[], refused("messages: at least one user message is required", 400)],
            [[{ role: "system", content: "only instructions" }], refused("messages: at least one user message is required", 400)],
          ]
        : [
            [[{ type: "item_reference", id: "msg_1" }, { role: "user", content: "hi" }], refused(/^input\[0\]: kiro-ts keeps no items/, 400)],
            [[{ role: "user", content: "go" }, { type: "function_call", name: "lookup", arguments: "{}" }], refused(at("input[1].call_id"), 400)],
            [[{ role: "user", content: "go" }, { type: "function_call", call_id: "c1", arguments: "{}" }], refused(at("input[1].name"), 400)],
            [[{ role: "user", content: "go" }, { type: "function_call", call_id: "c1", name: "lookup", arguments: "{not json" }], refused(/^input\[1\]\.arguments: arguments are not valid JSON/, 400)],
            [[{ role: "user", content: "go" }, { type: "function_call_output", output: "x" }], refused(at("input[1].call_id"), 400)],
            [[{ type: "compaction", encrypted_content: "gAAAA-sealed-elsewhere" }], refused(at("input[0].encrypted_content"), 400)],
            [[{ type: "additional_tools", tools: "exec" }, { role: "user", content: "hi" }], refused(at("input[0].tools"), 400)],
            [[{ type: "additional_tools", tools: [5] }, { role: "user", content: "hi" }], refused(at("input[0].tools[0]"), 400)],
            [[{ role: "user", content: [{ type: "input_image", file_id: "file-1" }] }], refused(at("input[0].content[0].file_id"), 400)],
            [[{ role: "user", content: [{ type: "input_file", file_data: "QUFB" }] }], refused(at("input[0].content[0].type"), 400)],
            [[{ role: "tool", content: "x" }], refused(at("input[0].role"), 400)],
            [[{ type: "bogus" }, { type: "web_search_call", id: "ws_1", status: "completed" }, { type: "local_shell_call", call_id: "s1" }, { role: "user", content: "hi" }], served],
            [[{ role: "user", content: "go" }, { type: "reasoning", summary: [{ type: "summary_text", text: "hmm" }], encrypted_content: "not-a-signature" }, { type: "custom_tool_call", call_id: "c1", name: "exec", input: "ls" }, { type: "custom_tool_call_output", call_id: "c1", output: [{ type: "input_text", text: "a.txt" }] }], served],
            [[{ role: "user", content: "go" }, { type: "reasoning", summary: [], encrypted_content: "kiro-ts-redacted-v1:Zm9yZ2Vk" }, { role: "user", content: "again" }], served],
            [[{ type: "function_call_output", call_id: "nobody-asked", output: "x" }, { role: "user", content: "hi" }], served],
            [[], refused("input: at least one user message is required", 400)],
            [[{ role: "assistant", content: [{ type: "output_text", text: "I start" }] }], refused("input: at least one user message is required", 400)],
          ];
      const [value, expect] = r.pick(cases);
      return { kind: chat ? "odd roles" : "odd items", headers: openaiHeaders(r, k), body: body(r, turns(value)), expect };
    },
    // Odd tool shapes and tool choices.
    (r, k) => {
      const cases: Array<[Record<string, Json>, Expect]> = chat
        ? [
            [{ tools: [{ type: "custom", custom: { name: "exec" } }] }, refused(/^tools\[0\]\.type: Chat Completions takes function tools/, 400)],
            [{ tools: [{ type: "function", function: { description: "no name" } }] }, refused(at("tools[0].function.name"), 400)],
            [{ tools: [{ type: "function" }] }, refused(at("tools[0].name"), 400)],
            [{ tools: [{ type: "function", function: { name: "lookup", parameters: null } }] }, served],
            [{ tools: [tool("lookup")], tool_choice: { type: "function", function: { name: "nothing-like-it" } } }, served],
            [{ tools: [tool("lookup")], tool_choice: { type: "function", function: {} } }, refused(at("tool_choice.name"), 400)],
            [{ tools: [tool("lookup")], tool_choice: { type: "allowed_tools", allowed_tools: { mode: "required", tools: "lookup" } } }, refused(at("tool_choice.tools"), 400)],
            [{ tools: [tool("lookup"), tool("lookup")], tool_choice: "required", parallel_tool_calls: false }, served],
            [{ tools: Array.from({ length: 1_000 }, (_, i) => tool(`tool_${i}`)) }, served],
          ]
        : [
            [{ tools: [{ type: "custom", name: "exec", format: { type: "grammar", syntax: "lark", definition: "start: /.+/" } }] }, served],
            [{ tools: [{ type: "custom" }] }, refused(at("tools[0].name"), 400)],
            [{ tools: [{ type: "namespace", name: "functions" }] }, refused(at("tools[0].tools"), 400)],
            [{ tools: [{ type: "namespace", tools: [] }] }, refused(at("tools[0].name"), 400)],
            [{ tools: [{ type: "namespace", name: "a", tools: [{ type: "namespace", name: "b", tools: [] }] }] }, refused(/^tools\[0\]\.tools\[0\]: a namespace cannot hold another namespace/, 400)],
            [{ tools: [{ type: "namespace", name: "a", tools: [5] }] }, refused(at("tools[0].tools[0]"), 400)],
            [{ tools: [{ type: "bogus", name: "x" }] }, refused(at("tools[0].type"), 400)],
            [{ tools: [{ type: "web_search" }, { type: "file_search" }, { type: "local_shell" }] }, served],
            [{ tools: [tool("lookup")], tool_choice: { type: "custom" } }, refused(at("tool_choice.name"), 400)],
            [{ tools: [tool("lookup")], tool_choice: { type: "allowed_tools", mode: "auto", tools: [{ type: "function", name: "lookup" }] } }, served],
            [{ tools: Array.from({ length: 1_000 }, (_, i) => tool(`tool_${i}`)) }, served],
          ];
      const [extra, expect] = r.pick(cases);
      return { kind: "odd tools", headers: openaiHeaders(r, k), body: body(r, { ...hello(), ...extra }), expect };
    },
    // What a gateway that keeps nothing and answers one choice refuses; formats and efforts.
    (r, k) => {
      const cases: Array<[Record<string, Json>, Expect]> = chat
        ? [
            [{ n: r.pick([0, 2, 128, -1]) }, refused(/^n: only one choice is answered/, 400)],
            [{ n: r.pick([1, null]) }, served],
            [{ stop: r.pick(["", ["a", ""]]) }, refused("stop: a stop sequence cannot be empty", 400)],
            [{ stop: Array.from({ length: 100 }, (_, i) => `stop ${i}`) }, served],
            [{ reasoning_effort: r.pick(["extreme", "", "HIGH"]) }, refused(/^reasoning_effort: .* is not an effort/, 400)],
            [{ reasoning_effort: r.pick(["none", "minimal", "xhigh"]) }, served],
            [{ response_format: { type: "json_schema", json_schema: { name: "a", schema: { type: "array" } } } }, refused(at("response_format.json_schema.schema"), 400)],
            [{ response_format: { type: "xml" } }, refused(at("response_format.type"), 400)],
            [{ response_format: { type: "json_object" } }, served],
          ]
        : [
            [{ previous_response_id: r.pick(["resp_1", "x".repeat(10_000)]) }, refused(/^previous_response_id: kiro-ts keeps no responses/, 400)],
            [{ previous_response_id: r.pick(["", null]) }, served],
            [{ reasoning: { effort: r.pick(["extreme", "", "HIGH"]) } }, refused(/^reasoning\.effort: .* is not an effort/, 400)],
            [{ reasoning: { effort: r.pick(["none", "minimal", "xhigh"]), summary: "auto" } }, served],
            [{ text: { format: { type: "json_schema", name: "a", schema: "object" } } }, refused(at("text.format.schema"), 400)],
            [{ text: { format: { type: "xml" } } }, refused(at("text.format.type"), 400)],
            [{ text: { format: { type: "json_object" } }, store: true, include: ["reasoning.encrypted_content"] }, served],
          ];
      const [extra, expect] = r.pick(cases);
      return { kind: "unsupported options", headers: openaiHeaders(r, k), body: body(r, { ...hello(), ...extra }), expect };
    },
    // Broken unicode: lone surrogates (repaired), invalid UTF-8 inside strings (decoded as U+FFFD), a BOM.
    (r, k) => {
      const lone = r.pick(LONE_SURROGATES);
      const value = r.pick([turns([{ role: "user", content: RAW }]), { ...hello(), tools: [tool(RAW)] }, { ...hello(), prompt_cache_key: RAW }]);
      return { kind: "broken unicode", headers: openaiHeaders(r, k), body: JSON.stringify(value).replaceAll(JSON.stringify(RAW).slice(1, -1), lone), expect: served };
    },
    (r, k) => {
      if (r.next() < 0.5) return { kind: "broken unicode", headers: openaiHeaders(r, k), body: concat(new Uint8Array([0xef, 0xbb, 0xbf]), JSON.stringify(hello())), expect: served };
      const bytes = concat(`{"model":"${MODEL}","${list}":[{"role":"user","content":"a`, r.pick(INVALID_UTF8), 'b"}]}');
      return { kind: "broken unicode", headers: openaiHeaders(r, k), body: bytes, expect: served };
    },
    // Keys that mean something to JavaScript objects.
    (r, k) => {
      const key = r.pick(["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"]);
      const evil = { polluted: true, role: "system", type: "function_call" };
      const value = r.pick<Record<string, Json>>([{ [key]: evil, ...hello() }, turns([{ [key]: evil, role: "user", content: "hi" }]), userParts({ [key]: evil, ...textPart("hi") })]);
      return { kind: "prototype keys", headers: openaiHeaders(r, k), body: JSON.stringify(value), expect: either };
    },
    // Headers a careless client sends.
    (r, k) => {
      const headers = r.pick<Record<string, string>>([
        { authorization: `Bearer ${k.apiKey}` },
        { authorization: `bearer ${k.apiKey}`, "content-type": "text/plain" },
        { authorization: `Bearer ${k.apiKey}`, "content-type": "application/json", "openai-organization": "org-x", "openai-project": "p".repeat(2_000) },
        { "x-api-key": k.apiKey, authorization: "Bearer wrong", "content-type": "application/json" },
        { authorization: `Bearer ${k.apiKey}`, "content-type": "application/json", "x-codex-beta-features": "remote_compaction_v2", session_id: "not-a-uuid" },
      ]);
      return { kind: "odd headers", headers, body: encoder.encode(JSON.stringify(hello())), expect: served };
    },
    // Served, streamed and not: the stream must end as the API ends it.
    (r, k) => ({ kind: "well formed", headers: openaiHeaders(r, k), body: JSON.stringify({ ...openaiEveryField(api), stream: r.next() < 0.5 }), expect: served }),
  ];
}

/* ---- the other routes -------------------------------------------------------------------------- */

/** GET routes: junk in the query, the headers, the method and the path; nothing may break or leak. */
function getMakers(path: string, key: "apiKey" | "adminKey" | undefined): Maker[] {
  const auth = (k: Keys): Record<string, string> => (key ? { "x-api-key": k[key] } : {});
  return [
    (r, k) => ({
      kind: "junk query",
      path: `${path}?${r.pick(["limit=-1", "before_id=%00", "a=%", "%%%", "x=" + "y".repeat(8_000), "a[b][c]=1", "__proto__[x]=1", "&&&=&", "q=%F0%9F%98"])}`,
      headers: auth(k),
      expect: either,
    }),
    (r, k) => ({
      kind: "junk headers",
      headers: { ...auth(k), [r.pick(["accept", "accept-encoding", "if-none-match", "range", "x-forwarded-for", "origin"])]: r.pick(["*/*;q=x", "gzip;q=2, br;q=-1", "\"x\", W/", "bytes=9-1", "1.2.3.4, evil", "null", "é"]) },
      expect: either,
    }),
    (r, k) => ({
      kind: "odd path",
      path: r.pick([`${path}/`, `${path}//`, `${path}/..`, `${path}%00`, `${path}/%2e%2e/%2e%2e/etc/passwd`, `${path}/../../credentials`, `${path}.json`, path.toUpperCase(), `${path}/${"a".repeat(4_000)}`]),
      headers: auth(k),
      expect: either,
    }),
    (r, k) => ({ kind: "odd method", path, method: r.pick(["HEAD", "OPTIONS", "DELETE", "PUT", "PATCH", "POST"]), headers: auth(k), body: undefined, expect: either }),
  ];
}

/** Names that are no account of the pool; add-account refuses every one of them (they cannot become file names). */
const BAD_NAMES = ["../etc/passwd", "..", ".", "a/b", "a\\b", " ", "-x", ".hidden", "x".repeat(101), "with space", "ünïcode", "a\u0000b", "😀", "__proto__", "name\nnewline"];
const ghost = (r: Random) => `ghost-${r.int(0, 1e9)}`;

interface AdminSpec {
  /** Every field of the body schema and its type. */
  fields: Record<string, Kind>;
  required: string[];
  /** A body the schema accepts (for a name of no account, or one add-account refuses). */
  valid: (r: Random) => Record<string, Json>;
  /** The answer to `valid`. */
  answer: Expect;
  /** A field to bury deep nesting in. */
  deep: string;
}

/** Admin POST routes: what their schema refuses, and logical errors (the seed's HTTP 200 `{success:false}`). */
function adminMakers({ fields, required, valid, answer, deep }: AdminSpec): Maker[] {
  const admin = (k: Keys) => json(k, "adminKey");
  const fieldError = (field: string) => new RegExp(`^${escapeRegExp(field)}(\\.\\d+)*: `);
  return [
    (r, k) => {
      const text = JSON.stringify(valid(r));
      return { kind: "bad JSON", headers: admin(k), body: text.slice(0, r.int(1, text.length - 1)), expect: refused("the request body is not valid JSON", 400) };
    },
    (r, k) => ({ kind: "bad JSON", headers: admin(k), body: r.pick(["{", "{'name': 'x'}", '{"name": "x",}', '{"a":1}{"b":2}']), expect: refused("the request body is not valid JSON", 400) }),
    (r, k) => ({
      kind: "not an object",
      headers: admin(k),
      body: r.pick(["null", "42", '"x"', "true", "[]"]),
      expect: refused(new RegExp(`^(body|${required.join("|")}): `), 400),
    }),
    (r, k) => {
      const field = r.pick(Object.keys(fields));
      const value = valid(r);
      const wrong = r.pick(WRONG[fields[field]!]);
      setAt(value, [field], wrong);
      return { kind: "wrong type", headers: admin(k), body: JSON.stringify(value), expect: refused(fieldError(field), 400), detail: `${field} = ${JSON.stringify(wrong)}` };
    },
    (r, k) => {
      const value = valid(r);
      // Without required fields, "{}" asks for every account (and /credentials would answer with secrets).
      if (required.length === 0) return { kind: "well formed", headers: admin(k), body: JSON.stringify(value), expect: answer };
      const field = r.pick(required);
      delete value[field];
      return { kind: "missing field", headers: admin(k), body: JSON.stringify(value), expect: refused(`${field}: field required`, 400) };
    },
    (r, k) => {
      const text = withRaw({ ...valid(r), [deep]: RAW }, RAW, nested(r.pick(DEPTHS)));
      return { kind: "deep nesting", headers: admin(k), body: text, expect: refused(new RegExp(`${fieldError(deep).source}|${TOO_DEEP.source}`), 400) };
    },
    (r, k) => ({ kind: "huge string", headers: admin(k), body: JSON.stringify({ ...valid(r), junk: "x".repeat(r.int(1, 4) * 1024 * 1024) }), expect: answer }),
    (r, k) => ({ kind: "well formed", headers: admin(k), body: JSON.stringify(valid(r)), expect: answer }),
  ];
}

/** Every route and its makers; the order is the order of the report. */
function routes(): RouteSpec[] {
  const byName: AdminSpec = {
    fields: { name: "nonempty string" },
    required: ["name"],
    valid: (r) => ({ name: ghost(r) }),
    answer: refused(/^account not found: ghost-\d+$/),
    deep: "name",
  };
  const badName = refused(/^account name [\s\S]* must be letters, digits/);
  return [
    { route: "POST /v1/messages", makers: bodyMakers(false) },
    { route: "POST /v1/messages/count_tokens", makers: bodyMakers(true) },
    { route: "POST /v1/chat/completions", makers: openaiMakers("chat") },
    { route: "POST /v1/responses", makers: openaiMakers("responses") },
    { route: "GET /v1/models", makers: getMakers("/v1/models", "apiKey") },
    { route: "GET /health", makers: getMakers("/health", undefined) },
    { route: "GET /", makers: getMakers("/", undefined) },
    { route: "GET /swagger/json", makers: getMakers("/swagger/json", undefined) },
    { route: "GET /admin/pool/status", makers: getMakers("/admin/pool/status", "adminKey") },
    { route: "GET /admin/accounts", makers: getMakers("/admin/accounts", "adminKey") },
    { route: "GET /admin/config", makers: getMakers("/admin/config", "adminKey") },
    {
      route: "POST /admin/accounts",
      makers: [
        ...adminMakers({
          fields: { name: "nonempty string", refreshToken: "nonempty string", kiroApiKey: "nonempty string", addToPool: "boolean", region: "string", expiresAt: "string", authMethod: "string" },
          // refreshToken or kiroApiKey: which one is the handler's question, answered in the envelope.
          required: ["name"],
          valid: (r) => ({ name: r.pick(BAD_NAMES), refreshToken: `rt-${r.int(0, 1e9)}` }),
          answer: badName,
          deep: "name",
        }),
        (r, k) => ({
          kind: "hostile name",
          headers: json(k, "adminKey"),
          body: JSON.stringify({ name: r.pick(BAD_NAMES) + "x".repeat(r.pick([0, 1, 1_000_000])), refreshToken: "rt", clientSecret: "s".repeat(1_000) }),
          expect: badName,
        }),
      ],
    },
    {
      route: "POST /admin/accounts/remove",
      makers: adminMakers({
        fields: { name: "nonempty string", delete_file: "boolean" },
        required: ["name"],
        valid: (r) => ({ name: r.next() < 0.5 ? ghost(r) : r.pick(BAD_NAMES), delete_file: true }),
        answer: served,
        deep: "name",
      }),
    },
    { route: "POST /admin/accounts/refresh", makers: adminMakers(byName) },
    { route: "POST /admin/accounts/reset", makers: adminMakers(byName) },
    { route: "POST /admin/accounts/check", makers: adminMakers(byName) },
    {
      route: "POST /admin/accounts/batch-check",
      makers: [
        ...adminMakers({
          fields: { names: "array" },
          required: [],
          valid: (r) => ({ names: Array.from({ length: r.pick([1, 100, 10_000]) }, () => ghost(r)) }),
          answer: served,
          deep: "names",
        }),
        (r, k) => ({
          kind: "well formed",
          headers: { ...json(k, "adminKey"), accept: "application/x-ndjson" },
          body: JSON.stringify({ names: Array.from({ length: r.int(1, 1_000) }, () => ghost(r)) }),
          expect: served,
        }),
      ],
    },
    {
      route: "POST /admin/accounts/import-sso",
      makers: adminMakers({
        fields: { name: "nonempty string", ssoToken: "nonempty string", region: "nonempty string", addToPool: "boolean" },
        required: ["name", "ssoToken"],
        valid: (r) => ({
          name: ghost(r),
          ssoToken: r.pick(["bogus", "x".repeat(10_000), "a=b; c=d", "\u0000"]),
          region: r.pick(["us-east-1", "../..", "evil.example#", "x".repeat(300)]),
        }),
        // A region that is not one is refused before any call; a real one fails at the SSO service.
        answer: refused(/SSO import failed|is not an AWS region/),
        deep: "ssoToken",
      }),
    },
    {
      route: "POST /admin/accounts/credentials",
      // Only names of no account: the answer must then hold no secret.
      makers: adminMakers({
        fields: { names: "array" },
        required: [],
        valid: (r) => ({ names: Array.from({ length: r.int(1, 100) }, () => ghost(r)) }),
        answer: served,
        deep: "names",
      }),
    },
    {
      route: "POST /admin/reload",
      makers: [
        (r, k) => ({ kind: "any body", headers: json(k, "adminKey"), body: r.pick(["", "{", "null", nested(100_000), JSON.stringify({ junk: "x".repeat(10_000) })]), expect: either }),
      ],
    },
  ];
}

/** Ways to come without the right key, each with a body that would be bad anyway. */
function strangerMaker(route: string): Maker {
  const [method, path] = route.split(" ") as [string, string];
  const admin = path.startsWith("/admin/");
  return (r, k) => {
    const right = admin ? k.adminKey : k.apiKey;
    const other = admin ? k.apiKey : k.adminKey;
    const headers: Record<string, string> = { "content-type": "application/json" };
    const how = r.pick(["none", "wrong", "other key", "suffix", "prefix", "case", "basic", "query", "cookie", "empty bearer"] as const);
    if (how === "wrong") headers["x-api-key"] = `sk-${r.int(0, 1e9)}`;
    if (how === "other key") headers["x-api-key"] = other;
    if (how === "suffix") headers["x-api-key"] = `${right}x`;
    if (how === "prefix") headers["x-api-key"] = right.slice(0, -1);
    if (how === "case") headers["x-api-key"] = right.toUpperCase();
    if (how === "basic") headers.authorization = `Basic ${btoa(`user:${right}`)}`;
    if (how === "cookie") headers.cookie = `x-api-key=${right}`;
    if (how === "empty bearer") headers.authorization = "Bearer ";
    const query = how === "query" ? `?x-api-key=${encodeURIComponent(right)}&api_key=${encodeURIComponent(right)}` : "";
    const body = method === "GET" ? undefined : r.pick(["{", JSON.stringify({ name: "x" }), JSON.stringify(hello()), nested(r.pick(DEPTHS))]);
    return { kind: "stranger", path: path + query, headers, body, expect: { answer: "stranger" } };
  };
}

/** The routes attacked, in report order. */
export const ROUTES: readonly string[] = routes().map((r) => r.route);

export interface HostileOptions {
  /** Requests with the right key, per route. */
  perRoute: number;
  seed?: number;
}

/** Keyed hostile requests, round-robin over the routes, each route cycling through its kinds. Built lazily. */
export function* hostileRequests(keys: Keys, { perRoute, seed = 1 }: HostileOptions): Generator<HostileRequest> {
  const r = new Random(seed);
  const specs = routes();
  for (let i = 0; i < perRoute; i++) {
    for (const spec of specs) {
      const [method, path] = spec.route.split(" ") as [string, string];
      const made = spec.makers[i % spec.makers.length]!(r, keys);
      yield { route: spec.route, method, path, ...made };
    }
  }
}

/**
 * Requests without the right key, for every route. Send them after the keyed ones: twenty failures lock the
 * address out for a minute, and the right key then gets 429 too.
 */
export function* strangerRequests(keys: Keys, { perRoute, seed = 2 }: HostileOptions): Generator<HostileRequest> {
  const r = new Random(seed);
  for (let i = 0; i < perRoute; i++) {
    for (const route of ROUTES) {
      if (!route.includes(" /v1/") && !route.includes(" /admin/")) continue;
      const [method] = route.split(" ") as [string];
      const made = strangerMaker(route)(r, keys);
      yield { route, method, ...made, path: made.path! };
    }
  }
}

/* ---- the judge ---------------------------------------------------------------------------------- */

/** Answers written by Bun's HTTP server itself, before the app: a header section or a body over its limits. */
const HTTP_LAYER = new Set([413, 431]);

/** What is wrong with the answer to `req`, or undefined when it is what a correct gateway answers. */
export function judge(req: HostileRequest, outcome: Outcome, secrets: readonly string[]): string | undefined {
  if ("failure" in outcome) return outcome.failure === "hang" ? "hang: no answer within the deadline" : `no answer: ${outcome.detail}`;
  const { status, text, headers } = outcome.answer;
  if (status >= 500) return `HTTP ${status}`;
  if (secrets.some((s) => s.length >= 8 && text.includes(s))) return "a secret in the answer";

  // fetch resolves "/v1/models/../../x" to "/x" before sending: judge by the path that was sent.
  const path = new URL(`http://gateway${req.path}`).pathname;
  const family = OPENAI_PATHS.has(path) ? "openai" : path.startsWith("/v1/") ? "anthropic" : path.startsWith("/admin/") ? "admin" : "other";
  const parsed = parseJson(text);
  const errorMessage = family === "anthropic" ? anthropicError(parsed) : family === "openai" ? openaiError(parsed) : family === "admin" ? adminError(parsed) : undefined;
  const isError = status >= 400 || (family === "admin" && errorMessage !== undefined);
  const httpLayer = HTTP_LAYER.has(status) && text === "";
  if (isError && !httpLayer) {
    if (family === "anthropic" && errorMessage === undefined) return `HTTP ${status} without an Anthropic error body`;
    if (family === "openai" && errorMessage === undefined) return `HTTP ${status} without an OpenAI error body`;
    if (family === "admin" && errorMessage === undefined) return `HTTP ${status} without an admin error envelope`;
  }

  const expect = req.expect;
  switch (expect.answer) {
    case "stranger":
      if (status < 400) return `a stranger was answered HTTP ${status}`;
      if (status === 401) return undefined;
      if (status === 429 && /too many failed authentication attempts/.test(errorMessage ?? "")) return undefined;
      return `a stranger got HTTP ${status}, not 401`;
    case "served":
      if (status >= 300 || errorMessage !== undefined) return `HTTP ${status} for a request that should be served: ${errorMessage ?? text.slice(0, 200)}`;
      if ((headers.get("content-type") ?? "").startsWith("text/event-stream")) return streamEndProblem(family, text);
      return undefined;
    case "served or refused":
      return undefined;
    case "refused":
      if (!isError) return `HTTP ${status} for a request that should be refused`;
      if (httpLayer) return undefined;
      if (expect.status !== undefined && status !== expect.status) return `HTTP ${status}, not ${expect.status}: ${errorMessage}`;
      if (!expect.names.test(errorMessage ?? "")) return `the message does not name the problem (${expect.names}): ${(errorMessage ?? "").slice(0, 200)}`;
      if (family === "openai" && status === 400 && !paramNamed(parsed, errorMessage ?? "")) return `param does not name the field the message opens with: ${text.slice(0, 200)}`;
      return undefined;
  }
}

const OPENAI_PATHS = new Set(["/v1/chat/completions", "/v1/responses"]);

/** What is wrong with how a served stream ended, by its API: each has its own last words and its own failure. */
function streamEndProblem(family: string, text: string): string | undefined {
  if (family !== "openai") return !text.includes("event: message_stop") || text.includes("event: error") ? "a stream that did not end with message_stop" : undefined;
  if (text.includes("data: [DONE]")) return text.includes('data: {"error"') ? "a chat stream with an error chunk" : undefined;
  if (text.includes("event: response.failed")) return "a responses stream that failed";
  return /event: response\.(completed|incomplete)\n/.test(text) ? undefined : "a stream that did not end with [DONE] or response.completed";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The message of `{"type":"error","error":{"type","message"}}`, or undefined when the body is not that shape. */
function anthropicError(v: unknown): string | undefined {
  if (!isRecord(v) || v.type !== "error" || !isRecord(v.error)) return undefined;
  const { type, message } = v.error;
  return typeof type === "string" && type !== "" && typeof message === "string" && message !== "" ? message : undefined;
}

/** The message of `{"error":{"message","type","param","code"}}` (all four present), or undefined when it is not that shape. */
function openaiError(v: unknown): string | undefined {
  if (!isRecord(v) || !isRecord(v.error)) return undefined;
  const { message, type, param, code } = v.error;
  const nullableString = (x: unknown) => x === null || typeof x === "string";
  return typeof message === "string" && message !== "" && typeof type === "string" && type !== "" && nullableString(param) && nullableString(code) ? message : undefined;
}

/** A 400 whose message opens with a field (`messages[0].role: …`) names that field as `param` too, as OpenAI's SDKs show it. */
function paramNamed(v: unknown, message: string): boolean {
  const field = /^([a-z_][a-z0-9_]*(?:\[\d+\]|\.[a-z_][a-z0-9_]*)*): /i.exec(message)?.[1];
  const param = isRecord(v) && isRecord(v.error) ? v.error.param : undefined;
  return field === undefined || param === field;
}

/** The error of `{"success":false,"error":"…"}`, or undefined. */
function adminError(v: unknown): string | undefined {
  return isRecord(v) && v.success === false && typeof v.error === "string" && v.error !== "" ? v.error : undefined;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/* ---- the run ------------------------------------------------------------------------------------ */

export interface RouteCounts {
  requests: number;
  ok2xx: number;
  refused4xx: number;
  error5xx: number;
  violations: number;
}

export interface FuzzReport {
  requests: number;
  seconds: number;
  concurrency: number;
  routes: Map<string, RouteCounts>;
  kinds: Tally;
  statuses: Tally;
  /** "problem — route — kind", with the first request's description as example. */
  violations: Tally;
  hangs: number;
  fiveHundreds: number;
  leaks: number;
  /** Lines of the gateway's own log that hold a secret. */
  secretsInLog: number;
  strangersServed: number;
  /** Gateway memory: at the start, every few hundred requests, at the end. */
  rss: { start?: number; peak?: number; end?: number; samples: number[] };
  alive: boolean;
}

export interface FuzzOptions {
  concurrency: number;
  deadlineMs: number;
  /** Called again at the end of the run: tokens rotate on refresh. */
  secrets: () => Promise<string[]>;
  onProgress?: (done: number) => void;
}

const SAMPLE_EVERY = 200;

/** Sends every request to the gateway process and judges every answer; phases run one after the other. */
export async function runFuzz(gw: GatewayProcess, phases: Array<Iterable<HostileRequest>>, opts: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const report: FuzzReport = {
    requests: 0,
    seconds: 0,
    concurrency: opts.concurrency,
    routes: new Map(ROUTES.map((r) => [r, { requests: 0, ok2xx: 0, refused4xx: 0, error5xx: 0, violations: 0 }])),
    kinds: new Tally(),
    statuses: new Tally(),
    violations: new Tally(),
    hangs: 0,
    fiveHundreds: 0,
    leaks: 0,
    secretsInLog: 0,
    strangersServed: 0,
    rss: { start: await gw.rss(), samples: [] },
    alive: true,
  };
  report.rss.peak = report.rss.start;
  let secrets = await opts.secrets();

  const one = async (req: HostileRequest) => {
    const outcome = await send(gw.url, req, opts.deadlineMs);
    const n = ++report.requests;
    const counts = report.routes.get(req.route)!;
    counts.requests++;
    report.kinds.add(`${req.route} — ${req.kind}`);
    if ("answer" in outcome) {
      const { status } = outcome.answer;
      report.statuses.add(String(status));
      if (status < 300) counts.ok2xx++;
      else if (status < 500) counts.refused4xx++;
      else {
        counts.error5xx++;
        report.fiveHundreds++;
      }
    } else {
      report.statuses.add(outcome.failure);
      if (outcome.failure === "hang") report.hangs++;
    }
    const problem = judge(req, outcome, secrets);
    if (problem !== undefined) {
      counts.violations++;
      if (problem === "a secret in the answer") report.leaks++;
      if (problem.startsWith("a stranger was answered")) report.strangersServed++;
      report.violations.add(`${problem.split(":")[0]} — ${req.route} — ${req.kind}`, describe(req, problem));
    }
    if (n % SAMPLE_EVERY === 0) {
      const rss = await gw.rss();
      if (rss !== undefined) {
        report.rss.samples.push(rss);
        if (rss > (report.rss.peak ?? 0)) report.rss.peak = rss;
      }
      opts.onProgress?.(n);
      if (n % (SAMPLE_EVERY * 10) === 0) secrets = await opts.secrets();
    }
  };
  for (const phase of phases) await inParallel(phase, opts.concurrency, one);

  report.seconds = (performance.now() - started) / 1000;
  report.rss.end = await gw.rss();
  report.alive = gw.alive();
  report.secretsInLog = await gw.linesWithSecrets(await opts.secrets());
  return report;
}

function describe(req: HostileRequest, problem: string): string {
  const body = req.body === undefined ? "" : typeof req.body === "string" ? req.body : new TextDecoder().decode(req.body);
  const shown = body.length > 300 ? `${body.slice(0, 300)}… (${body.length} characters)` : body;
  return `${req.method} ${req.path.slice(0, 200)} ${shown}${req.detail ? ` (${req.detail})` : ""}\n      → ${problem.slice(0, 400)}`;
}

export function formatFuzzReport(report: FuzzReport): string {
  const lines: string[] = [];
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  lines.push(`fuzz: ${report.requests} hostile requests in ${report.seconds.toFixed(1)} s, ${report.concurrency} at a time`);
  lines.push("");
  lines.push(`${"route".padEnd(36)}${pad("requests", 9)}${pad("2xx", 8)}${pad("4xx", 8)}${pad("5xx", 6)}${pad("wrong", 7)}`);
  for (const [route, c] of report.routes) {
    lines.push(`${route.padEnd(36)}${pad(c.requests, 9)}${pad(c.ok2xx, 8)}${pad(c.refused4xx, 8)}${pad(c.error5xx, 6)}${pad(c.violations, 7)}`);
  }
  lines.push("");
  lines.push(`answers by status: ${report.statuses.entries().map((e) => `${e.key} × ${e.n}`).join(", ")}`);
  const kinds = new Tally();
  for (const e of report.kinds.entries()) for (let i = 0; i < e.n; i++) kinds.add(e.key.split(" — ")[1]!);
  lines.push(`requests by kind: ${kinds.entries().map((e) => `${e.key} × ${e.n}`).join(", ")}`);
  lines.push(`gateway memory (RSS): start ${megabytes(report.rss.start)}, peak ${megabytes(report.rss.peak)}, end ${megabytes(report.rss.end)}`);
  const tenths = Array.from({ length: 10 }, (_, i) => report.rss.samples[Math.floor(((i + 1) * report.rss.samples.length) / 10) - 1]);
  if (report.rss.samples.length >= 10) lines.push(`  at each tenth of the run: ${tenths.map((b) => megabytes(b).replace(" MB", "")).join(", ")} MB`);
  lines.push(
    `gateway alive: ${report.alive ? "yes" : "NO"}; 5xx on bad input: ${report.fiveHundreds}; hangs: ${report.hangs}; ` +
      `secrets in answers: ${report.leaks}, in the gateway's log: ${report.secretsInLog}; strangers served: ${report.strangersServed}; ` +
      `wrong answers: ${report.violations.total}`,
  );
  for (const v of report.violations.entries()) lines.push(`  ${v.n} × ${v.key}\n      e.g. ${v.example}`);
  return lines.join("\n");
}

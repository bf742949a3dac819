import { describe, expect, test } from "bun:test";
import { StreamTranslator } from "../anthropic/stream";
import type { KiroEvent } from "../kiro/types";
import { FreeformDecoder } from "./freeform-stream";
import { ResponsesWriter } from "./responses-reply";
import type { ResponsesEvent } from "./schemas";
import { ToolSet } from "./tools";

/** Escapes of every kind, an astral character written raw and as a \u pair, and a BMP \u escape. */
const TEXT = 'echo "a\\b"\n\ttab/😀 \u00e9 \b\f\r\u0001 done \ud83d\ude80 end';
const JSON_TEXT = JSON.stringify({ input: TEXT }).replace("🚀", "\\ud83d\\ude80").replace("é", "\\u00e9").replace("tab/", "tab\\/");

function decodeIn(pieces: string[]): { deltas: string[]; input: string } {
  const decoder = new FreeformDecoder();
  const deltas = pieces.map((p) => decoder.push(p)).filter((d) => d !== "");
  const { rest, input } = decoder.end();
  if (rest) deltas.push(rest);
  return { deltas, input };
}

const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe("FreeformDecoder", () => {
  test("split in two anywhere — inside escapes, \\u escapes and surrogate pairs — the deltas join to the text, each well formed", () => {
    expect(JSON.parse(JSON_TEXT).input).toBe(TEXT);
    for (let at = 0; at <= JSON_TEXT.length; at++) {
      const { deltas, input } = decodeIn([JSON_TEXT.slice(0, at), JSON_TEXT.slice(at)]);
      expect(deltas.join("")).toBe(TEXT);
      expect(input).toBe(TEXT);
      for (const d of deltas) expect(wellFormed(d)).toBe(true);
    }
  });

  test("one character at a time: the text streams, nothing lone or half-escaped is given", () => {
    const { deltas, input } = decodeIn([...JSON_TEXT.split("")]);
    expect(deltas.length).toBeGreaterThan(TEXT.length / 2);
    expect(deltas.join("")).toBe(TEXT);
    expect(input).toBe(TEXT);
    for (const d of deltas) expect(wellFormed(d)).toBe(true);
  });

  test("whitespace in the head, and another shape held whole as freeformText reads it", () => {
    expect(decodeIn(['  { "inp', 'ut" : "a', 'b" }'])).toEqual({ deltas: ["a", "b"], input: "ab" });
    expect(decodeIn(['{"cmd":', '"ls"}'])).toEqual({ deltas: ['{"cmd":"ls"}'], input: '{"cmd":"ls"}' });
    expect(decodeIn([""])).toEqual({ deltas: [], input: "" });
  });

  test("cut inside the string: the input is what was decoded, a half escape dropped", () => {
    expect(decodeIn(['{"input":"abc', "\\u00"])).toEqual({ deltas: ["abc"], input: "abc" });
  });
});

/** Kiro's fragments of one freeform call through the translator (the tool streamed) and the Responses writer. */
function written(fragments: string[], opts: { stop: boolean; tail: boolean }): ResponsesEvent[] {
  const tools = new ToolSet();
  tools.declare({ type: "custom", name: "exec" }, "tools[0]");
  const translator = new StreamTranslator({ model: "m", thinking: false, inputTokens: 1, contextWindow: 200_000, toolNames: new Map(), streamedTools: tools.customNames() });
  const writer = new ResponsesWriter({ id: "resp_1", model: "m", createdAt: 0, tools, compaction: false, echo: {} as never });
  const kiro: KiroEvent[] = fragments.map((input, i) => ({ type: "toolUse", toolUseId: "t1", name: "exec", input, stop: opts.stop && i === fragments.length - 1 }));
  if (opts.stop) kiro.push({ type: "toolUse", toolUseId: "t1", name: "exec", input: fragments[0]!, stop: true });
  if (opts.tail) kiro.push({ type: "metadata", stopReason: "TOOL_USE" }, { type: "contextUsage", percentage: 1 });
  const events = [...translator.start(), ...kiro.flatMap((e) => translator.push(e)), ...translator.finish()];
  return events.flatMap((e) => writer.push(e));
}

describe("a streamed freeform call", () => {
  const fragments = ['{"input":"ls \\', '"x\\ud83d', '\\ude80"}'];

  test("each fragment's text is a delta as it arrives; Kiro's repeated events after the stop change nothing", () => {
    const events = written(fragments, { stop: true, tail: true });
    const deltas = events.flatMap((e) => (e.type === "response.custom_tool_call_input.delta" ? [e.delta] : []));
    expect(deltas).toEqual(["ls ", '"x', "🚀"]);
    expect(events.find((e) => e.type === "response.custom_tool_call_input.done")).toMatchObject({ input: 'ls "x🚀' });
    expect(events.at(-1)).toMatchObject({ type: "response.completed", response: { output: [{ type: "custom_tool_call", input: 'ls "x🚀', status: "completed" }] } });
  });

  test("cut before its stop frame: never done, the response incomplete", () => {
    const events = written(fragments.slice(0, 2), { stop: false, tail: true });
    expect(events.some((e) => e.type === "response.custom_tool_call_input.delta")).toBe(true);
    expect(events.some((e) => e.type === "response.custom_tool_call_input.done" || e.type === "response.output_item.done")).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: "response.incomplete", response: { output: [], incomplete_details: { reason: "max_output_tokens" } } });
  });

  test("stopped with a truncated JSON input: given as it came, the response incomplete", () => {
    const events = written(['{"input":"ab', "c"], { stop: true, tail: true });
    expect(events.find((e) => e.type === "response.custom_tool_call_input.done")).toMatchObject({ input: "abc" });
    expect(events.at(-1)).toMatchObject({ type: "response.incomplete" });
  });
});

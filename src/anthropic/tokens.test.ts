import { describe, expect, test } from "bun:test";
import type { MessageParam } from "./schemas";
import { countTextTokens, estimateInputTokens, estimateOutputTokens } from "./tokens";

describe("countTextTokens", () => {
  test("matches the kiro.rs vectors of kiro-protocol.md §4.7", () => {
    expect(countTextTokens("Hello, Claude!")).toBe(5);
    expect(countTextTokens("你好，世界")).toBe(7);
    expect(countTextTokens("x".repeat(1000))).toBe(312);
  });

  test("applies each length band's surcharge", () => {
    expect(countTextTokens("")).toBe(0);
    expect(countTextTokens("x".repeat(400))).toBe(130); // 100 tokens × 1.3
    expect(countTextTokens("x".repeat(800))).toBe(250); // 200 × 1.25
    expect(countTextTokens("x".repeat(1200))).toBe(360); // 300 × 1.2
    expect(countTextTokens("x".repeat(4000))).toBe(1000); // 1000 × 1
  });

  test("Latin extended letters count as western, other scripts at four units", () => {
    expect(countTextTokens("ÀéĀž")).toBe(countTextTokens("abcd"));
    expect(countTextTokens("Привет")).toBe(Math.trunc(((6 * 4) / 4) * 1.5));
  });

  test("a character outside the BMP counts once, not as two halves", () => {
    expect(countTextTokens("😀😀")).toBe(countTextTokens("你好"));
  });

  test("a 1 MB body mixing scripts is counted exactly", () => {
    const big = "lorem ipsum 你好 ".repeat(70_000);
    expect(countTextTokens(big)).toBe(Math.trunc((70_000 * (13 + 2 * 4)) / 4));
  });
});

/** The rules of §5.6/§6.2 written as plainly as possible, one character at a time, to check the fast paths against. */
const reference = {
  units(text: string): number {
    let units = 0;
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      const western = c <= 0x024f || (c >= 0x1e00 && c <= 0x1eff) || (c >= 0x2c60 && c <= 0x2c7f) || (c >= 0xa720 && c <= 0xa7ff) || (c >= 0xab30 && c <= 0xab6f);
      units += western ? 1 : 4;
    }
    return units;
  },
  output(chunk: string): number {
    let cjk = 0;
    let other = 0;
    for (const ch of chunk) {
      const c = ch.codePointAt(0)!;
      if (c >= 0x4e00 && c <= 0x9fff) cjk++;
      else other++;
    }
    return Math.max(1, Math.floor((2 * cjk + 2) / 3) + Math.floor((other + 3) / 4));
  },
};

describe("fast paths agree with the plain rules on any text", () => {
  // Boundaries of every range, scripts, pairs and lone halves of pairs.
  const pieces = [
    "a", " ", "\n", "é", "\u024f", "\u0250", "\u1dff", "\u1e00", "\u1eff", "\u1f00", "\u2c5f", "\u2c60", "\u2c7f", "\u2c80",
    "\ua71f", "\ua720", "\ua7ff", "\ua800", "\uab2f", "\uab30", "\uab6f", "\uab70", "你", "\u4e00", "\u9fff", "\ua000", "Ж", "→",
    "😀", "\ud83d", "\ude00", "x".repeat(40), "lorem ipsum dolor sit amet, ".repeat(3),
  ];
  let seed = 42;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);

  test("countTextTokens", () => {
    for (let n = 0; n < 3000; n++) {
      let text = "";
      for (let k = Math.floor(next() * 60); k > 0; k--) text += pieces[Math.floor(next() * pieces.length)];
      const units = reference.units(text);
      const tokens = units / 4;
      const surcharge = tokens < 100 ? 1.5 : tokens < 200 ? 1.3 : tokens < 300 ? 1.25 : tokens < 800 ? 1.2 : 1;
      expect([text, countTextTokens(text)]).toEqual([text, Math.trunc(tokens * surcharge)]);
    }
  });

  test("estimateOutputTokens", () => {
    for (let n = 0; n < 3000; n++) {
      let chunk = "";
      for (let k = Math.floor(next() * 12); k > 0; k--) chunk += pieces[Math.floor(next() * pieces.length)];
      expect([chunk, estimateOutputTokens(chunk)]).toEqual([chunk, reference.output(chunk)]);
    }
  });

  test("estimateOutputTokens on long chunks, ideographs dense and sparse", () => {
    const plain = "lorem ipsum dolor sit amet, consectetur ";
    for (let n = 0; n < 1000; n++) {
      let chunk = "";
      for (let k = Math.floor(next() * 200); k > 0; k--) chunk += next() < 0.3 ? plain.slice(0, Math.floor(next() * plain.length)) : pieces[Math.floor(next() * pieces.length)];
      expect([chunk, estimateOutputTokens(chunk)]).toEqual([chunk, reference.output(chunk)]);
    }
  });
});

describe("estimateInputTokens", () => {
  // Blocks are open objects in the schema; the type only knows their `type`.
  type Block = { type: string; [field: string]: unknown };
  const user = (content: string | Block[]): MessageParam => ({ role: "user", content });
  const assistant = (content: Block[]): MessageParam => ({ role: "assistant", content });

  test("sums system, message text and tools piece by piece (kiro.rs §6.2)", () => {
    const tool = { name: "get_weather", description: "Get weather", input_schema: { type: "object" } };
    const n = estimateInputTokens({
      system: [{ type: "text", text: "You are terse." }],
      messages: [user("Hello, Claude!"), assistant([{ type: "text", text: "Hi" }])],
      tools: [tool],
    });
    expect(n).toBe(
      countTextTokens("You are terse.") +
        countTextTokens("Hello, Claude!") +
        countTextTokens("Hi") +
        countTextTokens("get_weather") +
        countTextTokens("Get weather") +
        countTextTokens('{"type":"object"}'),
    );
  });

  test("counts tool results, tool-use inputs and thinking, which kiro.rs leaves out", () => {
    const result = "x".repeat(4000);
    const n = estimateInputTokens({
      messages: [
        assistant([
          { type: "thinking", thinking: "Need the file.", signature: "s" },
          { type: "tool_use", id: "t1", name: "Read", input: { path: "/etc/hosts" } },
        ]),
        user([
          { type: "tool_result", tool_use_id: "t1", content: result },
          { type: "tool_result", tool_use_id: "t2", content: [{ type: "text", text: result }, { type: "image" }] },
        ]),
      ],
    });
    expect(n).toBe(
      countTextTokens("Need the file.") + countTextTokens('Read{"path":"/etc/hosts"}') + 2 * countTextTokens(result),
    );
    expect(n).toBeGreaterThan(2000);
  });

  test("a tool result given as a JSON object counts its JSON text", () => {
    const content = { rows: [1, 2, 3] };
    expect(estimateInputTokens({ messages: [user([{ type: "tool_result", tool_use_id: "t", content }])] })).toBe(
      countTextTokens(JSON.stringify(content)),
    );
  });

  test("each image costs a flat 1,600 tokens", () => {
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: "A".repeat(100_000) } };
    expect(estimateInputTokens({ messages: [user([image, image])] })).toBe(3200);
  });

  test("a string system prompt is counted and the total is at least 1", () => {
    expect(estimateInputTokens({ system: "Hello, Claude!", messages: [] })).toBe(5);
    expect(estimateInputTokens({ messages: [user("")] })).toBe(1);
  });
});

describe("estimateOutputTokens", () => {
  test("CJK at two thirds of a token, other characters at a quarter, rounded up", () => {
    expect(estimateOutputTokens("The user ")).toBe(3);
    expect(estimateOutputTokens("你好世界")).toBe(3);
    expect(estimateOutputTokens("你好 world")).toBe(2 + 2);
  });

  test("at least one token per chunk", () => {
    expect(estimateOutputTokens("")).toBe(1);
    expect(estimateOutputTokens("a")).toBe(1);
  });

  test("the §10a chunks give 5 + 10", () => {
    expect(estimateOutputTokens("<thinking>\nThe user ")).toBe(5);
    expect(estimateOutputTokens("wants weather.</thinking>\n\nIt is 18°C")).toBe(10);
  });
});

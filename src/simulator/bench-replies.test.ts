import { describe, expect, test } from "bun:test";
import { benchReply, holdReply, longReply, parseDirective, proseChunk } from "./bench-replies";
import { encodeStep } from "./playback";
import type { RecordedRequest } from "./simulator";

function request(content: string): RecordedRequest {
  const body = { conversationState: { currentMessage: { userInputMessage: { content, modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } } } };
  return { method: "POST", path: "/generateAssistantResponse", query: {}, headers: {}, body, bodyBytes: Buffer.byteLength(JSON.stringify(body)), at: 0 };
}

describe("parseDirective", () => {
  test("reads long and hold directives", () => {
    expect(parseDirective("[sim] long 1048576 512")).toEqual({ kind: "long", bytes: 1048576, chars: 512 });
    expect(parseDirective("  [sim] hold 2500\n")).toEqual({ kind: "hold", ms: 2500 });
  });

  test("anything else is not a directive", () => {
    expect(parseDirective("Hello, Claude!")).toBeUndefined();
    expect(parseDirective("please [sim] hold 10")).toBeUndefined();
    expect(parseDirective("[sim] long 0 10")).toBeUndefined();
    expect(parseDirective("[sim] long 100 0")).toBeUndefined();
    expect(parseDirective(`[sim] long ${2 ** 40} 10`)).toBeUndefined();
  });
});

describe("proseChunk", () => {
  test("has exactly the characters asked for and never half a surrogate pair", () => {
    for (const n of [1, 7, 300, 1024]) {
      const chunk = proseChunk(n);
      expect(Array.from(chunk)).toHaveLength(n);
      expect(chunk.isWellFormed()).toBe(true);
    }
  });

  test("carries what JSON must escape and multi-byte UTF-8", () => {
    const chunk = proseChunk(400);
    expect(chunk).toContain('"');
    expect(chunk).toContain("\\");
    expect(chunk).toContain("\n");
    expect(chunk).toContain("🚀");
    expect(chunk).toContain("東京");
  });
});

const frameBytes = (reply: ReturnType<typeof longReply>) =>
  reply.kind === "stream" ? reply.steps.reduce((n, s) => n + (s.type === "pause" ? 0 : encodeStep(s).length), 0) : 0;

describe("longReply", () => {
  test("encodes to about the size asked for, in frames of the text asked for, ending as Kiro ends", () => {
    const reply = longReply(1_000_000, 1024);
    if (reply.kind !== "stream") throw new Error("expected a stream");
    const bytes = frameBytes(reply);
    expect(Math.abs(bytes - 1_000_000)).toBeLessThan(2_000);
    const first = reply.steps[0];
    expect(first?.type === "text" && Array.from(first.content).length).toBe(1024);
    expect(reply.steps.slice(-2).map((s) => s.type)).toEqual(["metering", "contextUsage"]);
  });

  test("a size smaller than one frame still gives one frame", () => {
    const reply = longReply(1, 100);
    expect(reply.kind === "stream" && reply.steps.filter((s) => s.type === "text")).toHaveLength(1);
  });
});

describe("benchReply", () => {
  test("picks the reply from the current user message", () => {
    const hold = benchReply(request("[sim] hold 1500"));
    expect(hold.kind === "stream" && hold.steps.find((s) => s.type === "pause")).toEqual({ type: "pause", ms: 1500 });
    expect(hold).toEqual(holdReply(1500));

    const long = benchReply(request("[sim] long 50000 200"));
    expect(long.kind === "stream" && long.steps.filter((s) => s.type === "text").length).toBeGreaterThan(100);

    const echo = benchReply(request("Hello there"));
    const texts = echo.kind === "stream" ? echo.steps.flatMap((s) => (s.type === "text" ? [s.content] : [])) : [];
    expect(texts.join("")).toBe("Hello from the Kiro simulator. You said: Hello there");
  });
});

import { describe, expect, test } from "bun:test";
import { GatewayError } from "../errors";
import type { KiroEvent } from "../kiro/types";
import { Logger } from "../log";
import { MessageFolder } from "./output";
import { type Reply, streamMessage, TranslatedReply } from "./respond";
import { StreamTranslator } from "./stream";

const log = new Logger("error", () => {});
const translated = (reply: Reply, logger: Logger) => new TranslatedReply(translator(), reply, logger);
const translator = () =>
  new StreamTranslator({ model: "claude-sonnet-4-6", thinking: false, inputTokens: 10, contextWindow: 200_000, toolNames: new Map() });

/** A reply whose later batches arrive on the test's command, and which records being abandoned. */
function scriptedReply(first: KiroEvent[], later: Array<KiroEvent[] | Error>, gapMs: number) {
  const state = { returned: false, aborted: false };
  async function* rest(): AsyncGenerator<KiroEvent[]> {
    try {
      for (const batch of later) {
        await Bun.sleep(gapMs);
        if (batch instanceof Error) throw batch;
        yield batch;
      }
    } finally {
      state.returned = true;
    }
  }
  const reply: Reply = { first, rest: rest(), abort: () => (state.aborted = true) };
  return { reply, state };
}

/** What a Kiro reply throws once it has begun and breaks (kiro/reply.ts). */
const cut = (why: string) => new GatewayError("overloaded", `the Kiro reply was cut off mid-stream (${why})`);

describe("sseResponse", () => {
  test("a ping is written when the upstream is silent for the ping interval, and only then", async () => {
    const { reply } = scriptedReply([{ type: "text", content: "a" }], [[{ type: "text", content: "b" }]], 400);
    const text = await streamMessage(translated(reply, log), log, 100).text();
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names.filter((n) => n === "ping").length).toBeGreaterThanOrEqual(2);
    expect(names.at(-1)).toBe("message_stop");
    expect(text).toContain('event: ping\ndata: {"type":"ping"}\n\n');
  });

  test("no ping while events flow", async () => {
    const { reply } = scriptedReply([{ type: "text", content: "a" }], Array.from({ length: 10 }, () => [{ type: "text" as const, content: "x" }]), 10);
    const text = await streamMessage(translated(reply, log), log, 200).text();
    expect(text).not.toContain("event: ping");
  });

  test("the client leaving abandons the upstream reply at once", async () => {
    const { reply, state } = scriptedReply([{ type: "text", content: "a" }], Array.from({ length: 50 }, () => [{ type: "text" as const, content: "x" }]), 50);
    const reader = streamMessage(translated(reply, log), log, 10_000).body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(state.aborted).toBe(true);
  });

  test("the client leaving is no failure: the aborted download logs no warning", async () => {
    const lines: string[] = [];
    let fail: ((e: Error) => void) | undefined;
    async function* rest(): AsyncGenerator<KiroEvent[]> {
      // Held open until aborted, which rejects the pending read as an aborted fetch does.
      await new Promise<never>((_, reject) => (fail = reject));
    }
    const reply: Reply = { first: [{ type: "text", content: "a" }], rest: rest(), abort: () => fail?.(new Error("The connection was closed.")) };
    const logger = new Logger("warn", (line) => lines.push(line));
    const reader = streamMessage(translated(reply, logger), logger, 10_000).body!.getReader();
    await reader.read();
    await reader.read();
    // The stream is now waiting on the upstream, as a quiet reply does when its client leaves.
    const pending = reader.read();
    await Bun.sleep(10);
    expect(fail).toBeDefined();
    await reader.cancel();
    await pending.catch(() => {});
    await Bun.sleep(10);
    expect(lines).toEqual([]);
  });

  test("a failure of our own mid-stream ends with an api_error event that sends the client to the log", async () => {
    const { reply } = scriptedReply([{ type: "text", content: "a" }], [new Error("a bug")], 5);
    const text = await streamMessage(translated(reply, log), log, 10_000).text();
    expect(text).toEndWith('event: error\ndata: {"type":"error","error":{"type":"api_error","message":"kiro-ts failed unexpectedly; the details are in its log"}}\n\n');
  });

  test("an upstream failure mid-stream ends with an error event", async () => {
    const { reply } = scriptedReply([{ type: "text", content: "a" }], [cut("socket hang up")], 5);
    const text = await streamMessage(translated(reply, log), log, 10_000).text();
    expect(text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"overloaded_error","message":"the Kiro reply was cut off mid-stream \(socket hang up\)"\}\}\n\n$/);
  });
});

describe("jsonMessage", () => {
  test("folds the same events into one message", async () => {
    const { reply } = scriptedReply([{ type: "text", content: "Hel" }], [[{ type: "text", content: "lo" }], [{ type: "contextUsage", percentage: 1 }]], 1);
    const msg = await translated(reply, log).fold(new MessageFolder());
    expect(msg.content).toEqual([{ type: "text", text: "Hello" }]);
    expect(msg.usage.input_tokens).toBe(2000);
  });

  test("a failure mid-reply is an error, not a partial message", async () => {
    const { reply } = scriptedReply([{ type: "text", content: "Hel" }], [cut("reset")], 1);
    await expect(translated(reply, log).fold(new MessageFolder())).rejects.toMatchObject({ kind: "overloaded" });
  });
});

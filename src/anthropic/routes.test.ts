import { describe, expect, test } from "bun:test";
import { startGateway } from "../e2e/harness";
import { text } from "../simulator/replies";
import { nestedDeeperThan } from "./routes";

describe("nestedDeeperThan", () => {
  const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

  test("counts arrays and objects alike, up to the limit inclusive", () => {
    expect(nestedDeeperThan(nested(128), 128)).toBe(false);
    expect(nestedDeeperThan(nested(129), 128)).toBe(true);
    expect(nestedDeeperThan('{"a":{"b":[{"c":[]}]}}', 4)).toBe(true);
    expect(nestedDeeperThan('{"a":{"b":[{"c":[]}]}}', 5)).toBe(false);
  });

  test("depth is what is open at once, not how many brackets there are", () => {
    expect(nestedDeeperThan(`[${Array(10_000).fill("[[]]").join(",")}]`, 3)).toBe(false);
  });

  test("brackets inside strings do not count, whatever the escapes before the closing quote", () => {
    expect(nestedDeeperThan(JSON.stringify({ text: "[".repeat(1000) }), 2)).toBe(false);
    expect(nestedDeeperThan(JSON.stringify({ text: 'a \\" [[[[ \\\\' }), 1)).toBe(false);
    expect(nestedDeeperThan(JSON.stringify({ text: '\\"', more: [[[]]] }), 3)).toBe(true);
  });

  test("an unterminated string ends the scan (JSON.parse reports it)", () => {
    expect(nestedDeeperThan('{"a": "[[[[[[', 2)).toBe(false);
  });
});

describe("a client that leaves early", () => {
  test("before Kiro's first event is no error: nothing is logged", async () => {
    const g = await startGateway({ logLevel: "warn" });
    try {
      g.sim.enqueue(text("too late", { stallBeforeMs: 600 }));
      const left = new AbortController();
      const request = fetch(`${g.url}/v1/messages`, {
        method: "POST",
        signal: left.signal,
        headers: { "content-type": "application/json", "x-api-key": g.apiKey },
        body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] }),
      }).catch((e: Error) => e);
      await Bun.sleep(150);
      left.abort();
      expect(await request).toBeInstanceOf(Error);
      await Bun.sleep(700);
      expect(g.logLines).toEqual([]);
    } finally {
      await g.stop();
    }
  });
});

import { expect, test } from "bun:test";
import { TextDelta } from "../anthropic/output";
import type { StreamEvent } from "../anthropic/schemas";
import { joinTexts } from "./answer";

const text = (index: number, t: string): StreamEvent => ({ type: "content_block_delta", index, delta: new TextDelta(t) });
const texts = (events: readonly StreamEvent[]) =>
  events.map((e) => (e.type === "content_block_delta" && e.delta.type === "text_delta" ? `${e.index}:${e.delta.text}` : e.type));

test("one block's texts that follow each other in a batch become one delta; anything between ends a run", () => {
  const batch: StreamEvent[] = [
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    text(0, "Hel"),
    text(0, "lo"),
    text(0, " 🚀"),
    { type: "content_block_stop", index: 0 },
    text(1, "a"),
    text(2, "b"),
    text(2, "c"),
    { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "{" } },
    text(2, "d"),
  ];
  expect(texts(joinTexts(batch))).toEqual(["content_block_start", "0:Hello 🚀", "content_block_stop", "1:a", "2:bc", "content_block_delta", "2:d"]);
  // The batch given is left as it was.
  expect(batch).toHaveLength(10);
});

test("thinking deltas stay one per Kiro event (kiro-protocol-2026.md, conformance test 10)", () => {
  const thinking = (t: string): StreamEvent => ({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: t } });
  const batch = [thinking("a"), thinking("b"), thinking(""), text(1, "c"), text(1, "d")];
  expect(joinTexts(batch).map((e) => (e.type === "content_block_delta" && e.delta.type === "thinking_delta" ? e.delta.thinking : texts([e])[0]))).toEqual(["a", "b", "", "1:cd"]);
});

test("a batch with nothing to join is given back as it is", () => {
  const batch: StreamEvent[] = [text(0, "a"), { type: "content_block_stop", index: 0 }, text(1, "b")];
  expect(joinTexts(batch)).toBe(batch);
  expect(joinTexts([])).toEqual([]);
});

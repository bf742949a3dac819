import { expect, test } from "bun:test";
import {
  improperlyFormed,
  internal,
  invalidBearer,
  quotaExhausted,
  text,
  textEvents,
  thinkingText,
  throttled,
  tooLong,
  toolUse,
  toolUseEvents,
} from "./replies";

test("textEvents splits into the asked number of pieces without breaking characters", () => {
  const content = "héllo 👋 wörld 🌍!";
  const steps = textEvents(content, 5);
  expect(steps).toHaveLength(5);
  const pieces = steps.map((s) => (s.type === "text" ? s.content : ""));
  expect(pieces.join("")).toBe(content);
  // No piece holds half a surrogate pair: each one survives a UTF-8 round trip unchanged.
  for (const p of pieces) expect(new TextDecoder().decode(new TextEncoder().encode(p))).toBe(p);
});

test("text: chunks, then the tail metadataEvent, contextUsageEvent (or none when asked), meteringEvent", () => {
  const reply = text("Hello", { pieces: 2, contextUsage: 12.5, frameDelayMs: 5 });
  expect(reply.steps.map((s) => s.type)).toEqual(["text", "text", "event", "contextUsage", "metering"]);
  expect(reply.steps[2]).toEqual({ type: "event", eventType: "metadataEvent", payload: { stopReason: "END_TURN" } });
  expect(reply.steps[3]).toEqual({ type: "contextUsage", percentage: 12.5 });
  expect(reply.frameDelayMs).toBe(5);
  expect(text("x", { contextUsage: null }).steps.map((s) => s.type)).toEqual(["text", "event", "metering"]);
});

test("thinkingText puts the thought inside a leading <thinking> block", () => {
  const reply = thinkingText("plan", "answer", { pieces: 1 });
  expect(reply.steps[0]).toEqual({ type: "text", content: "<thinking>\nplan</thinking>\n\nanswer" });
});

test("toolUseEvents: a string input is sent verbatim, even when it is not valid JSON", () => {
  const steps = toolUseEvents({ name: "Write", input: '{"path":"a.txt","content":"trunc', pieces: 2 });
  expect(steps.map((s) => (s.type === "toolUse" ? s.input : "")).join("")).toBe('{"path":"a.txt","content":"trunc');
  const ids = new Set(steps.map((s) => (s.type === "toolUse" ? s.toolUseId : "")));
  expect(ids.size).toBe(1);
  expect([...ids][0]).toMatch(/^tooluse_[A-Za-z0-9]{22}$/);
});

test("toolUse with an empty input sends one event with input \"{}\" and stop", () => {
  const reply = toolUse({ name: "now", input: {}, id: "t" });
  expect(reply.steps[0]).toEqual({ type: "toolUse", toolUseId: "t", name: "now", input: "{}", stop: true });
});

test("several tool calls in one reply keep their order", () => {
  const reply = toolUse([{ name: "a", input: { x: 1 }, id: "1", pieces: 1 }, { name: "b", input: { y: 2 }, id: "2", pieces: 1 }]);
  expect(reply.steps.filter((s) => s.type === "toolUse").map((s) => (s.type === "toolUse" ? s.name : ""))).toEqual(["a", "b"]);
});

test("ready-made Kiro errors carry Kiro's status and body", () => {
  expect(tooLong()).toMatchObject({ status: 400, body: { message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" } });
  expect(improperlyFormed()).toMatchObject({ status: 400, body: { message: "Improperly formed request.", reason: null } });
  expect(improperlyFormed("TOOL_DUPLICATE").body).toEqual({ message: "Improperly formed request.", reason: "TOOL_DUPLICATE" });
  expect(quotaExhausted()).toMatchObject({ status: 402, body: { message: "You have reached the limit.", reason: "MONTHLY_REQUEST_COUNT" } });
  expect(invalidBearer()).toMatchObject({ status: 403, body: { message: "The bearer token included in the request is invalid.", reason: null } });
  expect(throttled(30)).toMatchObject({ status: 429, headers: { "retry-after": "30" } });
  expect(throttled().headers).toBeUndefined();
  expect(internal().status).toBe(500);
});

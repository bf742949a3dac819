import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  events,
  type FaultKind,
  KiroSimulator,
  modelUnavailable,
  type SimAccount,
  tail,
  text,
  textEvents,
  thinkingSignatureInvalid,
  toolSchemaCombinator,
  toolResultMismatch,
  toolUseEvents,
  withoutTail,
} from "./simulator";
import { userIdOf } from "./usage";
import { chatBody, eventsOf, restChat, tokenOf } from "./wire-kit";

let sim: KiroSimulator;
let alice: SimAccount;

beforeAll(async () => {
  sim = await KiroSimulator.start({ chunking: "random", seed: 3 });
  alice = sim.addAccount({ name: "alice", authMethod: "social", usageLimit: 1e9 });
});
afterEach(() => sim.setFaults(null));
afterAll(() => sim.stop());

const ask = () => restChat(sim.url, tokenOf(alice), chatBody("hello"));

describe("the closing tail (2026 §4.1)", () => {
  test("without tokenUsage by default: metadataEvent carries only the stop reason", async () => {
    const list = await eventsOf(await ask());
    expect(list.slice(-3).map(([t]) => t)).toEqual(["metadataEvent", "contextUsageEvent", "meteringEvent"]);
    expect(list.at(-3)![1]).toEqual({ stopReason: "END_TURN" });
    expect(Object.keys(list.at(-1)![1])).toEqual(["unit", "unitPlural", "usage"]);
  });

  test("with the tokenUsage option the echo reports its tokens", async () => {
    const counting = await KiroSimulator.start({ tokenUsage: true });
    try {
      const a = counting.addAccount({ name: "a", authMethod: "social" });
      const list = await eventsOf(await restChat(counting.url, tokenOf(a), chatBody("hello")));
      expect(list.at(-3)![1]).toEqual({
        tokenUsage: { uncachedInputTokens: expect.any(Number), outputTokens: expect.any(Number), cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
        stopReason: "END_TURN",
      });
    } finally {
      await counting.stop();
    }
  });

  test("scripted: tokenUsage of conformance case 17, the 1M context usage of case 18, a refusal of case 19", async () => {
    const usage = { uncachedInputTokens: 101, outputTokens: 23, cacheReadInputTokens: 300, cacheWriteInputTokens: 40 };
    sim.enqueue(
      text("ok", { tokenUsage: usage }),
      text("ok", { contextUsage: 10 }),
      events([...textEvents("I can't"), ...tail({ refusal: { category: "REASONING_EXTRACTION", explanation: "no" } })]),
    );
    expect((await eventsOf(await ask())).find(([t]) => t === "metadataEvent")![1]).toEqual({ tokenUsage: usage, stopReason: "END_TURN" });
    expect((await eventsOf(await ask())).find(([t]) => t === "contextUsageEvent")![1]).toEqual({ contextUsagePercentage: 10 });
    expect((await eventsOf(await ask())).find(([t]) => t === "metadataEvent")![1]).toEqual({
      stopDetails: { refusal: { category: "REASONING_EXTRACTION", explanation: "no" } },
      stopReason: "CONTENT_FILTERED",
    });
  });

  test("withoutTail and the 'truncated' fault end cleanly before the tail (cases 14, 15)", async () => {
    sim.enqueue(withoutTail(events([...textEvents("partial"), ...toolUseEvents({ name: "Read", input: '{"file_path":"/a"', pieces: 2 }).map((s) => ({ ...s, stop: false }))])));
    const cut = await eventsOf(await ask());
    expect(cut.map(([t]) => t)).toEqual(["assistantResponseEvent", "toolUseEvent", "toolUseEvent"]);
    expect(cut.every(([, p]) => p.stop !== true)).toBe(true);
    sim.setFaults({ rate: 1, kinds: ["truncated"] });
    const res = await ask();
    expect(res.status).toBe(200);
    const list = await eventsOf(res);
    expect(new Set(list.map(([t]) => t))).toEqual(new Set(["assistantResponseEvent"]));
    expect(sim.requests.at(-1)!.rejectedBy).toBe("fault: truncated");
  });
});

describe("the error bodies of 2026 §6, as faults", () => {
  const expectations: Array<[FaultKind, number, unknown, string | null]> = [
    ["suspended", 403, { message: expect.stringMatching(/temporarily is suspended\. We've locked your account as a security precaution/), reason: null }, null],
    ["suspicious", 429, { message: expect.stringMatching(/^Due to suspicious activity, we are imposing temporary limits/), reason: null }, "7"],
    ["capacity", 429, { message: expect.any(String), reason: "INSUFFICIENT_MODEL_CAPACITY" }, "7"],
    ["unavailable", 500, { message: expect.stringMatching(/unexpectedly high load/), reason: "MODEL_TEMPORARILY_UNAVAILABLE" }, "5"],
    ["overage", 402, { message: "You have reached the limit for overages.", reason: "OVERAGE_REQUEST_LIMIT_EXCEEDED" }, null],
  ];
  for (const [kind, status, body, retryAfter] of expectations) {
    test(`${kind}: ${status}`, async () => {
      sim.setFaults({ rate: 1, kinds: [kind] });
      const res = await ask();
      expect(res.status).toBe(status);
      expect(res.headers.get("retry-after")).toBe(retryAfter);
      expect(await res.json()).toEqual(body);
    });
  }

  test("suspension and suspicious activity name the account's user id", async () => {
    sim.setFaults({ rate: 1, kinds: ["suspended"] });
    expect(((await (await ask()).json()) as any).message).toContain(`Your User ID (${userIdOf(alice)})`);
  });

  test("envelope: a 200 whose body is a JSON exception, not an event stream", async () => {
    sim.setFaults({ rate: 1, kinds: ["envelope"] });
    const res = await ask();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ __type: "com.amazon.aws.codewhisperer#ThrottlingException", message: "Rate exceeded" });
  });

  test("the classic faults stay the default pick: no late-2026 fault unless named", async () => {
    const picky = await KiroSimulator.start({ seed: 5 });
    try {
      const a = picky.addAccount({ name: "a", authMethod: "social", usageLimit: 1e9 });
      picky.setFaults({ rate: 1, stallMs: 1 });
      for (let i = 0; i < 30; i++) {
        const res = await restChat(picky.url, tokenOf(a), chatBody("x")).catch(() => undefined);
        await res?.arrayBuffer().catch(() => undefined);
      }
      const kinds = new Set(picky.requests.map((r) => r.rejectedBy));
      for (const late of ["suspended", "suspicious", "capacity", "unavailable", "overage", "envelope", "truncated"]) expect(kinds.has(`fault: ${late}`)).toBe(false);
    } finally {
      await picky.stop();
    }
  });

  test("scripted bodies: signature invalid, tool schema, tool result mismatch as 503, capacity 500 with Retry-After", async () => {
    sim.enqueue(thinkingSignatureInvalid(), toolSchemaCombinator(), toolResultMismatch(), modelUnavailable(5));
    const first = await ask();
    expect([first.status, await first.json()]).toEqual([400, { message: "messages.1.content.0: Invalid `signature` in `thinking` block", reason: "THINKING_SIGNATURE_INVALID" }]);
    const second = await ask();
    expect([second.status, await second.json()]).toEqual([
      400,
      { __type: "ValidationException", message: "input_schema does not support oneOf, allOf, or anyOf at the top level", reason: "TOOL_SCHEMA_INVALID" },
    ]);
    const third = await ask();
    expect(third.status).toBe(503);
    expect(((await third.json()) as any).reason).toBe("TOOL_USE_RESULT_MISMATCH");
    const fourth = await ask();
    expect([fourth.status, fourth.headers.get("retry-after")]).toEqual([500, "5"]);
    await fourth.arrayBuffer();
  });
});

/**
 * Under pressure, with a client that never retries (issue 12): a non-streaming answer moves to another account
 * whatever breaks before it is complete; a transient failure is retried on an account already tried (at most 9
 * attempts); a stream keeps its rule (failover before the first byte, an error event after it).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { encodeStep } from "../simulator/playback";
import { events, exception, improperlyFormed, internal, pause, reset, type StreamStep, tail, textEvent } from "../simulator/replies";
import { post, startGateway, type Gateway } from "./harness";

const hello = { model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "hello" }] };
const echo = "Hello from the Kiro simulator. You said: hello";
const two = [
  { name: "a", authMethod: "social" as const },
  { name: "b", authMethod: "social" as const },
];
const chats = (g: Gateway) => g.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse"));
const textOf = (res: { json: Record<string, any> }) => res.json.content?.map((b: { text?: string }) => b.text).join("");

/** A reply whose connection drops inside its second frame, after the first reached the gateway. */
function cutInSecondFrame(steps: StreamStep[]) {
  const first = encodeStep(steps[0] as Exclude<StreamStep, { type: "pause" }>).length;
  return events(steps, { cutAfterBytes: first + 5 });
}

let g: Gateway;
afterEach(() => g.stop());

describe("a non-streaming answer moves until it is complete", () => {
  const broken: Array<[string, () => ReturnType<typeof events>, Record<string, unknown>]> = [
    ["the reply is cut mid-frame", () => cutInSecondFrame([textEvent("Half an ans"), textEvent("wer that never ends"), ...tail()]), {}],
    ["Kiro's exception arrives mid-reply", () => events([textEvent("Half an answer"), exception("InternalServerException", "Encountered an unexpected error")]), {}],
    ["the reply stalls past the idle limit", () => events([textEvent("Half an answer"), pause(3_000), textEvent(" too late"), ...tail()]), { streamIdleTimeoutSecs: 0.3 }],
  ];

  test.each(broken)("%s: the client gets the whole answer from another account", async (_, reply, config) => {
    g = await startGateway({ accounts: two, config, simulator: { chunking: "whole" } });
    g.sim.enqueueFor("a", reply());
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    expect(textOf(res)).toBe(echo);
    expect(res.json.stop_reason).toBe("end_turn");
    expect(chats(g).map((r) => r.account)).toEqual(["a", "b"]);
    expect(g.services.pool.get("a")!.counters.failures).toBe(1);
  });

  test.each(broken)("%s while streaming: the stream keeps its rule, an error event after the data", async (_, reply, config) => {
    g = await startGateway({ accounts: two, config, simulator: { chunking: "whole" } });
    g.sim.enqueueFor("a", reply());
    const res = await post(g, "/v1/messages", { ...hello, stream: true });
    expect(res.status).toBe(200);
    expect(res.text).toContain('"text":"Half an ans');
    expect(res.text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"(overloaded_error|api_error)"/);
    expect(res.text).not.toContain("message_stop");
    expect(chats(g).map((r) => r.account)).toEqual(["a"]);
  });
});

describe("a transient failure is retried on an account already tried", () => {
  test("one account failing twice with 5xx, then serving: the client gets its answer", async () => {
    g = await startGateway({ accounts: [{ name: "solo", authMethod: "social" }] });
    g.sim.enqueue(internal(), reset());
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    expect(textOf(res)).toBe(echo);
    expect(chats(g)).toHaveLength(3);
  });

  test("a non-streaming reply cut on every account once: the next round answers", async () => {
    g = await startGateway({ accounts: two, simulator: { chunking: "whole" } });
    const cut = () => cutInSecondFrame([textEvent("Half an ans"), textEvent("wer that never ends"), ...tail()]);
    g.sim.enqueue(cut(), cut());
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    expect(textOf(res)).toBe(echo);
    expect(chats(g).map((r) => r.account)).toEqual(["a", "b", "a"]);
  });

  test("Kiro failing every time: 9 attempts at most, then 529", async () => {
    g = await startGateway({ accounts: [...two, { name: "c", authMethod: "idc" }], config: { maxFailures: 100 } });
    g.sim.setDefaultReply(internal());
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(529);
    expect(res.json.error.type).toBe("overloaded_error");
    expect(chats(g)).toHaveLength(9);
  });

  test("a request-shape error (400) is never retried", async () => {
    g = await startGateway({ accounts: two });
    g.sim.enqueue(improperlyFormed("INVALID_INPUT"));
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(400);
    expect(chats(g)).toHaveLength(1);
  });
});

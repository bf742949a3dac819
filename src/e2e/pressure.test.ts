/**
 * Under pressure, with a client that never retries (issue 12): a non-streaming answer moves to another account
 * whatever breaks before it is complete; a transient failure is retried on an account already tried (at most 9
 * attempts); a stream keeps its rule (failover before the first byte, an error event after it); a request waits
 * for the first account back instead of being refused (queueWaitSecs, maxQueued); and a reply begins within
 * firstByteTimeoutSecs, or the client hears why not.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { GatewayError } from "../errors";
import { KiroSimulator } from "../simulator/simulator";
import { encodeStep } from "../simulator/playback";
import { events, exception, improperlyFormed, internal, pause, reset, type StreamStep, tail, textEvent, throttled } from "../simulator/replies";
import { send, spawnGateway } from "./drive";
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

let g: Gateway | undefined;
afterEach(async () => {
  await g?.stop();
  g = undefined;
});

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

describe("time to the first byte is bounded (firstByteTimeoutSecs)", () => {
  test.each([false, true])("no reply begins in time (stream: %p): 504 timeout_error naming the setting", async (stream) => {
    g = await startGateway({ accounts: two, config: { firstByteTimeoutSecs: 0.5 } });
    g.sim.setDefaultReply(events([textEvent("late"), ...tail()], { stallBeforeMs: 5_000 }));
    const res = await post(g, "/v1/messages", { ...hello, stream });
    expect(res.status).toBe(504);
    expect(res.json.error.type).toBe("timeout_error");
    expect(res.json.error.message).toContain("within 0.5 s (firstByteTimeoutSecs)");
  });

  test("a non-streaming reply that has begun is not cut by it", async () => {
    g = await startGateway({ accounts: two, config: { firstByteTimeoutSecs: 0.3 }, simulator: { chunking: "whole" } });
    g.sim.enqueue(events([textEvent("slow "), pause(800), textEvent("but whole"), ...tail()]));
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    expect(textOf(res)).toBe("slow but whole");
  });
});

describe("a request waits for the first account back (queueWaitSecs)", () => {
  /** Polls the pool until `count` requests wait (no timing assumed: the requests are in flight). */
  const untilWaiting = async (count: number) => {
    while (g!.services.pool.waiting.count !== count) await Bun.sleep(10);
  };

  test.each([false, true])("every account throttled for a moment (stream: %p): the request waits and is answered", async (stream) => {
    g = await startGateway({ accounts: two });
    g.sim.enqueue(throttled(1), throttled(2));
    const res = await post(g, "/v1/messages", { ...hello, stream });
    expect(res.status).toBe(200);
    expect(stream ? res.text : textOf(res)).toContain(stream ? "message_stop" : echo);
    expect(chats(g).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  test("queueWaitSecs 0: refused at once with 429 and Retry-After, as before", async () => {
    g = await startGateway({ accounts: two, config: { queueWaitSecs: 0 } });
    g.sim.enqueue(throttled(1), throttled(2));
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  test("no account back within queueWaitSecs: 429 at once, naming when the first recovers", async () => {
    g = await startGateway({ accounts: two, config: { queueWaitSecs: 5 } });
    g.sim.enqueue(throttled(20), throttled(25));
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(429);
    expect(res.json.error.type).toBe("rate_limit_error");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(10);
  });

  test("beyond maxQueued: 429 with Retry-After at once, while those waiting are answered; the pool counts them", async () => {
    g = await startGateway({ accounts: [{ name: "solo", authMethod: "social" }], config: { maxQueued: 1 } });
    g.services.pool.get("solo")!.throttle("test", 2);
    const first = post(g, "/v1/messages", hello);
    await untilWaiting(1);
    const second = await post(g, "/v1/messages", hello);
    expect(second.status).toBe(429);
    expect(second.json.error.message).toContain("1 requests already wait for one (maxQueued)");
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await first).status).toBe(200);
    expect(g.services.pool.waiting.count).toBe(0);
  });

  test("a client that disconnects leaves the line", async () => {
    g = await startGateway({ accounts: [{ name: "solo", authMethod: "social" }] });
    g.services.pool.get("solo")!.throttle("test", 20);
    const client = new AbortController();
    const leaving = fetch(`${g.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": g.apiKey },
      body: JSON.stringify(hello),
      signal: client.signal,
    }).catch(() => "left");
    await untilWaiting(1);
    client.abort();
    expect(await leaving).toBe("left");
    await untilWaiting(0);
    expect(chats(g)).toHaveLength(0);
  });

  test("firstByteTimeoutSecs bounds the wait too: 504 before the account is back", async () => {
    g = await startGateway({ accounts: [{ name: "solo", authMethod: "social" }], config: { firstByteTimeoutSecs: 0.3 } });
    g.services.pool.get("solo")!.throttle("test", 20);
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(504);
    expect(g.services.pool.waiting.count).toBe(0);
  });

  test("shutdown answers the requests still waiting with 503", async () => {
    g = await startGateway({ accounts: [{ name: "solo", authMethod: "social" }] });
    g.services.pool.get("solo")!.throttle("test", 20);
    const waiting = post(g, "/v1/messages", hello);
    await untilWaiting(1);
    g.services.pool.stopWaiting(new GatewayError("unavailable", "kiro-ts is shutting down"));
    const res = await waiting;
    expect(res.status).toBe(503);
    expect(res.json.error.message).toBe("kiro-ts is shutting down");
    expect((await post(g, "/v1/messages", hello)).status).toBe(503);
  });
});

describe("the real process", () => {
  test("the pool status shows who waits and for how long; SIGTERM answers them with 503 at once", async () => {
    const sim = await KiroSimulator.start({ chunking: "whole" });
    const gw = await spawnGateway({ sim, accounts: [{ name: "solo", authMethod: "social" }] });
    try {
      sim.enqueue(throttled(20));
      const waiting = send(gw.url, { method: "POST", path: "/v1/messages", headers: { "content-type": "application/json", "x-api-key": gw.apiKey }, body: JSON.stringify(hello) }, 20_000);
      let status: { waiting_requests: number; longest_wait_secs: number };
      do {
        await Bun.sleep(20);
        const res = await fetch(`${gw.url}/admin/pool/status`, { headers: { "x-api-key": gw.adminKey } }).catch((e) => {
          throw new Error(`${e}\n${gw.lastLines().join("\n")}`);
        });
        status = ((await res.json()) as { data: typeof status }).data;
      } while (status.waiting_requests === 0);
      expect(status.waiting_requests).toBe(1);
      expect(status.longest_wait_secs).toBeGreaterThanOrEqual(0);
      process.kill(gw.pid, "SIGTERM");
      const outcome = await waiting;
      if (!("answer" in outcome)) throw new Error(`no answer: ${JSON.stringify(outcome)}\n${gw.lastLines().join("\n")}`);
      expect(outcome.answer.status).toBe(503);
      expect(outcome.answer.text).toContain("kiro-ts is shutting down");
    } finally {
      await gw.stop();
      await sim.stop();
    }
  }, 30_000);
});

import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  contentLengthExceeded,
  contextUsage,
  events,
  httpError,
  metering,
  pause,
  quotaExhausted,
  rawFrame,
  reasoning,
  text,
  thinkingText,
  throttled,
  toolUse,
  textEvent,
} from "./replies";
import { KiroSimulator, type SimAccount } from "./simulator";
import { readFrames } from "./wire-kit";

/** Reads a body chunk by chunk; a connection cut ends the read with `error` set. */
async function readChunks(res: Response): Promise<{ chunks: Uint8Array[]; bytes: Uint8Array; error?: unknown }> {
  const chunks: Uint8Array[] = [];
  let error: unknown;
  try {
    for await (const chunk of res.body!) chunks.push(chunk);
  } catch (e) {
    error = e;
  }
  return { chunks, bytes: new Uint8Array(Buffer.concat(chunks)), error };
}

/**
 * One HTTP/1.1 exchange over a raw socket, so a test sees each write of the simulator: Bun.serve sends every
 * chunk of a streamed body as its own chunked-encoding chunk, and fetch would merge them.
 */
async function rawExchange(
  sim: KiroSimulator,
  token: string,
  body: unknown,
): Promise<{ status: number; writes: Uint8Array[]; complete: boolean }> {
  const payload = JSON.stringify(body);
  const received: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Bun.connect({
      hostname: "127.0.0.1",
      port: Number(new URL(sim.url).port),
      socket: {
        open(socket) {
          socket.write(
            `POST /generateAssistantResponse HTTP/1.1\r\nHost: kiro\r\nAuthorization: Bearer ${token}\r\n` +
              `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
          );
        },
        data(_socket, data) {
          received.push(Buffer.from(data));
        },
        close: () => resolve(),
        error: (_socket, e) => reject(e),
      },
    }).catch(reject);
  });
  const all = Buffer.concat(received);
  const headEnd = all.indexOf("\r\n\r\n");
  const status = Number(all.subarray(0, headEnd).toString("latin1").split(" ")[1]);
  const writes: Uint8Array[] = [];
  let at = headEnd + 4;
  for (;;) {
    const lineEnd = all.indexOf("\r\n", at);
    if (lineEnd < 0) return { status, writes, complete: false };
    const size = parseInt(all.subarray(at, lineEnd).toString("latin1"), 16);
    if (size === 0) return { status, writes, complete: true };
    writes.push(new Uint8Array(all.subarray(lineEnd + 2, Math.min(lineEnd + 2 + size, all.length))));
    if (lineEnd + 2 + size > all.length) return { status, writes, complete: false };
    at = lineEnd + 2 + size + 2;
  }
}

// ---- requests -------------------------------------------------------------------------------------

function chatBody(content: string, extra: Record<string, unknown> = {}) {
  return {
    conversationState: {
      agentContinuationId: crypto.randomUUID(),
      agentTaskType: "vibe",
      chatTriggerType: "MANUAL",
      conversationId: crypto.randomUUID(),
      currentMessage: { userInputMessage: { content, modelId: "claude-sonnet-4.5", origin: "AI_EDITOR", userInputMessageContext: {} } },
    },
    ...extra,
  };
}

function chat(sim: KiroSimulator, token: string, body: unknown, opts: { prefix?: string; signal?: AbortSignal } = {}) {
  return fetch(`${sim.url}${opts.prefix ?? ""}/generateAssistantResponse`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: opts.signal,
  });
}

const tokenOf = (a: SimAccount) => a.issueAccessToken().accessToken;

async function answerText(res: Response): Promise<string> {
  const { frames } = readFrames((await readChunks(res)).bytes);
  return frames
    .filter((f) => f.headers[":event-type"] === "assistantResponseEvent")
    .map((f) => f.payload.content)
    .join("");
}

// ---- tests ----------------------------------------------------------------------------------------

describe("generateAssistantResponse", () => {
  let sim: KiroSimulator;
  let alice: SimAccount;
  let bob: SimAccount;
  let carol: SimAccount;

  beforeAll(async () => {
    sim = await KiroSimulator.start({ seed: 42, maxConversationBytes: 20_000 });
    alice = sim.addAccount({ name: "alice", authMethod: "social" });
    bob = sim.addAccount({ name: "bob", authMethod: "social" });
    carol = sim.addAccount({ name: "carol", authMethod: "idc" });
  });
  afterAll(() => sim.stop());
  afterEach(() => {
    sim.setFaults(null);
    sim.clearRequests();
    alice.currentUsage = 0;
  });

  test("the default reply echoes the user, then the tail: metadataEvent, contextUsageEvent, meteringEvent (2026 §4.1)", async () => {
    const res = await chat(sim, tokenOf(alice), chatBody("hello there", { profileArn: alice.profileArn }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
    const { bytes } = await readChunks(res);
    const { frames, leftover } = readFrames(bytes);
    expect(leftover).toBe(0);
    const types = frames.map((f) => f.headers[":event-type"]);
    expect(types.slice(-3)).toEqual(["metadataEvent", "contextUsageEvent", "meteringEvent"]);
    expect(frames.at(-3)!.payload).toEqual({ stopReason: "END_TURN" });
    expect(new Set(types.slice(0, -3))).toEqual(new Set(["assistantResponseEvent"]));
    const said = frames.slice(0, -3).map((f) => f.payload.content).join("");
    expect(said).toBe("Hello from the Kiro simulator. You said: hello there");
    expect(frames.at(-2)!.payload.contextUsagePercentage).toBeGreaterThan(0);
    expect(frames.at(-2)!.payload.contextUsagePercentage).toBeLessThan(100);
    expect(frames.every((f) => f.headers[":message-type"] === "event" && f.headers[":content-type"] === "application/json")).toBe(true);
  });

  test("a path prefix in the base URL works and the full path is recorded with the account", async () => {
    const res = await chat(sim, tokenOf(alice), chatBody("hi"), { prefix: "/q/us-east-1" });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(sim.requests.at(-1)).toMatchObject({
      method: "POST",
      path: "/q/us-east-1/generateAssistantResponse",
      account: "alice",
      status: 200,
    });
    expect((sim.requests.at(-1)!.body as any).conversationState.currentMessage.userInputMessage.content).toBe("hi");
  });

  describe("chunking", () => {
    /** Where each write ends, as body offsets. */
    const writeEnds = (writes: Uint8Array[]) => {
      let offset = 0;
      return writes.map((w) => (offset += w.length));
    };
    const long = () => text("split me ".repeat(200), { pieces: 12 });

    test("random chunking writes 1..128-byte pieces that split frames, and the frames still decode", async () => {
      sim.enqueue(long());
      const { status, writes, complete } = await rawExchange(sim, tokenOf(alice), chatBody("x"));
      expect(status).toBe(200);
      expect(complete).toBe(true);
      const { frames, leftover } = readFrames(new Uint8Array(Buffer.concat(writes)));
      expect(leftover).toBe(0);
      expect(frames).toHaveLength(15);
      expect(writes.every((w) => w.length >= 1 && w.length <= 128)).toBe(true);
      const frameEnds = new Set(frames.map((f) => f.end));
      expect(writeEnds(writes).filter((end) => !frameEnds.has(end)).length).toBeGreaterThan(frames.length);
    });

    test("a fixed chunk size writes exactly that many bytes at a time, across frame borders", async () => {
      const fixed = await KiroSimulator.start({ chunking: 7 });
      try {
        const a = fixed.addAccount({ name: "a", authMethod: "social" });
        fixed.enqueue(long());
        const { writes } = await rawExchange(fixed, tokenOf(a), chatBody("x"));
        expect(writes.slice(0, -1).every((w) => w.length === 7)).toBe(true);
        expect(writes.at(-1)!.length).toBeLessThanOrEqual(7);
        expect(readFrames(new Uint8Array(Buffer.concat(writes))).frames).toHaveLength(15);
      } finally {
        await fixed.stop();
      }
    });

    test('"whole" chunking writes one frame at a time', async () => {
      const whole = await KiroSimulator.start({ chunking: "whole" });
      try {
        const a = whole.addAccount({ name: "a", authMethod: "social" });
        whole.enqueue(long());
        const { writes } = await rawExchange(whole, tokenOf(a), chatBody("x"));
        const { frames } = readFrames(new Uint8Array(Buffer.concat(writes)));
        expect(writeEnds(writes)).toEqual(frames.map((f) => f.end));
      } finally {
        await whole.stop();
      }
    });

    test("fetch sees a random-chunked stream whole, with both CRCs of every frame valid", async () => {
      sim.enqueue(long());
      const { bytes, error } = await readChunks(await chat(sim, tokenOf(alice), chatBody("x")));
      expect(error).toBeUndefined();
      const { frames, leftover } = readFrames(bytes);
      expect(leftover).toBe(0);
      expect(frames.filter((f) => f.headers[":event-type"] === "assistantResponseEvent").map((f) => f.payload.content).join("")).toBe(
        "split me ".repeat(200),
      );
    });
  });

  describe("scripted replies", () => {
    test("enqueue is FIFO for any account, enqueueFor only for its account, then the default", async () => {
      sim.enqueue(text("one"), text("two"));
      sim.enqueueFor("bob", text("for bob"));
      expect(await answerText(await chat(sim, tokenOf(alice), chatBody("x")))).toBe("one");
      expect(await answerText(await chat(sim, tokenOf(bob), chatBody("x")))).toBe("for bob");
      expect(await answerText(await chat(sim, tokenOf(bob), chatBody("x")))).toBe("two");
      expect(await answerText(await chat(sim, tokenOf(alice), chatBody("x")))).toStartWith("Hello from the Kiro simulator.");
    });

    test("setDefaultReply replaces the echo, with a reply or a function of the request", async () => {
      sim.setDefaultReply(text("fixed"));
      expect(await answerText(await chat(sim, tokenOf(alice), chatBody("x")))).toBe("fixed");
      sim.setDefaultReply((req) => text(`saw ${(req.body as any).conversationState.currentMessage.userInputMessage.content}`));
      expect(await answerText(await chat(sim, tokenOf(alice), chatBody("marco")))).toBe("saw marco");
      sim.setDefaultReply((req) => text(`echo:${req.account}`));
      expect(await answerText(await chat(sim, tokenOf(bob), chatBody("x")))).toBe("echo:bob");
    });

    test("toolUse: input in pieces under one id, stop:true only on the last", async () => {
      sim.enqueue(toolUse({ name: "get_weather", input: { city: "Paris" }, id: "tooluse_1", pieces: 4 }, { text: "Let me check." }));
      const { frames } = readFrames((await readChunks(await chat(sim, tokenOf(alice), chatBody("weather?")))).bytes);
      const tools = frames.filter((f) => f.headers[":event-type"] === "toolUseEvent").map((f) => f.payload);
      expect(tools).toHaveLength(4);
      expect(tools.every((t) => t.toolUseId === "tooluse_1" && t.name === "get_weather")).toBe(true);
      expect(tools.map((t) => t.input).join("")).toBe('{"city":"Paris"}');
      expect(tools.map((t) => t.stop === true)).toEqual([false, false, false, true]);
      expect(frames[0]!.payload.content).toBe("Let me check.");
    });

    test("thinkingText starts with the inline thinking block", async () => {
      sim.enqueue(thinkingText("Let me think.", "42"));
      expect(await answerText(await chat(sim, tokenOf(alice), chatBody("?")))).toBe("<thinking>\nLet me think.</thinking>\n\n42");
    });

    test("reasoning, exception, raw frames and a mid-stream pause arrive as scripted", async () => {
      sim.enqueue(
        events([
          reasoning("hmm", "sig-1"),
          textEvent("partial"),
          pause(30),
          contentLengthExceeded(),
          rawFrame({ ":message-type": "event", ":event-type": "followupPromptEvent", ":content-type": "application/json" }, '{"followupPrompt":{"content":"more?"}}'),
          metering(0.5),
          contextUsage(100),
        ]),
      );
      const { frames } = readFrames((await readChunks(await chat(sim, tokenOf(alice), chatBody("x")))).bytes);
      expect(frames.map((f) => f.headers[":event-type"] ?? f.headers[":exception-type"])).toEqual([
        "reasoningContentEvent",
        "assistantResponseEvent",
        "ContentLengthExceededException",
        "followupPromptEvent",
        "meteringEvent",
        "contextUsageEvent",
      ]);
      expect(frames[0]!.payload).toEqual({ text: "hmm", signature: "sig-1" });
      expect(frames[2]!.headers[":message-type"]).toBe("exception");
      expect(frames[2]!.payload).toEqual({ message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" });
      expect(frames[4]!.payload).toEqual({ usage: 0.5, unit: "credit", unitPlural: "credits" });
    });

    test("a cut stream ends mid-frame: the bytes up to the cut, then the connection drops", async () => {
      const reply = text("abcdefghij", { pieces: 3 });
      sim.enqueue(reply);
      const full = readFrames(new Uint8Array(Buffer.concat((await rawExchange(sim, tokenOf(alice), chatBody("x"))).writes))).frames;
      expect(full.length).toBeGreaterThan(2);
      const cutAt = full[1]!.end + 10;

      sim.enqueue({ ...reply, cutAfterBytes: cutAt });
      const raw = await rawExchange(sim, tokenOf(alice), chatBody("x"));
      expect(raw.status).toBe(200);
      expect(raw.complete).toBe(false);
      const bytes = new Uint8Array(Buffer.concat(raw.writes));
      expect(bytes.length).toBe(cutAt);
      const { frames, leftover } = readFrames(bytes);
      expect(frames).toHaveLength(2);
      expect(leftover).toBe(10);

      sim.enqueue({ ...reply, cutAfterBytes: cutAt });
      const res = await chat(sim, tokenOf(alice), chatBody("x"));
      expect(res.status).toBe(200);
      const { error } = await readChunks(res);
      expect(error).toBeDefined();
    });

    test("a reset closes the connection before any status line", async () => {
      sim.enqueue({ kind: "reset" });
      await expect(chat(sim, tokenOf(alice), chatBody("x"))).rejects.toThrow();
      expect(sim.requests.at(-1)!.status).toBe(0);
    });

    test("HTTP error replies keep their status, body and headers", async () => {
      sim.enqueue(throttled(7), httpError(503, "upstream gone", { "x-extra": "1" }));
      const res = await chat(sim, tokenOf(alice), chatBody("x"));
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("7");
      expect(await res.json()).toEqual({ message: "Too many requests, please wait before trying again.", reason: null });
      const second = await chat(sim, tokenOf(alice), chatBody("x"));
      expect(second.status).toBe(503);
      expect(second.headers.get("x-extra")).toBe("1");
      expect(await second.text()).toBe("upstream gone");
    });

    test("a client that stops reading a stalled stream is recorded as gone", async () => {
      sim.enqueue(events([textEvent("first"), pause(60_000), textEvent("never")]));
      const abort = new AbortController();
      const res = await chat(sim, tokenOf(alice), chatBody("x"), { signal: abort.signal });
      const reader = res.body!.getReader();
      await reader.read();
      abort.abort();
      const recorded = sim.requests.at(-1)!;
      for (let i = 0; i < 200 && !recorded.clientAborted; i++) await Bun.sleep(5);
      expect(recorded.clientAborted).toBe(true);
    });
  });

  describe("refusals, as Kiro words them", () => {
    const invalidBearer = { message: "The bearer token included in the request is invalid.", reason: null };

    test("unknown, missing and expired bearer tokens get 403", async () => {
      expect(await (await chat(sim, "not-a-token", chatBody("x"))).json()).toEqual(invalidBearer);
      const missing = await fetch(`${sim.url}/generateAssistantResponse`, { method: "POST", body: JSON.stringify(chatBody("x")) });
      expect(missing.status).toBe(403);
      await missing.arrayBuffer();
      const dave = sim.addAccount({ name: "dave", authMethod: "social" });
      const token = tokenOf(dave);
      dave.expireAccessTokens();
      const res = await chat(sim, token, chatBody("x"));
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual(invalidBearer);
      expect(sim.requests.at(-1)!.account).toBe("dave");
      const shortLived = dave.issueAccessToken(-1).accessToken;
      expect((await chat(sim, shortLived, chatBody("x"))).status).toBe(403);
    });

    test("profileArn: a social account may send only its own; an IdC account none (KRS #161)", async () => {
      const own = await chat(sim, tokenOf(alice), chatBody("x", { profileArn: alice.profileArn }));
      expect(own.status).toBe(200);
      await own.arrayBuffer();
      const other = await chat(sim, tokenOf(alice), chatBody("x", { profileArn: bob.profileArn }));
      expect(other.status).toBe(403);
      expect(await other.json()).toEqual(invalidBearer);
      const idcWithArn = await chat(sim, tokenOf(carol), chatBody("x", { profileArn: alice.profileArn }));
      expect(idcWithArn.status).toBe(403);
      await idcWithArn.arrayBuffer();
      const idcPlain = await chat(sim, tokenOf(carol), chatBody("x"));
      expect(idcPlain.status).toBe(200);
      await idcPlain.arrayBuffer();
    });

    test("a broken rule gets 400 Improperly formed request with the rule's reason", async () => {
      const body = chatBody("x");
      (body.conversationState as any).history = [
        { userInputMessage: { content: "run", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } },
        { assistantResponseMessage: { content: " ", toolUses: [{ toolUseId: "t1", name: "bash", input: {} }] } },
      ];
      const res = await chat(sim, tokenOf(alice), body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: "Improperly formed request.", reason: "TOOL_CONFIG_MISSING" });
      expect(sim.requests.at(-1)!.rejectedBy).toStartWith("history-tools-need-config");
      const notJson = await chat(sim, tokenOf(alice), "{oops");
      expect(await notJson.json()).toEqual({ message: "Improperly formed request.", reason: "REQUEST_BODY_INVALID_JSON" });
    });

    test("a body over the size threshold gets 400 Input is too long", async () => {
      const res = await chat(sim, tokenOf(alice), chatBody("x".repeat(25_000)));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: "Input is too long.", reason: "CONTENT_LENGTH_EXCEEDS_THRESHOLD" });
    });

    test("each answered call counts one unit of usage; at the limit the answer is 402", async () => {
      const erin = sim.addAccount({ name: "erin", authMethod: "social", usageLimit: 2, currentUsage: 0 });
      const token = tokenOf(erin);
      for (let i = 0; i < 2; i++) {
        const res = await chat(sim, token, chatBody("x"));
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      expect(erin.currentUsage).toBe(2);
      const res = await chat(sim, token, chatBody("x"));
      expect(res.status).toBe(402);
      expect(await res.json()).toEqual(quotaExhausted().body as object);
      expect(erin.currentUsage).toBe(2);
    });

    test("unknown paths and methods get 404", async () => {
      expect((await fetch(`${sim.url}/nothing`)).status).toBe(404);
      expect((await fetch(`${sim.url}/generateAssistantResponse`)).status).toBe(404);
    });
  });

  describe("fault injection", () => {
    test("faults replace about the configured share of replies, and queued replies wait", async () => {
      sim.setFaults({ rate: 0.25, kinds: ["429", "500", "403"] });
      const token = tokenOf(alice);
      alice.usageLimit = 1_000;
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) {
        const res = await chat(sim, token, chatBody("x"));
        statuses.push(res.status);
        await res.arrayBuffer();
      }
      const faults = statuses.filter((s) => s !== 200).length;
      expect(faults).toBeGreaterThan(25);
      expect(faults).toBeLessThan(80);
      expect(new Set(statuses)).toEqual(new Set([200, 429, 500, 403]));
      expect(alice.currentUsage).toBe(200 - faults);
      // A 403 fault invalidates nothing: the same token keeps working.
      sim.setFaults(null);
      expect((await chat(sim, token, chatBody("x"))).status).toBe(200);
    });

    test("every kind shows up and behaves as its name says", async () => {
      sim.setFaults({ rate: 1, stallMs: 100 });
      alice.usageLimit = 1_000;
      const seen = new Map<string, string>();
      for (let i = 0; i < 80 && seen.size < 7; i++) {
        let outcome: string;
        try {
          const sent = performance.now();
          const res = await chat(sim, tokenOf(alice), chatBody("x"));
          // The status line itself waits out a silence (100 ms); a stall comes after it.
          const late = performance.now() - sent >= 100 ? ", late" : "";
          const { bytes, error } = await readChunks(res);
          outcome = res.status !== 200 ? String(res.status) : error ? "body error" : readFrames(bytes).leftover === 0 ? `complete${late}` : "partial";
        } catch {
          outcome = "no response";
        }
        seen.set(sim.requests.at(-1)!.rejectedBy!, outcome);
      }
      expect(Object.fromEntries(seen)).toEqual({
        "fault: 429": "429",
        "fault: 500": "500",
        "fault: 403": "403",
        "fault: reset": "no response",
        "fault: cut": "body error",
        "fault: stall": "complete",
        "fault: silent": "complete, late",
      });
    });
  });
});

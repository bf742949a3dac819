import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ReasoningSigner, signedReasoning } from "./reasoning";
import { events, KiroSimulator, LATE_2026_MODEL_IDS, type SimAccount, tail, textEvents } from "./simulator";
import { chatBody, eventsOf, restChat, tokenOf } from "./wire-kit";

let sim: KiroSimulator;
let alice: SimAccount;

beforeAll(async () => {
  sim = await KiroSimulator.start({ chunking: "random", models: LATE_2026_MODEL_IDS });
  alice = sim.addAccount({ name: "alice", authMethod: "social", usageLimit: 1e9 });
});
afterAll(() => sim.stop());

const ask = async (modelId: string, fields?: unknown, history?: unknown[]) => {
  const res = await restChat(sim.url, tokenOf(alice), chatBody("hi", { modelId, history, extra: fields === undefined ? {} : { additionalModelRequestFields: fields } }));
  return res.status === 200 ? { status: 200, events: await eventsOf(res) } : { status: res.status, body: await res.json() };
};
const kinds = (events: Array<[string, any]>) =>
  events.map(([type, p]) =>
    type === "reasoningContentEvent" ? (p.redactedContent ? "redacted" : p.signature ? "signature" : "reasoning-text") : type === "assistantResponseEvent" ? "text" : type,
  );
const squash = (list: string[]) => list.filter((k, i) => k !== list[i - 1]);

describe("native reasoning frames per family (2026 §3.1)", () => {
  test("opus-5 thinks by default: two text frames, one signature, then the answer and the tail", async () => {
    const { events } = await ask("claude-opus-5");
    const list = kinds(events!);
    expect(list.slice(0, 3)).toEqual(["reasoning-text", "reasoning-text", "signature"]);
    expect(squash(list.slice(3))).toEqual(["text", "metadataEvent", "contextUsageEvent", "meteringEvent"]);
    const thought = events!.slice(0, 2).map(([, p]) => p.text).join("");
    expect(thought.length).toBeGreaterThan(0);
    expect(events![2]![1]).toEqual({ signature: expect.stringMatching(/^EsYFC[A-Za-z0-9+/]+=*$/) });
    expect(squash(kinds((await ask("claude-opus-5", { thinking: { type: "disabled" } })).events!))[0]).toBe("text");
  });

  test("display omitted: a signature-only frame; sonnet-5: signatures only", async () => {
    expect(kinds((await ask("claude-opus-5", { thinking: { type: "adaptive", display: "omitted" } })).events!)[0]).toBe("signature");
    expect(kinds((await ask("claude-sonnet-5", { thinking: { type: "adaptive" } })).events!)[0]).toBe("signature");
  });

  test("sonnet-4.6 and opus-4.8 reason only when asked; opus-4.6 never; older models never", async () => {
    expect(kinds((await ask("claude-sonnet-4.6")).events!)[0]).toBe("text");
    expect(kinds((await ask("claude-sonnet-4.6", { thinking: { type: "adaptive" } })).events!)[0]).toBe("reasoning-text");
    expect(kinds((await ask("claude-opus-4.8", { thinking: { type: "adaptive" } })).events!)[0]).toBe("reasoning-text");
    expect(kinds((await ask("claude-opus-4.6", { thinking: { type: "adaptive" } })).events!)).not.toContain("reasoning-text");
    expect(kinds((await ask("claude-sonnet-4.5")).events!)).not.toContain("signature");
  });

  test("gpt-5.6 sends its redacted blob after the text, before the tail, unless effort is none", async () => {
    const list = squash(kinds((await ask("gpt-5.6-sol", { reasoning: { effort: "high" } })).events!));
    expect(list).toEqual(["text", "redacted", "metadataEvent", "contextUsageEvent", "meteringEvent"]);
    expect(squash(kinds((await ask("gpt-5.6-sol", { reasoning: { effort: "none" } })).events!))[1]).toBe("metadataEvent");
  });

  test("signedReasoning splits a signature over frames to be joined in order", () => {
    const steps = signedReasoning("ab", "SIGNATURE", { textPieces: 1, signaturePieces: 3 });
    expect(steps).toEqual([
      { type: "reasoning", text: "ab" },
      { type: "reasoning", signature: "SIG" },
      { type: "reasoning", signature: "NAT" },
      { type: "reasoning", signature: "URE" },
    ]);
  });
});

describe("reasoning replayed in the history (2026 §3.2)", () => {
  const turn = (reasoningContent: unknown) => [
    { userInputMessage: { content: "first", modelId: "claude-opus-5", origin: "AI_EDITOR" } },
    { assistantResponseMessage: { content: "It is 18°C.", ...(reasoningContent === undefined ? {} : { reasoningContent }) } },
  ];

  test("a block replayed exactly as Kiro streamed it is accepted", async () => {
    const first = await ask("claude-opus-5");
    const text = first.events!.filter(([t, p]) => t === "reasoningContentEvent" && p.text).map(([, p]) => p.text).join("");
    const signature = first.events!.find(([, p]) => p?.signature)![1].signature;
    expect((await ask("claude-opus-5", undefined, turn({ reasoningText: { text, signature } }))).status).toBe(200);
    expect((await ask("claude-opus-5", undefined, turn({ reasoningText: { text: `${text} (edited)`, signature } }))).body).toEqual({
      message: "messages.1.content.0: Invalid `signature` in `thinking` block",
      reason: "THINKING_SIGNATURE_INVALID",
    });
  });

  test("a signature of another simulator, or none, is THINKING_SIGNATURE_INVALID", async () => {
    const foreign = new ReasoningSigner().sign("x");
    expect(await ask("claude-opus-5", undefined, turn({ reasoningText: { text: "x", signature: foreign } }))).toEqual({
      status: 400,
      body: { message: "messages.1.content.0: Invalid `signature` in `thinking` block", reason: "THINKING_SIGNATURE_INVALID" },
    });
    expect(await ask("claude-opus-5", undefined, turn({ reasoningText: { text: "x" } }))).toEqual({
      status: 400,
      body: { message: "messages.1.content.0.thinking.signature: Field required", reason: "THINKING_SIGNATURE_INVALID" },
    });
    expect(sim.requests.at(-1)!.rejectedBy).toStartWith("reasoning: ");
  });

  test("the flat form is REQUEST_BODY_INVALID; redacted blobs must be Kiro's own", async () => {
    const malformed = { status: 400, body: { message: "Improperly formed request.", reason: "REQUEST_BODY_INVALID" } };
    expect(await ask("claude-opus-5", undefined, turn("Need the tool."))).toEqual(malformed);
    const flat = turn(undefined);
    (flat[1] as any).assistantResponseMessage.reasoningSignature = "EsYF";
    expect(await ask("claude-opus-5", undefined, flat)).toEqual(malformed);
    expect((await ask("gpt-5.6-sol", undefined, turn({ redactedContent: sim.redactedReasoningBlob() }))).status).toBe(200);
    expect((await ask("gpt-5.6-sol", undefined, turn({ redactedContent: "LktUUn5+ZW5j" }))).status).toBe(400);
  });

  test("scripted frames can carry signatures the simulator will accept back", async () => {
    const signature = sim.signReasoning("plan");
    sim.enqueue(events([...signedReasoning("plan", signature), ...textEvents("done"), ...tail()]));
    const res = await ask("claude-opus-5");
    expect(res.events!.find(([, p]) => p?.signature)![1].signature).toBe(signature);
    expect((await ask("claude-opus-5", undefined, turn({ reasoningText: { text: "plan", signature } }))).status).toBe(200);
  });

  test("checkReasoningSignatures: false accepts any signature", async () => {
    const lax = await KiroSimulator.start({ checkReasoningSignatures: false, models: LATE_2026_MODEL_IDS });
    try {
      const a = lax.addAccount({ name: "a", authMethod: "social" });
      const body = chatBody("hi", { history: turn({ reasoningText: { text: "x", signature: "sig-1" } }) });
      const res = await restChat(lax.url, tokenOf(a), body);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    } finally {
      await lax.stop();
    }
  });
});

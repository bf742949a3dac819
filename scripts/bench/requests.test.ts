import { expect, test } from "bun:test";
import { validateRequest } from "../../src/simulator/validate";
import { convertRequest } from "../../src/anthropic/convert";
import { chatToMessages } from "../../src/openai/chat-request";
import { responsesToMessages } from "../../src/openai/responses-request";
import { CollectionPacer } from "../../src/http/body";
import { asChatCompletion, asResponses, claudeCode, hello, kiroHeaders, pair, slicePerCollection } from "./requests";

const account = { accessToken: "aoa-test-token", profileArn: "arn:aws:codewhisperer:us-east-1:123456789012:profile/ABCDEFGHIJKL" };

test("the Claude-Code-sized request has the size and shape asked for", () => {
  const req = claudeCode({ bytes: 1_000_000, tools: 20, history: 200 });
  const body = JSON.stringify(req);
  expect(body.length).toBeGreaterThan(950_000);
  expect(body.length).toBeLessThan(1_100_000);
  expect(req.tools).toHaveLength(20);
  expect(req.messages).toHaveLength(201);
  expect(req.messages.at(-1)?.role).toBe("user");
  // Same bytes every run, so runs compare.
  expect(JSON.stringify(claudeCode({ bytes: 1_000_000, tools: 20, history: 200 }))).toBe(body);
});

test("its Kiro equivalent is a request real Kiro's rules accept, with the account's profileArn", () => {
  const p = pair(claudeCode({ bytes: 1_000_000, tools: 20, history: 200 }), account);
  const kiro = JSON.parse(p.kiro);
  expect(validateRequest(kiro)).toBeNull();
  expect(kiro.profileArn).toBe(account.profileArn);
  expect(kiro.conversationState.history.length).toBeGreaterThanOrEqual(200);
  expect(kiro.conversationState.currentMessage.userInputMessage.userInputMessageContext.tools).toHaveLength(20);
});

test("a hello carries the text it is given, and the direct call the account's bearer token", () => {
  const p = pair(hello({ stream: true, text: "[sim] hold 10" }), account);
  expect(JSON.parse(p.anthropic)).toMatchObject({ stream: true, messages: [{ role: "user", content: "[sim] hold 10" }] });
  expect(JSON.parse(p.kiro).conversationState.currentMessage.userInputMessage.content).toBe("[sim] hold 10");
  expect(kiroHeaders(account).authorization).toBe("Bearer aoa-test-token");
});

test("as Chat Completions and as a Responses request, the same request reaches Kiro as the same conversation", () => {
  const req = claudeCode({ bytes: 1_000_000, tools: 20, history: 200 });
  const kiro = (r: Parameters<typeof convertRequest>[0]) => {
    const { conversationState } = convertRequest(r, { conversationId: "same" });
    return { ...conversationState, agentContinuationId: "same" };
  };
  expect(kiro(chatToMessages(JSON.parse(asChatCompletion(req))).request)).toEqual(kiro(req));
  expect(kiro(responsesToMessages(JSON.parse(asResponses(req))).request)).toEqual(kiro(req));
  // The session too: each front's request keeps to the conversation Claude Code's session id names.
  const conversation = (r: Parameters<typeof convertRequest>[0]) => convertRequest(r).conversationState.conversationId;
  expect(conversation(req)).toBe(conversation(chatToMessages(JSON.parse(asChatCompletion(req))).request));
  expect(conversation(req)).toBe(conversation(responsesToMessages(JSON.parse(asResponses(req))).request));
  expect(JSON.parse(asResponses(req)).prompt_cache_key).toBe("0b1e2f3a-4c5d-4e6f-8a9b-0c1d2e3f4a5b");
});

test("a slice of large requests carries one of the gateway's paced collections, wherever the pacer stands when it starts", () => {
  const body = Buffer.byteLength(pair(claudeCode({ bytes: 1_000_000, tools: 20, history: 200 }), account).anthropic);
  /** Collections in each of `slices` slices of `perSlice` bodies, the pacer first advanced by `phase` bodies. */
  const collections = (perSlice: number, phase: number, slices: number) => {
    let collected = 0;
    const pacer = new CollectionPacer(undefined, () => collected++);
    for (let i = 0; i < phase; i++) pacer.read(body);
    const counts: number[] = [];
    for (let s = 0; s < slices; s++) {
      const before = collected;
      for (let i = 0; i < perSlice; i++) pacer.read(body);
      counts.push(collected - before);
    }
    return counts;
  };
  const perSlice = slicePerCollection(body);
  for (const phase of [0, 1, 17, 40, 65]) {
    const counts = collections(perSlice, phase, 24);
    expect(counts.filter((c) => c !== 1)).toEqual([]);
  }
  // The slices of 20 the bench took before: most carried none, some one.
  const before = collections(20, 0, 24);
  expect(new Set(before)).toEqual(new Set([0, 1]));
});

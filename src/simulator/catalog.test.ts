import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { catalogEntry, modelFacts } from "./catalog";
import { KiroSimulator, LATE_2026_MODEL_IDS, type SimAccount } from "./simulator";
import { chatBody, restChat, tokenOf } from "./wire-kit";

let sim: KiroSimulator;
let alice: SimAccount;

beforeAll(async () => {
  sim = await KiroSimulator.start({ chunking: "whole", models: LATE_2026_MODEL_IDS });
  alice = sim.addAccount({ name: "alice", authMethod: "social", usageLimit: 1e9 });
});
afterAll(() => sim.stop());

describe("the catalog of October 2026 (2026 §2, §7)", () => {
  test("claude-sonnet-5.5 is listed as MARR's live capture shows it", () => {
    expect(catalogEntry("claude-sonnet-5.5")).toMatchObject({
      modelId: "claude-sonnet-5.5",
      rateMultiplier: 1.3,
      rateUnit: "Credit",
      refusalFallbackModels: [{ modelId: "claude-sonnet-5" }],
      supportedInputTypes: ["TEXT", "IMAGE"],
      promptCaching: { supportsPromptCaching: true },
      tokenLimits: { maxInputTokens: 1_000_000, maxOutputTokens: 128_000 },
      additionalModelRequestFieldsSchema: {
        type: "object",
        additionalProperties: false,
        properties: {
          thinking: {
            type: "object",
            additionalProperties: false,
            required: ["type"],
            properties: { type: { type: "string", enum: ["adaptive", "between_tools"] }, display: { type: "string", enum: ["summarized", "omitted"] } },
          },
          output_config: { type: "object", properties: { effort: { type: "string", enum: ["low", "medium", "high", "xhigh", "max"], default: "high" } } },
          max_tokens: { type: "integer", minimum: 1024, maximum: 128000 },
        },
      },
    });
  });

  test("opus-5 differs in its thinking types, rate and fallback; haiku, sonnet-4.5 and the open models have no schema", () => {
    const opus5 = catalogEntry("claude-opus-5") as any;
    expect(opus5.additionalModelRequestFieldsSchema.properties.thinking.properties.type.enum).toEqual(["adaptive", "disabled"]);
    expect(opus5).toMatchObject({ rateMultiplier: 2.2, refusalFallbackModels: [{ modelId: "claude-opus-4.8" }] });
    for (const id of ["claude-haiku-4.5", "claude-sonnet-4.5", "claude-opus-4.5", "glm-5", "deepseek-3.2", "auto"]) {
      expect(catalogEntry(id)).not.toHaveProperty("additionalModelRequestFieldsSchema");
    }
    expect(catalogEntry("glm-5")).toMatchObject({ promptCaching: { supportsPromptCaching: false }, rateMultiplier: 0.5 });
  });

  test("GPT-5.6 takes only reasoning.effort; its window is 1M unless the simulator is of an account not rolled out", () => {
    expect((catalogEntry("gpt-5.6-sol") as any).additionalModelRequestFieldsSchema.properties.reasoning.properties.effort.enum).toEqual([
      "none", "low", "medium", "high", "xhigh", "max",
    ]);
    expect(modelFacts("gpt-5.6-sol")).toMatchObject({ contextWindow: 1_000_000, rateMultiplier: 4.4, reasoning: "redacted" });
    expect(modelFacts("gpt-5.6-luna", { gptContextWindow: 272_000 })).toMatchObject({ contextWindow: 272_000, rateMultiplier: 0.6 });
  });

  test("every §7 model is in LATE_2026_MODEL_IDS; the -1m SKUs are known but listed only when given", () => {
    for (const id of ["claude-opus-5", "claude-sonnet-5", "claude-opus-4.8", "gpt-5.6-sol", "gpt-5.6-terra", "gpt-5.6-luna", "claude-fable-5", "claude-fable-5.1", "claude-opus-5.5"]) {
      expect(LATE_2026_MODEL_IDS).toContain(id);
    }
    expect(LATE_2026_MODEL_IDS).not.toContain("claude-sonnet-4.5-1m");
    expect(modelFacts("claude-sonnet-4.5-1m").contextWindow).toBe(1_000_000);
    expect(modelFacts("claude-sonnet-4.5").contextWindow).toBe(200_000);
  });
});

describe("additionalModelRequestFields judged by the model's schema", () => {
  const ask = async (modelId: string, fields: unknown) => {
    const res = await restChat(sim.url, tokenOf(alice), chatBody("hi", { modelId, extra: { additionalModelRequestFields: fields } }));
    return { status: res.status, body: res.status === 200 ? (await res.arrayBuffer(), null) : await res.json() };
  };
  const notSupported = { message: "additionalModelRequestFields is not supported for this model", reason: "REQUEST_BODY_INVALID" };
  const invalid = { message: "Invalid additionalModelRequestFields", reason: "REQUEST_BODY_INVALID" };

  test("what the schema allows is served (conformance cases 6, 7, 9)", async () => {
    expect((await ask("claude-opus-5", { thinking: { type: "adaptive", display: "omitted" }, output_config: { effort: "xhigh" } })).status).toBe(200);
    expect((await ask("claude-sonnet-4.6", { output_config: { effort: "high" } })).status).toBe(200);
    expect((await ask("gpt-5.6-sol", { reasoning: { effort: "none" } })).status).toBe(200);
    expect((await ask("claude-opus-4.7", { thinking: { type: "adaptive" }, max_tokens: 64_000 })).status).toBe(200);
  });

  test("a model without a schema refuses the field outright (conformance case 8)", async () => {
    expect(await ask("claude-sonnet-4.5", { thinking: { type: "disabled" } })).toEqual({ status: 400, body: notSupported });
    expect(await ask("claude-haiku-4.5", {})).toEqual({ status: 400, body: notSupported });
    expect(sim.requests.at(-1)!.rejectedBy).toBe("model-fields: claude-haiku-4.5 has no additionalModelRequestFieldsSchema");
  });

  test("values off the enum or range, unknown members and a missing thinking.type are refused", async () => {
    expect(await ask("claude-sonnet-4.6", { output_config: { effort: "xhigh" } })).toEqual({ status: 400, body: invalid });
    expect(await ask("claude-opus-5", { thinking: { type: "enabled", budget_tokens: 8000 } })).toEqual({ status: 400, body: invalid });
    expect(await ask("claude-opus-5", { thinking: { type: "adaptive", budget_tokens: 8000 } })).toEqual({ status: 400, body: invalid });
    expect(await ask("claude-opus-5", { thinking: { display: "omitted" } })).toEqual({ status: 400, body: invalid });
    expect(await ask("claude-opus-5", { temperature: 1 })).toEqual({ status: 400, body: invalid });
    expect(await ask("claude-opus-4.7", { max_tokens: 128_000 })).toEqual({ status: 400, body: invalid });
    expect(await ask("claude-opus-4.7", { max_tokens: 512 })).toEqual({ status: 400, body: invalid });
    expect(await ask("claude-sonnet-5.5", { thinking: { type: "disabled" } })).toEqual({ status: 400, body: invalid });
    expect(await ask("gpt-5.6-terra", { thinking: { type: "adaptive" } })).toEqual({ status: 400, body: invalid });
    expect(await ask("gpt-5.6-terra", { reasoning: { effort: "extreme" } })).toEqual({ status: 400, body: invalid });
  });

  test("opus-5 turns thinking off only at effort high or below", async () => {
    expect((await ask("claude-opus-5", { thinking: { type: "disabled" }, output_config: { effort: "high" } })).status).toBe(200);
    expect(await ask("claude-opus-5", { thinking: { type: "disabled" }, output_config: { effort: "max" } })).toEqual({ status: 400, body: invalid });
  });
});

describe("INVALID_MODEL_ID (2026 §6)", () => {
  const invalidModel = { message: "Invalid model. Please select a different model to continue.", reason: "INVALID_MODEL_ID" };

  test("a model Kiro does not serve", async () => {
    const res = await restChat(sim.url, tokenOf(alice), chatBody("hi", { modelId: "claude-opus-9" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(invalidModel);
  });

  test("a model gated for the account is neither listed nor served to it, while others use it", async () => {
    const gated = sim.addAccount({ name: "gated", authMethod: "social", models: ["auto", "claude-sonnet-4.5"] });
    const res = await restChat(sim.url, tokenOf(gated), chatBody("hi", { modelId: "gpt-5.6-sol" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(invalidModel);
    expect(sim.requests.at(-1)!.rejectedBy).toBe("model-gate: gpt-5.6-sol is not open to gated");
    const listed = await fetch(`${sim.url}/q/us-east-1/ListAvailableModels?origin=AI_EDITOR`, { headers: { authorization: `Bearer ${tokenOf(gated)}` } });
    expect(((await listed.json()) as any).models.map((m: any) => m.modelId)).toEqual(["auto", "claude-sonnet-4.5"]);
    const open = await restChat(sim.url, tokenOf(alice), chatBody("hi", { modelId: "gpt-5.6-sol" }));
    expect(open.status).toBe(200);
    await open.arrayBuffer();
  });
});

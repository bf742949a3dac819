import { describe, expect, test } from "bun:test";
import { GatewayError } from "../errors";
import { BUILT_IN_MODELS, resolveModel, withKiroModels } from "./models";

describe("resolveModel", () => {
  test.each([
    ["claude-sonnet-4-5-20250929", "claude-sonnet-4.5"],
    ["claude-sonnet-4-5", "claude-sonnet-4.5"],
    ["claude-sonnet-4-6", "claude-sonnet-4.6"],
    ["claude-opus-4-6", "claude-opus-4.6"],
    ["claude-opus-4-7", "claude-opus-4.7"],
    ["claude-opus-4-5-20251101", "claude-opus-4.5"],
    ["claude-haiku-4-5-20251001", "claude-haiku-4.5"],
    ["claude-sonnet-4-20250514", "claude-sonnet-4"],
    ["claude-opus-4-6[1m]", "claude-opus-4.6"],
    ["claude-sonnet-4-6-thinking[1m]", "claude-sonnet-4.6"],
    ["claude-sonnet-4-5-20250929-thinking", "claude-sonnet-4.5"],
    ["claude-sonnet-4-latest", "claude-sonnet-4"],
    ["claude-4.5-opus-high", "claude-opus-4.5"],
    ["CLAUDE-SONNET-4.5", "claude-sonnet-4.5"],
  ])("normalises %s to %s", (requested, kiroId) => {
    expect(resolveModel(requested).kiroId).toBe(kiroId);
  });

  test.each([
    "auto",
    "claude-sonnet-4",
    "claude-opus-4.5",
    "claude-opus-4.7",
    "deepseek-3.2",
    "glm-5",
    "qwen3-coder-next",
  ])("Kiro id %s passes through", (id) => {
    expect(resolveModel(id).kiroId).toBe(id);
  });

  test("auto-kiro is an alias of auto", () => {
    expect(resolveModel("auto-kiro").kiroId).toBe("auto");
  });

  test.each([
    ["sonnet", "claude-sonnet-4.6"],
    ["opus", "claude-opus-4.7"],
    ["haiku", "claude-haiku-4.5"],
    ["claude-3-7-sonnet-20250219", "claude-sonnet-4"],
    ["claude-3-5-haiku-20241022", "claude-haiku-4.5"],
    ["my-sonnet-4.6-deployment", "claude-sonnet-4.6"],
    ["anthropic/claude-opus-4.5", "claude-opus-4.5"],
  ])("falls back by family: %s → %s", (requested, kiroId) => {
    expect(resolveModel(requested).kiroId).toBe(kiroId);
  });

  test("context windows: 1M for sonnet-4.6, opus-4.6 and opus-4.7, 200k otherwise", () => {
    expect(resolveModel("claude-sonnet-4-6").contextWindow).toBe(1_000_000);
    expect(resolveModel("claude-opus-4-6").contextWindow).toBe(1_000_000);
    expect(resolveModel("claude-opus-4-7").contextWindow).toBe(1_000_000);
    expect(resolveModel("claude-sonnet-4-5").contextWindow).toBe(200_000);
    expect(resolveModel("claude-opus-4-5").contextWindow).toBe(200_000);
    expect(resolveModel("claude-haiku-4-5").contextWindow).toBe(200_000);
    expect(resolveModel("auto").contextWindow).toBe(200_000);
  });

  test("an unknown model is an invalid request naming it and listing supported ones", () => {
    let error: unknown;
    try {
      resolveModel("gpt-4o");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).kind).toBe("invalid_request");
    expect((error as GatewayError).message).toStartWith('model "gpt-4o" is not supported; ');
    expect((error as GatewayError).message).toContain("claude-sonnet-4-6");
  });
});

describe("withKiroModels", () => {
  const seen = (id: string) => new Date(id === "claude-opus-4.8" ? "2026-12-01T00:00:00Z" : "2026-11-30T00:00:00Z");
  const table = withKiroModels(
    [
      { modelId: "claude-sonnet-4.5", maxInputTokens: 200_000 },
      { modelId: "claude-opus-4.8", modelName: "Claude Opus 4.8", maxInputTokens: 1_000_000 },
      { modelId: "kimi-k3" },
    ],
    seen,
  );

  test("a new model is served by its id, its Anthropic spellings included, with Kiro's context window", () => {
    expect(resolveModel("claude-opus-4-8", table)).toMatchObject({ kiroId: "claude-opus-4.8", contextWindow: 1_000_000, asked: "claude-opus-4.8" });
    expect(resolveModel("claude-opus-4-8-thinking", table).kiroId).toBe("claude-opus-4.8");
    expect(resolveModel("kimi-k3", table)).toMatchObject({ kiroId: "kimi-k3", contextWindow: 200_000 });
    // Without Kiro's word, the same name goes to the closest Opus listed, never an older one; an unknown family is refused.
    expect(resolveModel("claude-opus-4-8").kiroId).toBe("claude-opus-4.7");
    expect(() => resolveModel("kimi-k3")).toThrow('model "kimi-k3" is not supported');
  });

  test("the built-in models stay, and a new model is listed as added", () => {
    expect(resolveModel("claude-sonnet-4-5", table).contextWindow).toBe(200_000);
    expect(table.added.map((m) => m.modelId)).toEqual(["claude-opus-4.8", "kimi-k3"]);
  });
});

describe("routing by a catalog (kiro-protocol-2026.md §7)", () => {
  const late = withKiroModels(
    ["claude-opus-5.5", "claude-opus-5", "claude-opus-4.8", "claude-sonnet-5", "claude-sonnet-4.6", "claude-sonnet-4.6-1m", "claude-fable-5.1"].map((modelId) => ({ modelId })),
    () => new Date(0),
  );

  test.each([
    ["claude-opus-4-8[1m]", "claude-opus-4.8"],
    ["claude-opus-5", "claude-opus-5"],
    ["claude-opus-5-5", "claude-opus-5.5"],
    ["claude-opus-5-1", "claude-opus-5"],
    ["claude-opus-6", "claude-opus-5.5"],
    ["claude-sonnet-5-20260630", "claude-sonnet-5"],
    ["claude-fable-5-1", "claude-fable-5.1"],
    ["opus", "claude-opus-5.5"],
  ])("%s → %s: the newest listed version not above the one asked", (requested, kiroId) => {
    expect(resolveModel(requested, late).kiroId).toBe(kiroId);
  });

  test("a -1m SKU is used only for a 1M request and only when listed", () => {
    expect(resolveModel("claude-sonnet-4-6", late).kiroId).toBe("claude-sonnet-4.6");
    expect(resolveModel("claude-sonnet-4-6[1m]", late).kiroId).toBe("claude-sonnet-4.6");
    expect(resolveModel("claude-sonnet-4-5", BUILT_IN_MODELS, { oneM: true }).kiroId).toBe("claude-sonnet-4.5");
  });

  test("native models carry their catalog schema; Claude 4.5 and Haiku have none", () => {
    expect(resolveModel("claude-opus-5", late).model.fieldsSchema).toBeDefined();
    expect(resolveModel("claude-haiku-4-5").model.fieldsSchema).toBeUndefined();
  });
});

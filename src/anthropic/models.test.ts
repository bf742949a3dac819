import { describe, expect, test } from "bun:test";
import { resolveModel, withKiroModels } from "../kiro/models";
import { listedModels, MODELS, modelListBody } from "./models";

describe("MODELS", () => {
  test("lists the kiro.rs models, each with a thinking twin, plus current ids and aliases", () => {
    const ids = MODELS.map((m) => m.id);
    for (const id of [
      "claude-opus-4-6",
      "claude-sonnet-4-6",
      "claude-opus-4-5-20251101",
      "claude-sonnet-4-5-20250929",
      "claude-haiku-4-5-20251001",
      "claude-opus-4-7",
    ]) {
      expect(ids).toContain(id);
      expect(ids).toContain(`${id}-thinking`);
    }
    expect(ids).toContain("claude-sonnet-4-5");
    expect(new Set(ids).size).toBe(ids.length);
    expect(MODELS.find((m) => m.id === "claude-opus-4-6-thinking")?.display_name).toBe("Claude Opus 4.6 (Thinking)");
  });

  test("every listed model resolves, and created_at is RFC 3339", () => {
    for (const m of MODELS) {
      expect(() => resolveModel(m.id)).not.toThrow();
      expect(m.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Number.isNaN(Date.parse(m.created_at))).toBe(false);
    }
  });
});

describe("listedModels", () => {
  const seen = (id: string) => new Date(id === "claude-opus-4.8" ? "2026-12-01T00:00:00Z" : "2026-11-30T00:00:00Z");
  const table = withKiroModels(
    [
      { modelId: "claude-sonnet-4.5", maxInputTokens: 1 },
      { modelId: "claude-opus-4.8", modelName: "Claude Opus 4.8", maxInputTokens: 1_000_000 },
      { modelId: "kimi-k3" },
    ],
    seen,
  );
  const listed = listedModels(table);

  test("what the built-in list holds stays as it is", () => {
    expect(listed.filter((m) => m.id.startsWith("claude-sonnet-4-5"))).toEqual(MODELS.filter((m) => m.id.startsWith("claude-sonnet-4-5")));
  });

  test("new models are listed first, newest first, Claude ones with a thinking twin and, at 1M, a [1m] twin", () => {
    expect(listed.slice(0, 4)).toEqual([
      { id: "claude-opus-4-8", display_name: "Claude Opus 4.8", created_at: "2026-12-01T00:00:00.000Z" },
      { id: "claude-opus-4-8[1m]", display_name: "Claude Opus 4.8 (1M context)", created_at: "2026-12-01T00:00:00.000Z" },
      { id: "claude-opus-4-8-thinking", display_name: "Claude Opus 4.8 (Thinking)", created_at: "2026-12-01T00:00:00.000Z" },
      { id: "kimi-k3", display_name: "kimi-k3", created_at: "2026-11-30T00:00:00.000Z" },
    ]);
    expect(listed.slice(4).filter((m) => !m.id.endsWith("[1m]"))).toEqual(MODELS);
    expect(listed.map((m) => m.id)).toContain("claude-opus-4-7[1m]");
    expect(listed.map((m) => m.id)).not.toContain("claude-sonnet-4-5[1m]");
  });
});

describe("modelListBody", () => {
  test("one body for both SDKs: OpenAI's object, created and owned_by beside Anthropic's fields and paging", () => {
    const body = modelListBody(withKiroModels([{ modelId: "gpt-5.6-sol", modelName: "GPT-5.6 Sol" }], () => new Date("2026-10-01T00:00:00Z")));
    expect(body).toMatchObject({ object: "list", has_more: false, first_id: "gpt-5.6-sol", last_id: MODELS.at(-1)!.id });
    expect(body.data[0]).toEqual({
      id: "gpt-5.6-sol",
      object: "model",
      type: "model",
      display_name: "GPT-5.6 Sol",
      created_at: "2026-10-01T00:00:00.000Z",
      created: 1790812800,
      owned_by: "openai",
    });
    expect(body.data.find((m) => m.id === "claude-sonnet-4-5-20250929")).toMatchObject({ owned_by: "anthropic", created: Date.parse("2025-09-29T00:00:00Z") / 1000 });
  });
});

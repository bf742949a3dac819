import { expect, test } from "bun:test";
import { Logger } from "../log";
import { ModelCatalog } from "./catalog";
import { BUILT_IN_MODELS, type KiroModel } from "./models";

function catalog(answers: Array<KiroModel[] | Error | undefined>) {
  const lines: string[] = [];
  const c = new ModelCatalog(async () => {
    const next = answers.shift()!;
    if (next instanceof Error) throw next;
    return next;
  }, new Logger("info", (line) => lines.push(line)));
  return { c, lines };
}

test("Kiro's answer grows the table; a failed ask keeps the last good one and says why", async () => {
  const { c, lines } = catalog([[{ modelId: "claude-opus-4.8" }], new Error("HTTP 503")]);
  expect(c.table).toBe(BUILT_IN_MODELS);
  await c.refresh();
  expect(c.table.windows.has("claude-opus-4.8")).toBe(true);
  expect(lines.at(-1)).toContain("Kiro serves models the list did not have; they are served and listed now models=claude-opus-4.8");
  const grown = c.table;
  await c.refresh();
  expect(c.table).toBe(grown);
  expect(lines.at(-1)).toContain("could not ask Kiro for its models; the model list stays as it was error=\"HTTP 503\"");
});

test("a model keeps the date it was first seen across refreshes, and a model Kiro drops is no longer served", async () => {
  const { c, lines } = catalog([[{ modelId: "claude-opus-4.8" }], [{ modelId: "claude-opus-4.8" }, { modelId: "claude-opus-4.9" }], []]);
  await c.refresh();
  const first = c.table.listed[0]!.created_at;
  await Bun.sleep(5);
  await c.refresh();
  expect(c.table.listed.find((m) => m.id === "claude-opus-4-8")!.created_at).toBe(first);
  expect(c.table.listed[0]!.id).toBe("claude-opus-4-9");
  expect(lines.at(-1)).toContain("models=claude-opus-4.9");
  await c.refresh();
  expect(c.table.windows.has("claude-opus-4.8")).toBe(false);
  expect(c.table.listed).toEqual(BUILT_IN_MODELS.listed);
});

test("with nobody to ask, the table stays and nothing is logged", async () => {
  const { c, lines } = catalog([undefined]);
  await c.refresh();
  expect(c.table).toBe(BUILT_IN_MODELS);
  expect(lines).toEqual([]);
});

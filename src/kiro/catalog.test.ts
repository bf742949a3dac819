import { expect, test } from "bun:test";
import { Logger } from "../log";
import { ModelCatalog } from "./catalog";
import { BUILT_IN_MODELS, type KiroModel } from "./models";

/** One account's answers, refresh after refresh. */
function catalog(answers: Array<KiroModel[] | Error | undefined>) {
  const lines: string[] = [];
  const c = new ModelCatalog(async () => {
    const next = answers.shift();
    return next === undefined ? undefined : new Map([["solo", next]]);
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
  expect(lines.at(-1)).toContain("could not ask Kiro for its models; the model list stays as it was account=solo error=\"HTTP 503\"");
});

test("a model keeps the date it was first seen across refreshes, and a model Kiro drops is no longer served", async () => {
  const { c, lines } = catalog([[{ modelId: "claude-opus-4.8" }], [{ modelId: "claude-opus-4.8" }, { modelId: "claude-opus-4.9" }], []]);
  await c.refresh();
  const first = c.table.added[0]!.firstSeen;
  await Bun.sleep(5);
  await c.refresh();
  expect(c.table.added.find((m) => m.modelId === "claude-opus-4.8")!.firstSeen).toEqual(first);
  expect(c.table.added[0]!.modelId).toBe("claude-opus-4.9");
  expect(lines.at(-1)).toContain("models=claude-opus-4.9");
  await c.refresh();
  expect(c.table.windows.has("claude-opus-4.8")).toBe(false);
  expect(c.table.added).toEqual([]);
  // The account is routed by its own list: what Kiro no longer lists for it is not asked for.
  expect(c.forAccount("solo").models.size).toBe(0);
});

test("with nobody to ask, the table stays and nothing is logged", async () => {
  const { c, lines } = catalog([undefined]);
  await c.refresh();
  expect(c.table).toBe(BUILT_IN_MODELS);
  expect(lines).toEqual([]);
});

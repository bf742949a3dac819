/**
 * A model Kiro adds works without a new release: the gateway asks ListAvailableModels, lists the new model under
 * the name clients use, and sends requests for it to that model instead of the family's default.
 */
import { afterEach, expect, test } from "bun:test";
import { KNOWN_MODEL_IDS } from "../simulator/validate";
import { type Gateway, post, startGateway } from "./harness";

let g: Gateway;
afterEach(() => g.stop());

const ask = (model: string) => post(g, "/v1/messages", { model, max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
const sentModel = () => (g.sim.requests.findLast((r) => r.path.endsWith("/generateAssistantResponse"))!.body as any).conversationState.currentMessage.userInputMessage.modelId;

test("a model Kiro lists is listed by /v1/models and served by its own name", async () => {
  // Five models a page: the new one is on the last of three pages.
  g = await startGateway({ simulator: { models: [...KNOWN_MODEL_IDS, "claude-opus-4.8"], modelsPageSize: 5 } });
  // Before Kiro has been asked, an unknown Opus goes to the closest one known, never an older one (2026 §7).
  expect((await ask("claude-opus-4-8")).status).toBe(200);
  expect(sentModel()).toBe("claude-opus-4.7");

  await g.services.models.refresh();
  const ids: string[] = [];
  for await (const m of g.client.models.list()) ids.push(m.id);
  expect(ids.slice(0, 3)).toEqual(["claude-opus-4-8", "claude-opus-4-8[1m]", "claude-opus-4-8-thinking"]);
  expect(ids).toContain("claude-sonnet-4-5-20250929");
  expect((await ask("claude-opus-4-8[1m]")).status).toBe(200);
  expect(sentModel()).toBe("claude-opus-4.8");
  const listings = g.sim.requests.filter((r) => r.path.endsWith("/ListAvailableModels"));
  expect(listings.map((r) => r.query.nextToken)).toEqual([undefined, "5", "10"]);
  expect(listings[0]!.query).toMatchObject({ origin: "AI_EDITOR", profileArn: expect.stringContaining("arn:aws:codewhisperer") });
});

test("when Kiro cannot be asked, the built-in list stays", async () => {
  g = await startGateway({ accounts: [{ name: "gone", authMethod: "social" }] });
  g.sim.account("gone")!.revoke();
  g.sim.account("gone")!.expireAccessTokens();
  await g.services.models.refresh();
  expect(g.logLines.some((l) => l.includes("could not ask Kiro for its models"))).toBe(true);
  const models = await fetch(`${g.url}/v1/models`, { headers: { "x-api-key": g.apiKey } });
  expect(((await models.json()) as { data: Array<{ id: string }> }).data[0]!.id).toBe("claude-opus-4-7");
});

test("every account is asked for its own catalog (2026 §7: lists differ per account, tier and region)", async () => {
  g = await startGateway({ accounts: [{ name: "free", authMethod: "social" }, { name: "pro", authMethod: "social" }] });
  const check = (subscription: string) => ({ subscription, currentUsage: 1, usageLimit: 50, usagePercent: 2 });
  g.services.pool.get("free")!.recordCheck(check("KIRO FREE"));
  g.services.pool.get("pro")!.recordCheck(check("KIRO PRO"));
  await g.services.models.refresh();
  expect(g.sim.requests.filter((r) => r.path.endsWith("/ListAvailableModels")).map((r) => r.account).sort()).toEqual(["free", "pro"]);
});

test("a gateway started with no account asks Kiro once accounts arrive by reload", async () => {
  g = await startGateway({ accounts: [{ name: "later", authMethod: "social" }], simulator: { models: [...KNOWN_MODEL_IDS, "claude-opus-4.8"] } });
  // Start as if the folder had been empty: the account leaves, Kiro cannot be asked, and nothing is logged for it.
  g.services.pool.remove("later");
  await g.services.models.refresh();
  expect(g.logLines.some((l) => l.includes("could not ask Kiro for its models"))).toBe(false);
  expect(g.services.models.table.windows.has("claude-opus-4.8")).toBe(false);

  const reload = await fetch(`${g.url}/admin/reload`, { method: "POST", headers: { "x-api-key": g.adminKey } });
  expect(((await reload.json()) as any).data.added).toEqual(["later"]);
  for (let i = 0; i < 100 && !g.services.models.table.windows.has("claude-opus-4.8"); i++) await Bun.sleep(10);
  expect(g.services.models.table.windows.has("claude-opus-4.8")).toBe(true);
});

test("an account is routed by its own catalog: a model it is not offered goes to its closest, logged at info", async () => {
  g = await startGateway({
    logLevel: "info",
    accounts: [{ name: "gated", authMethod: "social", models: KNOWN_MODEL_IDS }],
    simulator: { models: [...KNOWN_MODEL_IDS, "claude-opus-4.8"] },
  });
  await g.services.models.refresh();
  expect((await ask("claude-opus-4-8")).status).toBe(200);
  expect(sentModel()).toBe("claude-opus-4.7");
  expect(g.logLines.some((l) => l.includes("another model serves the one asked for") && l.includes("served=claude-opus-4.7"))).toBe(true);
});

/**
 * What a client is told when Kiro says no: the kind and the advice. The account's name and Kiro's body go to the
 * log, where the operator reads them, not to whoever holds a client key.
 */
import { afterEach, expect, test } from "bun:test";
import { httpError } from "../simulator/replies";
import { startGateway, type Gateway } from "./harness";

let g: Gateway;
afterEach(() => g.stop());

const hello = { model: "claude-sonnet-4-6", max_tokens: 50, messages: [{ role: "user", content: "hi" }] };
const ask = () =>
  fetch(g.url + "/v1/messages", { method: "POST", headers: { "content-type": "application/json", "x-api-key": g.apiKey }, body: JSON.stringify(hello) });

test("an account Kiro refuses and a Kiro that fails: the answer names neither the account nor Kiro's words", async () => {
  g = await startGateway({ accounts: [{ name: "alice-private-account", authMethod: "social" }] });
  g.sim.enqueue(httpError(403, { message: "Account alice@example.com suspended: internal case 4711", __type: "AccessDeniedException" }));
  const refused = await ask();
  const refusedText = await refused.text();
  expect(refused.status).toBeGreaterThanOrEqual(500);
  expect(refusedText).not.toContain("alice");
  expect(refusedText).not.toContain("4711");
  // The operator still learns everything from the log.
  expect(g.logLines.some((l) => l.includes("alice-private-account") && l.includes("4711"))).toBe(true);

  await g.stop();
  g = await startGateway({ accounts: [{ name: "bob-private-account", authMethod: "social" }] });
  g.sim.enqueue(...Array.from({ length: 9 }, () => httpError(500, { message: "stack trace at host ip-10-1-2-3.internal" })));
  const failed = await ask();
  const failedText = await failed.text();
  expect(failed.status).toBeGreaterThanOrEqual(500);
  expect(failedText).not.toContain("bob");
  expect(failedText).not.toContain("ip-10-1-2-3");
});

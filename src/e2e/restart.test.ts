/**
 * What a restart carries over (the state file beside the credentials): lasting states — a refresh token Kiro
 * refused, an account Kiro suspended, a quota rest until its reset — but no transient trouble (a failure streak,
 * a throttling rest), which must not take an account out of the pool right at start.
 */
import { afterEach, expect, test } from "bun:test";
import { writeFile } from "node:fs/promises";
import { createServices, type Services } from "../services";
import { internal, quotaExhausted, suspended, throttled } from "../simulator/replies";
import { post, startGateway, type Gateway } from "./harness";

const hello = { model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "hello" }] };
const two = [
  { name: "a", authMethod: "social" as const },
  { name: "b", authMethod: "social" as const },
];

let g: Gateway;
afterEach(() => g.stop());

/** Saves the state file and starts the services again on the same folder, as a restart does. */
async function restart(): Promise<Services> {
  await g.services.stateFile.save();
  return createServices({ config: g.services.config, log: g.services.log, credentialsFile: "" });
}

test("a failure streak is not carried over: one more failure after a restart does not disable the account", async () => {
  g = await startGateway({ accounts: two, config: { maxFailures: 3 } });
  g.sim.enqueueFor("a", internal(), internal());
  for (let i = 0; i < 2; i++) expect((await post(g, "/v1/messages", hello)).status).toBe(200);
  expect(g.services.pool.get("a")!.counters.consecutiveFailures).toBe(2);
  const again = (await restart()).pool.get("a")!;
  expect(again.counters.failures).toBe(2);
  again.recordFailure("Kiro is unavailable: HTTP 500");
  expect(again.state.kind).toBe("healthy");
});

test("a throttling rest is not carried over", async () => {
  g = await startGateway({ accounts: two });
  g.sim.enqueueFor("a", throttled(20));
  expect((await post(g, "/v1/messages", hello)).status).toBe(200);
  expect(g.services.pool.get("a")!.state.kind).toBe("cooling");
  expect((await restart()).pool.get("a")!.state.kind).toBe("healthy");
});

test("a dead refresh token, a suspension and a quota rest are carried over", async () => {
  g = await startGateway({ accounts: [...two, { name: "c", authMethod: "social" }], credentialExtras: { expiresAt: "2020-01-01T00:00:00Z" } });
  g.sim.account("a")!.revoke();
  g.sim.enqueueFor("b", suspended());
  g.sim.enqueueFor("c", quotaExhausted());
  for (let i = 0; i < 3; i++) await post(g, "/v1/messages", hello);
  const before = g.services.pool.accounts.map((a) => a.state);
  expect(before.map((s) => s.kind === "disabled" && s.why)).toEqual(["invalid_refresh_token", "suspended", "quota_exhausted"]);
  const again = await restart();
  expect(again.pool.accounts.map((a) => a.state)).toEqual(before);
  expect(again.pool.unreadiness()?.message).toContain("no Kiro account can serve");
});

test("a credential replaced while stopped starts healthy", async () => {
  g = await startGateway({ accounts: two, credentialExtras: { expiresAt: "2020-01-01T00:00:00Z" } });
  g.sim.account("a")!.revoke();
  await post(g, "/v1/messages", hello);
  expect(g.services.pool.get("a")!.state).toMatchObject({ kind: "disabled", why: "invalid_refresh_token" });
  await g.services.stateFile.save();
  const fresh = g.sim.addAccount({ name: "a2", authMethod: "social" }).credentialJson();
  await writeFile(g.credentialFile("a"), JSON.stringify(fresh));
  const again = await createServices({ config: g.services.config, log: g.services.log, credentialsFile: "" });
  expect(again.pool.get("a")!.state.kind).toBe("healthy");
});

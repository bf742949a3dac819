#!/usr/bin/env bun
/**
 * The token soak (issue 11): a real gateway process with 150 accounts in front of the simulator, which rotates
 * refresh tokens without grace. 2,000 requests at 32 at a time, half streamed, while every few seconds Kiro
 * expires the access tokens of a third of the accounts (so the gateway must refresh them, forced, mid-traffic),
 * and every second the gateway gets a SIGHUP (a reload of every credential file).
 *
 * At the end, checked against the simulator's own record of each account's newest refresh token: no account
 * disabled, no refresh token lost (memory and file hold the newest), every request answered 200.
 *
 *   bun run scripts/soak-tokens.ts [--requests 2000] [--concurrency 32] [--accounts 150] [--expire-every-ms 3000]
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { inParallel, send, spawnGateway } from "../src/e2e/drive";
import { KiroSimulator, text } from "../src/simulator/simulator";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    requests: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "32" },
    accounts: { type: "string", default: "150" },
    "expire-every-ms": { type: "string", default: "3000" },
  },
});

const sim = await KiroSimulator.start({ chunking: "random", seed: 5, maxRecordedRequests: 100_000 });
// A refresh answer that takes a while widens the moment a reload could catch a file mid-rotation.
sim.refreshAnswerDelayMs = 50;
// Replies that take about half a second, so that the run lasts long enough for many reloads and refreshes.
sim.setDefaultReply(() => text("a reply that takes its time to arrive", { frameDelayMs: 100 }));
const names = Array.from({ length: Number(values.accounts) }, (_, i) => `acct-${i}`);
const gw = await spawnGateway({ sim, accounts: names.map((name) => ({ name, authMethod: i(name) % 3 === 2 ? ("idc" as const) : ("social" as const), usageLimit: 1e9 })) });
function i(name: string): number {
  return Number(name.split("-")[1]);
}

let sighups = 0;
let expiries = 0;
const hup = setInterval(() => {
  process.kill(gw.pid, "SIGHUP");
  sighups++;
}, 1000);
const expire = setInterval(() => {
  for (const name of names) if (Math.random() < 1 / 3) sim.account(name)?.expireAccessTokens();
  expiries++;
}, Number(values["expire-every-ms"]));

const statuses = new Map<number, number>();
const started = Date.now();
try {
  await inParallel(Array.from({ length: Number(values.requests) }, (_, n) => n), Number(values.concurrency), async (n) => {
    const outcome = await send(
      gw.url,
      {
        method: "POST",
        path: "/v1/messages",
        headers: { "content-type": "application/json", "x-api-key": gw.apiKey },
        body: JSON.stringify({ model: "claude-sonnet-4-6", max_tokens: 64, stream: n % 2 === 0, messages: [{ role: "user", content: `request ${n}` }] }),
      },
      60_000,
    );
    const status = "answer" in outcome ? outcome.answer.status : 0;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
} finally {
  clearInterval(hup);
  clearInterval(expire);
}
// Let the last reload and write-back settle.
await Bun.sleep(1500);

const accounts = (await (await fetch(`${gw.url}/admin/accounts`, { headers: { "x-api-key": gw.adminKey } })).json()) as {
  data: Array<{ name: string; healthy: boolean; disabled?: boolean; disabled_reason?: string }>;
};
const disabled = accounts.data.filter((a) => a.disabled || !a.healthy);
let lost = 0;
for (const name of names) {
  const file = JSON.parse(await readFile(join(gw.credentialsDir, `${name}.json`), "utf8")) as { refreshToken: string };
  if (file.refreshToken !== sim.account(name)?.refreshToken) lost++;
}
const refreshes = names.reduce((n, name) => n + (sim.account(name)?.refreshCount ?? 0), 0);
const alive = gw.alive();
await gw.stop();
await sim.stop();

const ok = statuses.get(200) ?? 0;
console.log(`token soak: ${values.requests} requests at ${values.concurrency} at once over ${names.length} accounts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`  ${sighups} SIGHUP reloads, ${expiries} rounds of expired access tokens, ${refreshes} refreshes at Kiro's (rotation without grace)`);
console.log(`  answers: ${[...statuses].map(([s, n]) => `${s} × ${n}`).join(", ")}`);
console.log(`  accounts disabled: ${disabled.length}${disabled.length ? ` (${disabled.map((a) => `${a.name}: ${a.disabled_reason ?? "unhealthy"}`).join("; ")})` : ""}`);
console.log(`  refresh tokens lost (file not Kiro's newest): ${lost}`);
console.log(`  gateway alive: ${alive ? "yes" : "NO"}`);
process.exit(disabled.length === 0 && lost === 0 && ok === Number(values.requests) && alive ? 0 : 1);

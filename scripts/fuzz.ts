#!/usr/bin/env bun
/**
 * The full fuzz (issue 6, item 2): thousands of malformed or hostile requests to every route of a real gateway
 * process whose Kiro is the simulator, every answer judged (src/e2e/hostile.ts). Prints the counts; exits 1 when
 * any answer was wrong or the gateway died.
 *
 *   bun run scripts/fuzz.ts [--per-route 5000] [--strangers 500] [--concurrency 16] [--seed 1]
 */
import { parseArgs } from "node:util";
import { KiroSimulator } from "../src/simulator/simulator";
import { spawnGateway } from "../src/e2e/drive";
import { formatFuzzReport, hostileRequests, runFuzz, strangerRequests } from "../src/e2e/hostile";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    "per-route": { type: "string", default: "5000" },
    strangers: { type: "string", default: "500" },
    concurrency: { type: "string", default: "16" },
    seed: { type: "string", default: "1" },
  },
});
const perRoute = Number(values["per-route"]);
const strangers = Number(values.strangers);
const concurrency = Number(values.concurrency);
const seed = Number(values.seed);

const sim = await KiroSimulator.start({ chunking: "random", seed, maxRecordedRequests: 1_000 });
const accounts = ["a", "b", "c"].map((name) => ({ name, authMethod: "social" as const, usageLimit: 1e9 }));
const gw = await spawnGateway({ sim, accounts });
let failed = true;
try {
  const keys = { apiKey: gw.apiKey, adminKey: gw.adminKey };
  const started = Date.now();
  const report = await runFuzz(gw, [hostileRequests(keys, { perRoute, seed }), strangerRequests(keys, { perRoute: strangers, seed: seed + 1 })], {
    concurrency,
    deadlineMs: 120_000,
    secrets: () => gw.secrets(),
    onProgress: (n) => {
      if (n % 5_000 === 0) process.stderr.write(`  ${n} requests, ${Math.round((Date.now() - started) / 1000)} s\n`);
    },
  });
  console.log(formatFuzzReport(report));
  failed = report.violations.total > 0 || !report.alive;
  if (!report.alive) console.log(`the gateway exited (code ${gw.exitCode()}); its last lines:\n${gw.lastLines().join("\n")}`);
} finally {
  await gw.stop();
  await sim.stop();
}
process.exit(failed ? 1 : 0);

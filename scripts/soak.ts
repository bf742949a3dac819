#!/usr/bin/env bun
/**
 * The full soak (issue 6, item 1): a real gateway process with three accounts in front of the simulator, which
 * answers 20 % of chat calls with a fault (429, 500, 403, reset before headers, cut mid-frame, a 30 s stall after
 * the first frame, 30 s of silence before the headers);
 * 2,000 requests at 32 at a time, half streamed. Prints the counts (src/e2e/faults.ts checks every answer);
 * exits 1 on a wrong answer, a hang, or a pool that is not healthy again once the faults stop.
 *
 *   bun run scripts/soak.ts [--requests 2000] [--concurrency 32] [--rate 0.2] [--stall-ms 30000] [--cooldown SECS] [--retries N]
 *   bun run scripts/soak.ts --never-retries [--requests 200] [--concurrency 8] [--rate 0.2]
 *
 * --retries N retries a 429/502/529 answer up to N times, after its Retry-After, as the Anthropic SDKs do.
 * --cooldown sets failureCooldownSecs (default: the gateway's own default, 60 s).
 * --never-retries is the client of issue 12 (curl, scripts, most editor plugins): faults of the kinds 429, 500,
 * reset, cut mid-frame and 403; first the requests all non-streaming, then all streaming, never retried. It exits 1
 * unless ≥ 99 % of the non-streaming ones are answered right and no stream is refused before its first byte.
 */
import { parseArgs } from "node:util";
import { spawnGateway } from "../src/e2e/drive";
import { formatSoakReport, runSoak } from "../src/e2e/faults";
import { type FaultKind, KiroSimulator } from "../src/simulator/simulator";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    requests: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "32" },
    rate: { type: "string", default: "0.2" },
    "stall-ms": { type: "string", default: "30000" },
    cooldown: { type: "string" },
    retries: { type: "string", default: "0" },
    seed: { type: "string", default: "1" },
    "never-retries": { type: "boolean", default: false },
  },
});
const cooldown = values.cooldown === undefined ? undefined : Number(values.cooldown);
/** The gateway's overall bound on one upstream reply (kiro/chat.ts, 720 s), plus a margin for the client. */
const DEADLINE_MS = 730_000;
const DEFAULT_COOLDOWN_SECS = 60;

const sim = await KiroSimulator.start({ chunking: "random", seed: Number(values.seed), maxRecordedRequests: 100_000 });
const accounts = [
  { name: "a", authMethod: "social" as const, usageLimit: 1e9 },
  { name: "b", authMethod: "social" as const, usageLimit: 1e9 },
  { name: "c", authMethod: "idc" as const, usageLimit: 1e9 },
];
const gw = await spawnGateway({ sim, accounts, config: cooldown === undefined ? {} : { failureCooldownSecs: cooldown } });
let failed = true;
try {
  failed = values["never-retries"] ? !(await neverRetries()) : !(await mixed());
} finally {
  await gw.stop();
  await sim.stop();
}
process.exit(failed ? 1 : 0);

/** The mixed soak: half streamed, every fault kind; true when every answer was right and the pool healed. */
async function mixed(): Promise<boolean> {
  const report = await runSoak(gw, sim, {
    requests: Number(values.requests),
    concurrency: Number(values.concurrency),
    faults: { rate: Number(values.rate), kinds: ["429", "500", "403", "reset", "cut", "stall", "silent"], stallMs: Number(values["stall-ms"]) },
    deadlineMs: DEADLINE_MS,
    recoveryWithinMs: ((cooldown ?? DEFAULT_COOLDOWN_SECS) + 10) * 1000,
    retries: Number(values.retries),
  });
  console.log(`gateway: failureCooldownSecs ${cooldown ?? `${DEFAULT_COOLDOWN_SECS} (default)`}, alive at the end: ${gw.alive() ? "yes" : "NO"}`);
  console.log(formatSoakReport(report));
  return (
    report.wrong.total === 0 &&
    report.hangs === 0 &&
    report.recovery.healthyAfterMs !== undefined &&
    report.recovery.burst.correct === report.recovery.burst.requests &&
    gw.alive()
  );
}

/** Issue 12's client: no retries; all non-streaming, then all streaming. True when both targets are met. */
async function neverRetries(): Promise<boolean> {
  const requests = Number(values.requests === "2000" ? 200 : values.requests);
  const concurrency = Number(values.concurrency === "32" ? 8 : values.concurrency);
  const faults = { rate: Number(values.rate), kinds: ["429", "500", "reset", "cut", "403"] as FaultKind[] };
  const run = (mode: "json" | "stream") =>
    runSoak(gw, sim, { requests, concurrency, faults, deadlineMs: DEADLINE_MS, recoveryWithinMs: (DEFAULT_COOLDOWN_SECS + 10) * 1000, mode });
  const json = await run("json");
  console.log(`non-streaming, never retried:\n${formatSoakReport(json)}\n`);
  const streams = await run("stream");
  console.log(`streaming, never retried:\n${formatSoakReport(streams)}\n`);
  const answered = json.successes / json.requests;
  const refused = streams.errors.entries().filter((e) => e.key.startsWith("HTTP ")).reduce((n, e) => n + e.n, 0);
  console.log(`non-streaming answered right: ${(answered * 100).toFixed(1)} % (target ≥ 99 %); streams refused before their first byte: ${refused} (target 0)`);
  return answered >= 0.99 && refused === 0 && json.wrong.total + streams.wrong.total + json.hangs + streams.hangs === 0 && gw.alive();
}

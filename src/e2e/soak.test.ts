/**
 * The soak under faults, shortened (the full one is scripts/soak.ts): a gateway process with three accounts, the
 * simulator answering 20 % of chat calls with a fault of every kind. Every request ends, every success is
 * complete and correct, every failure is an Anthropic-shaped error, and the pool heals without a restart.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { internal, text } from "../simulator/replies";
import { KiroSimulator } from "../simulator/simulator";
import { type GatewayProcess, spawnGateway } from "./drive";
import { formatSoakReport, runSoak } from "./faults";
import { post, startGateway } from "./harness";

const accounts = [
  { name: "a", authMethod: "social" as const, usageLimit: 1e9 },
  { name: "b", authMethod: "social" as const, usageLimit: 1e9 },
  { name: "c", authMethod: "idc" as const, usageLimit: 1e9 },
];

describe("under faults", () => {
  let sim: KiroSimulator;
  let gw: GatewayProcess;
  // SIGTERM lets requests still in the gateway finish (up to its 10 s grace), so stopping may take a while.
  afterEach(async () => {
    await gw.stop();
    await sim.stop();
  }, 20_000);

  test("400 requests, 32 at a time, under 20 % faults of every kind", async () => {
    sim = await KiroSimulator.start({ chunking: "random", seed: 3 });
    // A short cooldown, so that the pool heals within the test; stalls stay under the watchdog's limits.
    gw = await spawnGateway({ sim, accounts, config: { failureCooldownSecs: 1, firstEventTimeoutSecs: 5, streamIdleTimeoutSecs: 5 } });
    const report = await runSoak(gw, sim, {
      requests: 400,
      concurrency: 32,
      faults: { rate: 0.2, stallMs: 400 },
      deadlineMs: 20_000,
      recoveryWithinMs: 10_000,
    });
    const summary = formatSoakReport(report);
    expect(report.hangs, summary).toBe(0);
    expect(report.wrong.total, summary).toBe(0);
    expect(report.successes + report.errors.total).toBe(400);
    for (const kind of ["429", "500", "403", "reset", "cut", "stall", "silent"]) expect(report.faults.get(kind), `${kind} injected`).toBeGreaterThan(0);
    // Some faults reach the client (a cut after the first byte always does), always as an Anthropic error.
    expect(report.successes).toBeGreaterThan(0);
    expect(report.errors.total).toBeGreaterThan(0);
    expect(report.recovery.healthyAfterMs, summary).toBeDefined();
    expect(report.recovery.burst.correct).toBe(report.recovery.burst.requests);
    expect(report.alive).toBe(true);
    expect(report.secretsInLog, summary).toBe(0);
  }, 60_000);

  /** 60 requests, 16 at a time, with 30 % of chat calls answered by one fault kind that lasts 5 s. */
  async function soakOneKind(seed: number, kind: "stall" | "silent", config: Record<string, number>) {
    sim = await KiroSimulator.start({ chunking: "random", seed });
    gw = await spawnGateway({ sim, accounts, config: { failureCooldownSecs: 1, ...config } });
    const report = await runSoak(gw, sim, {
      requests: 60,
      concurrency: 16,
      faults: { rate: 0.3, kinds: [kind], stallMs: 5_000 },
      deadlineMs: 20_000,
      recoveryWithinMs: 10_000,
    });
    return { report, summary: formatSoakReport(report) };
  }

  test("stalls longer than streamIdleTimeoutSecs end as overloaded errors, never as hangs", async () => {
    const { report, summary } = await soakOneKind(4, "stall", { streamIdleTimeoutSecs: 0.5 });
    expect(report.hangs, summary).toBe(0);
    expect(report.wrong.total, summary).toBe(0);
    expect(report.faults.get("stall")).toBeGreaterThan(0);
    // A stall comes after the first event: a stream cannot move any more and ends with an error event; a
    // non-streaming answer, of which nothing was sent yet, moves to another account.
    expect(report.errors.total, summary).toBeLessThan(report.faults.get("stall"));
    expect(report.errors.get("stream error overloaded_error"), summary).toBe(report.errors.total);
    expect(report.successes).toBe(60 - report.errors.total);
  }, 60_000);

  test("silences before the headers longer than firstEventTimeoutSecs move the request to another account", async () => {
    const { report, summary } = await soakOneKind(5, "silent", { firstEventTimeoutSecs: 0.3 });
    expect(report.hangs, summary).toBe(0);
    expect(report.wrong.total, summary).toBe(0);
    expect(report.successes + report.errors.total).toBe(60);
    // A client sees an error only when every account it was tried on stayed silent (three of them).
    expect(report.faults.get("silent"), summary).toBeGreaterThan(3 * report.errors.total);
    expect(report.errors.get("HTTP 502 api_error"), summary).toBe(report.errors.total);
    // Every call that stayed silent was given up and retried elsewhere: one call more per silence than answers.
    expect(report.upstreamCalls, summary).toBe(report.successes + report.faults.get("silent"));
  }, 60_000);
});

// A stall is transient, so accounts already tried are tried again (up to 9 attempts); were each silent for
// firstEventTimeoutSecs (120 s), one request would be held for 9 × 120 s, but firstByteTimeoutSecs bounds it.
test("a request stalled before the first event on every account gives up at firstByteTimeoutSecs", async () => {
  const g = await startGateway({
    accounts: [{ name: "a", authMethod: "social" }, { name: "b", authMethod: "social" }, { name: "c", authMethod: "social" }],
    config: { firstEventTimeoutSecs: 0.5, failureCooldownSecs: 1, firstByteTimeoutSecs: 1.2 },
  });
  try {
    for (let i = 0; i < 9; i++) g.sim.enqueue(text("late", { stallBeforeMs: 10_000 }));
    const res = await post(g, "/v1/messages", { model: "claude-sonnet-4-6", max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(504);
    expect(res.json.error.message).toContain("(firstByteTimeoutSecs)");
    expect(g.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse")).length).toBeGreaterThan(1);
  } finally {
    await g.stop();
  }
}, 30_000);

// Were one transient failure to rest an account for the whole failureCooldownSecs, a few faults in a row would rest
// every account, and the pool would answer 429 while Kiro answers most calls.
test("after one 500 on each of three accounts, that request and the next are still served", async () => {
  const g = await startGateway({ accounts: [{ name: "a", authMethod: "social" }, { name: "b", authMethod: "social" }, { name: "c", authMethod: "social" }] });
  try {
    const hello = { model: "claude-sonnet-4-6", max_tokens: 8, messages: [{ role: "user", content: "hi" }] };
    g.sim.enqueue(internal(), internal(), internal());
    expect((await post(g, "/v1/messages", hello)).status).toBe(200);
    const next = await post(g, "/v1/messages", hello);
    expect(next.status, next.text).toBe(200);
  } finally {
    await g.stop();
  }
});

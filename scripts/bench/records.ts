/**
 * `bun run scripts/bench/records.ts [--requests N] [--postgres URL]`: records N requests (default 1,000,000) spread
 * over 90 days, 50 accounts, 20 keys and 6 models into a fresh SQLite file (and PostgreSQL database when given),
 * through the store's own batched append, then times the usage questions the admin API and UI ask and one page
 * of the request log. Prints one line per query with its time.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Logger } from "../../src/log";
import { GatewayMetrics } from "../../src/metrics/metrics";
import { ClientKeys } from "../../src/records/keys";
import { openRecordStore } from "../../src/records/open";
import { Recorder } from "../../src/records/recorder";
import { RecordWriter } from "../../src/records/writer";
import type { RecordStore, RequestRow } from "../../src/records/types";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { requests: { type: "string", default: "1000000" }, postgres: { type: "string" } } });
const TOTAL = Number(values.requests);
const DAY = 86_400_000;
const BATCH = 5000;
const now = Date.now();

function row(i: number): RequestRow {
  const at = now - Math.floor((i / TOTAL) * 90 * DAY);
  const failed = i % 50 === 0;
  return {
    at, keyId: `key-${i % 20}`, keyName: `person-${i % 20}`, account: `account-${i % 50}`, route: "/v1/messages", model: `claude-model-${i % 6}`,
    kiroModel: `KIRO_${i % 6}`, stream: i % 3 !== 0, status: failed ? 429 : 200, ...(failed ? { errorType: "rate_limited" } : {}),
    inputTokens: 1000 + (i % 5000), outputTokens: 200 + (i % 800), cacheReadTokens: i % 2000, cacheWriteTokens: i % 300, credits: 0.01 * (i % 7),
    firstByteMs: 300 + (i % 900), durationMs: 2000 + (i % 9000), session: `session-${i % 1000}`, attempts: [{ account: `account-${i % 50}`, outcome: "ok" }],
  };
}

async function time<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  console.log(`${label.padEnd(58)} ${(performance.now() - t0).toFixed(1).padStart(8)} ms`);
  return result;
}

async function measure(name: string, store: RecordStore): Promise<void> {
  console.log(`\n${name}: ${TOTAL.toLocaleString("en")} requests`);
  await time("append (batches of 5,000, rows + hourly rollups)", async () => {
    for (let i = 0; i < TOTAL; i += BATCH) await store.append(Array.from({ length: Math.min(BATCH, TOTAL - i) }, (_, j) => row(i + j)));
  });
  for (const by of ["key", "model", "account"] as const) {
    await time(`usage by ${by}, 90 days in days`, () => store.usage({ by, bucket: "day", from: now - 90 * DAY, to: now }));
    await time(`usage by ${by}, 7 days in hours`, () => store.usage({ by, bucket: "hour", from: now - 7 * DAY, to: now }));
  }
  await time("key usage since the start of the month", () => store.keyUsageSince(now - 30 * DAY));
  await time("request log: newest 50", () => store.requests({ limit: 50 }));
  await time("request log: newest 50 of one key", () => store.requests({ limit: 50, keyId: "key-7" }));
  await time("request log: newest 50 with status 429", () => store.requests({ limit: 50, status: 429 }));
  await time("request log: a key with no requests (reads every row)", () => store.requests({ limit: 50, keyId: "nobody" }));
  await time("pruning: nothing old enough (reads every row)", () => store.prune(now - 91 * DAY, now - 91 * DAY));
  await store.close();
}

/**
 * What recording adds to one request, everything included: the record made at admission, filled by the pool and
 * the reply, finished, counted by the metrics, queued, and its share of the writer's batched transaction (rows and
 * rollups). The loop also makes each Request, which the gateway does anyway: the figure is an upper bound.
 */
async function recordingCost(store: RecordStore): Promise<void> {
  const keys = await ClientKeys.load(store, "sk-bench-default-key");
  const writer = new RecordWriter(store, new Logger("warn"));
  const recorder = new Recorder(writer, new Logger("warn"));
  const metrics = new GatewayMetrics(() => [], keys);
  recorder.listen((r) => metrics.observe(r));
  const key = keys.find("sk-bench-default-key")!;
  const usage = { input_tokens: 1200, output_tokens: 300, cache_read_input_tokens: 800, cache_creation_input_tokens: 0 };
  const metering = [{ type: "metering", usage: 0.02 }];
  const n = 50_000;
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const request = new Request("http://localhost/v1/messages", { method: "POST", headers: { "x-claude-code-session-id": "s" } });
    const r = recorder.admit(request, key);
    r.asked("claude-sonnet-4-5", true);
    r.sending("CLAUDE_SONNET_4_5");
    r.attempted("account-1", "ok");
    r.opened();
    recorder.responded(request, 200);
    r.kiroEvents(metering);
    r.ended(usage);
    if (i % 1000 === 999) await writer.flush();
  }
  await writer.close();
  metrics.stop();
  const used = process.cpuUsage(t0);
  console.log(`${"recording one request: record, metrics, batched writes (CPU)".padEnd(58)} ${(((used.user + used.system) / n)).toFixed(1).padStart(8)} µs`);
}

const dir = await mkdtemp(join(tmpdir(), "kiro-records-bench-"));
try {
  await recordingCost(await openRecordStore(join(dir, "recording.db")));
  await measure("SQLite", await openRecordStore(join(dir, "records.db")));
  if (values.postgres) await measure("PostgreSQL", await openRecordStore(values.postgres));
} finally {
  await rm(dir, { recursive: true, force: true });
}

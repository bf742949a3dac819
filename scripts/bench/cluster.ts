/**
 * The cluster row of `bun run bench`: short non-streaming requests through the pass-through proxy, taking turns
 * over the gateways (passthrough.ts), to
 *   alone   one gateway without Redis (the baseline),
 *   redis   one gateway with Redis on (what sharing live state costs per request),
 *   two     two gateways with Redis on, on the same accounts (what a cluster gives),
 * each driven at the same concurrency against the same simulator in the same run. Without a Redis to talk to
 * (REDIS_URL, default redis://127.0.0.1:6379), the row says so and is skipped.
 */
import { RedisClient, type Subprocess } from "bun";
import { redisAnswers } from "../../src/cluster/test-redis";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hello } from "./requests";
import { round } from "./stats";

export interface ClusterSetupResult {
  setup: "alone" | "redis" | "two";
  instances: number;
  redis: boolean;
  requests: number;
  failed: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ClusterResults {
  skipped?: string;
  concurrency: number;
  setups: ClusterSetupResult[];
}

type Process = Pick<Subprocess, "kill" | "exited">;

export interface ClusterBenchOptions {
  simUrl: string;
  /** The simulator's credential files: every gateway gets a copy of its own. */
  credentialFiles: string[];
  work: string;
  /** The gateway command for a config file (binary or source, as the main bench runs it). */
  command: (configPath: string) => string[];
  spawnReady: (cmd: string[]) => Promise<{ proc: Process; line: string }>;
  spawn: (cmd: string[]) => Process;
  freePort: () => number;
  scale: number;
}

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const CONCURRENCY = 16;
const REQUESTS = 3000;

export async function clusterBench(o: ClusterBenchOptions): Promise<ClusterResults> {
  if (!(await redisAnswers(REDIS_URL))) return { skipped: `no Redis answers at ${REDIS_URL}`, concurrency: CONCURRENCY, setups: [] };
  const apiKey = `sk-bench-${crypto.randomUUID()}`;
  const requests = Math.max(200, Math.round(REQUESTS * o.scale));
  const setups: ClusterSetupResult[] = [];
  let n = 0;
  for (const [setup, instances, redis] of [["alone", 1, false], ["redis", 1, true], ["two", 2, true]] as const) {
    const prefix = `kiro-ts-bench-${crypto.randomUUID().slice(0, 8)}:`;
    const gateways: Process[] = [];
    const urls: string[] = [];
    for (let i = 0; i < instances; i++) {
      const dir = join(o.work, `cluster-${n++}`);
      await mkdir(join(dir, "credentials"), { recursive: true });
      for (const file of o.credentialFiles) await copyFile(file, join(dir, "credentials", file.split("/").pop()!));
      const port = o.freePort();
      const config = {
        host: "127.0.0.1",
        port,
        apiKey,
        adminApiKey: `admin-bench-${crypto.randomUUID()}`,
        credentialsDir: "credentials",
        kiroApiBaseUrl: o.simUrl,
        kiroEndpoint: "q",
        kiroAuthBaseUrl: o.simUrl,
        oidcBaseUrl: o.simUrl,
        quotaCheckMinutes: 0,
        ...(redis ? { redisUrl: REDIS_URL, redisKeyPrefix: prefix } : {}),
      };
      await writeFile(join(dir, "config.json"), JSON.stringify(config));
      gateways.push(o.spawn(o.command(join(dir, "config.json"))));
      urls.push(`http://127.0.0.1:${port}`);
    }
    const proxy = await o.spawnReady(["bun", "run", join(import.meta.dir, "passthrough.ts"), ...urls.flatMap((u) => ["--upstream", u])]);
    const front = (JSON.parse(proxy.line) as { url: string }).url;
    try {
      for (const url of urls) await answered(url, apiKey);
      await drive(front, apiKey, Math.round(requests / 5));
      setups.push({ setup, instances, redis, ...(await drive(front, apiKey, requests)) });
    } finally {
      proxy.proc.kill("SIGTERM");
      for (const g of gateways) g.kill("SIGTERM");
      await Promise.all([proxy.proc.exited, ...gateways.map((g) => g.exited)]);
      if (redis) await forget(prefix);
    }
  }
  return { concurrency: CONCURRENCY, setups };
}

/** Polls until the gateway answers a request. */
async function answered(url: string, apiKey: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await send(url, apiKey).catch(() => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`the gateway at ${url} did not answer within 20 s (last status ${status})`);
    await Bun.sleep(20);
  }
}

async function send(url: string, apiKey: string): Promise<number> {
  const res = await fetch(`${url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": apiKey }, body: JSON.stringify(hello()) });
  await res.arrayBuffer();
  return res.status;
}

async function drive(url: string, apiKey: string, count: number): Promise<Omit<ClusterSetupResult, "setup" | "instances" | "redis">> {
  const latencies: number[] = [];
  let failed = 0;
  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started++ < count) {
        const t = performance.now();
        const status = await send(url, apiKey).catch(() => 0);
        latencies.push(performance.now() - t);
        if (status !== 200) failed++;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!, 2);
  return { requests: count, failed, requestsPerSec: round(count / secs, 0), p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** The bench's keys leave the shared Redis with it. */
async function forget(prefix: string): Promise<void> {
  const client = new RedisClient(REDIS_URL);
  try {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.del(...keys);
  } finally {
    client.close();
  }
}

/** The row as lines under the main table: each setup, and what it adds to one gateway alone. */
export function clusterTable(r: ClusterResults): string {
  if (r.skipped) return `cluster: skipped (${r.skipped})`;
  const alone = r.setups.find((s) => s.setup === "alone");
  const label = { alone: "one gateway, no Redis", redis: "one gateway, Redis on", two: "two gateways, Redis on" };
  const lines = [`cluster (round-robin proxy in front, ${r.concurrency} requests at once, short non-streaming replies):`];
  for (const s of r.setups) {
    const added = alone && s !== alone ? `, p50 ${s.p50Ms - alone.p50Ms >= 0 ? "+" : ""}${round(s.p50Ms - alone.p50Ms, 2)} ms vs alone` : "";
    lines.push(`  ${label[s.setup].padEnd(24)} ${String(s.requestsPerSec).padStart(6)} req/s  p50 ${s.p50Ms} ms  p99 ${s.p99Ms} ms${added}${s.failed ? `  FAILED ${s.failed}` : ""}`);
  }
  return lines.join("\n");
}

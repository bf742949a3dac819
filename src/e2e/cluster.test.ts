/**
 * Several real kiro-ts processes on one pool (issue 16): one Redis (a key prefix of their own per test), one
 * PostgreSQL database per test, one simulator whose refresh tokens rotate without grace. Where Redis or PostgreSQL
 * does not answer, these tests are skipped with one line saying so, unless KIRO_TS_REQUIRE_SERVICES=1 (CI).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { redisAnswers } from "../cluster/test-redis";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../records/test-backends";
import { suspended, throttled } from "../simulator/replies";
import { KiroSimulator } from "../simulator/simulator";
import { type GatewayProcess, spawnGateway } from "./drive";

const REDIS = process.env.KIRO_TS_TEST_REDIS ?? "redis://127.0.0.1:6379";
const required = process.env.KIRO_TS_REQUIRE_SERVICES === "1";
/** Processes start, converge and wait out a lock: more than bun's default per test. */
const SLOW = 60_000;
const hello = JSON.stringify({ model: "claude-sonnet-4-6", max_tokens: 32, messages: [{ role: "user", content: "hello" }] });

const redisUp = await redisAnswers(REDIS);
const postgresUp = await postgresAvailable();
if (required && !redisUp) throw new Error(`Redis is required (KIRO_TS_REQUIRE_SERVICES=1) but ${REDIS} does not answer`);
if (!redisUp) console.log(`Redis at ${REDIS} does not answer: the cluster tests are skipped`);
else if (!postgresUp) console.log("PostgreSQL does not answer: the cluster tests are skipped");
const runnable = redisUp && postgresUp;

/** Polls `check` until it holds (a cluster converges in about a second; 15 s is a failure). */
async function eventually(check: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await Bun.sleep(50);
  }
}

const ask = (g: GatewayProcess, key = g.apiKey) =>
  fetch(`${g.url}/v1/messages`, { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: hello }).then(
    async (r) => ({ status: r.status, body: await r.text() }),
    (e: Error) => ({ status: 0, body: e.message }),
  );

const admin = async <T = unknown>(g: GatewayProcess, path: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${g.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "x-api-key": g.adminKey, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return ((await res.json()) as { data: T }).data;
};

type AccountView = { name: string; state: string };
const accountsOf = (g: GatewayProcess) => admin<AccountView[]>(g, "/admin/accounts");

/** A pool of several gateways: the same accounts (each with files of its own), one Redis prefix, one database. */
class TestCluster {
  readonly gateways: GatewayProcess[] = [];
  readonly prefix = `kiro-ts-test-${crypto.randomUUID().slice(0, 8)}:`;

  constructor(
    readonly sim: KiroSimulator,
    readonly db: TestDatabase,
    readonly redisUrl = REDIS,
  ) {}

  /** Accounts in the simulator, as credential files whose access token has expired (each gateway must refresh). */
  accounts(names: string[], expired = false): Record<string, Record<string, unknown>> {
    const files: Record<string, Record<string, unknown>> = {};
    for (const name of names) {
      const credential = this.sim.addAccount({ name, authMethod: "social", usageLimit: 1_000_000 }).credentialJson();
      files[name] = expired ? { ...credential, expiresAt: new Date(Date.now() - 60_000).toISOString() } : credential;
    }
    return files;
  }

  async start(count: number, files: Record<string, Record<string, unknown>>): Promise<GatewayProcess[]> {
    const started = await Promise.all(
      Array.from({ length: count }, () =>
        spawnGateway({
          sim: this.sim,
          accounts: [],
          files,
          config: { redisUrl: this.redisUrl, redisKeyPrefix: this.prefix, database: this.db.database, quotaCheckMinutes: 0, failureCooldownSecs: 30 },
        }),
      ),
    );
    this.gateways.push(...started);
    return started;
  }

  async stop(): Promise<void> {
    await Promise.all(this.gateways.map((g) => g.stop()));
  }
}

describe.skipIf(!runnable)("a cluster of gateways on one Redis and one database", () => {
  let sim: KiroSimulator;
  let db: TestDatabase;
  let cluster: TestCluster;
  let gateways: GatewayProcess[];
  let redis: RedisClient;
  /** The credential files the cluster started from, whose refresh tokens its first refresh rotated away. */
  let stale: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    sim = await KiroSimulator.start({ seed: 16 });
    db = await postgresDatabase();
    cluster = new TestCluster(sim, db);
    stale = cluster.accounts(["a", "b"], true);
    gateways = await cluster.start(3, stale);
    redis = new RedisClient(REDIS);
  }, SLOW);
  afterAll(async () => {
    await cluster.stop();
    await sim.stop();
    await db.drop();
    redis.close();
  }, SLOW);

  test("one refresh per account under concurrent load on every instance; each writes the newest token to its own file", async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(gateways[i % 3]!)));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    expect(sim.account("a")!.refreshCount).toBe(1);
    expect(sim.account("b")!.refreshCount).toBe(1);
    for (const g of gateways) {
      for (const name of ["a", "b"]) {
        await eventually(
          async () => JSON.parse(await readFile(join(g.credentialsDir, `${name}.json`), "utf8")).refreshToken === sim.account(name)!.refreshToken,
          `${name}.json of ${g.url} holds the rotated refresh token`,
        );
      }
    }
  }, SLOW);

  test("an instance starting on stale files takes Redis's newer tokens and refreshes nothing", async () => {
    const [late] = await cluster.start(1, stale);
    expect((await ask(late!)).status).toBe(200);
    expect(sim.account("a")!.refreshCount).toBe(1);
    expect(sim.account("b")!.refreshCount).toBe(1);
    expect(JSON.parse(await readFile(join(late!.credentialsDir, "a.json"), "utf8")).refreshToken).toBe(sim.account("a")!.refreshToken);
  }, SLOW);

  test("a 429 seen by one instance rests that account on all", async () => {
    sim.enqueueFor("a", throttled(45));
    const rested = "a";
    // Until the first instance meets that 429 (it may pick b first); each request is answered, by b.
    await eventually(async () => {
      expect((await ask(gateways[0]!)).status).toBe(200);
      return (await accountsOf(gateways[0]!)).find((a) => a.name === rested)?.state === "cooling";
    }, "the first instance rests a");
    for (const g of gateways) await eventually(async () => (await accountsOf(g)).find((a) => a.name === rested)?.state === "cooling", `${rested} rests on ${g.url}`);
    sim.clearRequests();
    for (const g of gateways) expect((await ask(g)).status).toBe(200);
    expect(sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse")).map((r) => r.account)).not.toContain(rested);
    // Reset on one instance: healthy everywhere again.
    await admin(gateways[2]!, "/admin/accounts/reset", { name: rested });
    for (const g of gateways) await eventually(async () => (await accountsOf(g)).find((a) => a.name === rested)?.state === "healthy", `${rested} healthy on ${g.url}`);
  }, SLOW);

  test("a suspension met by one instance is a suspension on all, in the admin API and /metrics; a reset on another lifts it", async () => {
    const victim = "a";
    sim.enqueueFor(victim, suspended());
    await eventually(async () => {
      expect((await ask(gateways[0]!)).status).toBe(200);
      return (await accountsOf(gateways[0]!)).find((a) => a.name === victim)?.state === "suspended";
    }, "the first instance suspends a");
    for (const g of gateways) await eventually(async () => (await accountsOf(g)).find((a) => a.name === victim)?.state === "suspended", `${victim} suspended on ${g.url}`);
    const scraped = await (await fetch(`${gateways[2]!.url}/metrics`, { headers: { "x-api-key": gateways[2]!.adminKey } })).text();
    expect(scraped).toContain('kiro_ts_accounts{state="suspended"} 1');
    await admin(gateways[1]!, "/admin/accounts/reset", { name: victim });
    for (const g of gateways) await eventually(async () => (await accountsOf(g)).find((a) => a.name === victim)?.state === "healthy", `${victim} healthy on ${g.url}`);
  }, SLOW);

  test("an account added on one instance serves on all, with a file of its own on each; removed on another, it leaves all", async () => {
    const added = sim.addAccount({ name: "c", authMethod: "social" });
    const info = await admin<{ name: string }>(gateways[0]!, "/admin/accounts", { name: "c", refreshToken: added.refreshToken, authMethod: "social" });
    expect(info.name).toBe("c");
    for (const g of gateways) {
      await eventually(async () => (await accountsOf(g)).some((a) => a.name === "c"), `c in the pool of ${g.url}`);
      expect(JSON.parse(await readFile(join(g.credentialsDir, "c.json"), "utf8")).refreshToken).toBe(added.refreshToken);
    }
    // Added with a refresh on the first instance: no other instance refreshed it again.
    expect(added.refreshCount).toBe(1);
    await admin(gateways[1]!, "/admin/accounts/remove", { name: "c", delete_file: true });
    for (const g of gateways) await eventually(async () => !(await accountsOf(g)).some((a) => a.name === "c"), `c gone from ${g.url}`);
  }, SLOW);

  test("a key's requestsPerMinute holds across instances, and usage from every instance is in one query", async () => {
    const made = await admin<{ id: string; key: string }>(gateways[0]!, "/admin/keys", { name: "shared", limits: { requestsPerMinute: 4 } });
    for (const g of gateways) await eventually(async () => (await admin<Array<{ id: string }>>(g, "/admin/keys")).some((k) => k.id === made.id), `the key known to ${g.url}`);
    const statuses = (await Promise.all(gateways.flatMap((g) => [ask(g, made.key), ask(g, made.key)]))).map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    type Usage = { totals: Array<{ key: string; requests: number; errors: number }> };
    await eventually(async () => {
      const usage = await admin<Usage>(gateways[2]!, "/admin/usage?by=key");
      return usage.totals.find((t) => t.key === "shared")?.requests === 6;
    }, "six requests of the key in the usage of one instance");
  }, SLOW);

  test("kill -9 of an instance holding a refresh lock: the others serve every request", async () => {
    const [victim, ...others] = gateways as [GatewayProcess, ...GatewayProcess[]];
    sim.refreshAnswerDelayMs = 1_000;
    sim.account("a")!.expireAccessTokens();
    sim.account("b")!.expireAccessTokens();
    // The victim meets a refused token and refreshes: killed while it holds the lock.
    void ask(victim);
    await eventually(async () => (await redis.keys(`${cluster.prefix}refresh-lock:*`)).length > 0, "a refresh lock held");
    process.kill(victim.pid, "SIGKILL");
    sim.refreshAnswerDelayMs = 0;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => ask(others[i % others.length]!)));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
  }, SLOW);
});

describe.skipIf(!runnable)("Redis stopped and restarted empty", () => {
  const server = Bun.which("redis-server");
  if (!server) {
    if (required) throw new Error("redis-server is required (KIRO_TS_REQUIRE_SERVICES=1) but is not installed");
    console.log("redis-server is not installed: the Redis restart test is skipped");
  }
  let sim: KiroSimulator;
  let db: TestDatabase;
  let port: number;
  let redisServer: ReturnType<typeof Bun.spawn> | undefined;
  const startRedis = async () => {
    redisServer = Bun.spawn([server!, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdout: "ignore", stderr: "ignore" });
    await eventually(() => redisAnswers(`redis://127.0.0.1:${port}`), "redis-server answers");
  };
  const stopRedis = async () => {
    redisServer?.kill("SIGKILL");
    await redisServer?.exited;
  };

  beforeAll(async () => {
    sim = await KiroSimulator.start({ seed: 17 });
    db = await postgresDatabase();
    const probe = Bun.serve({ port: 0, fetch: () => new Response() });
    port = probe.port!;
    probe.stop(true);
  }, SLOW);
  afterAll(async () => {
    await stopRedis();
    await sim.stop();
    await db.drop();
  }, SLOW);

  test.skipIf(!server)("every request answered while Redis is away and after it returns; the instances publish their state again", async () => {
    await startRedis();
    const cluster = new TestCluster(sim, db, `redis://127.0.0.1:${port}`);
    try {
      const gateways = await cluster.start(2, cluster.accounts(["r1", "r2"]));
      let sending = true;
      const statuses: number[] = [];
      const traffic = (async () => {
        for (let i = 0; sending; i++) {
          statuses.push((await ask(gateways[i % 2]!)).status);
          await Bun.sleep(5);
        }
      })();
      const ready = (g: GatewayProcess) => fetch(`${g.url}/ready`).then((r) => r.json() as Promise<{ cluster?: { redis?: string } }>);
      await stopRedis();
      for (const g of gateways) await eventually(async () => (await ready(g)).cluster?.redis === "unreachable", `${g.url} says Redis is unreachable`);
      await startRedis();
      for (const g of gateways) await eventually(async () => (await ready(g)).cluster?.redis === "connected", `${g.url} says Redis is connected`);
      const redis = new RedisClient(`redis://127.0.0.1:${port}`);
      try {
        await eventually(async () => {
          const stored = await redis.get(`${cluster.prefix}credential:r1`);
          return stored !== null && JSON.parse(stored).credential.refreshToken === sim.account("r1")!.refreshToken;
        }, "r1's credential published again");
      } finally {
        redis.close();
      }
      sending = false;
      await traffic;
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
    } finally {
      await cluster.stop();
    }
  }, SLOW);
});

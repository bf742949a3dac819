/**
 * /metrics in Prometheus text, behind the admin key; alertWebhookUrl's POSTs: a suspended account, an account
 * nearly out of quota, no account left — each at most once an hour.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { suspended, text } from "../simulator/replies";
import { post, startGateway, type Gateway } from "./harness";

const ask = { model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }] };

/** The value of one series in a scrape, or undefined. */
function sample(scrape: string, series: string): number | undefined {
  const line = scrape.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/metrics and alerts", () => {
  let g: Gateway;
  let hook: ReturnType<typeof Bun.serve>;
  const alerts: Array<Record<string, string>> = [];

  beforeAll(async () => {
    hook = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async (req) => (alerts.push(await req.json()), new Response("ok")) });
    g = await startGateway({
      accounts: [{ name: "acc-a", authMethod: "social" }, { name: "acc-b", authMethod: "social" }],
      config: { alertWebhookUrl: `http://127.0.0.1:${hook.port}/hook` },
    });
  });
  afterAll(async () => {
    await g.stop();
    hook.stop(true);
  });

  const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${g.adminKey}` }) => fetch(`${g.url}/metrics`, { headers });

  test("the scrape needs the admin key, as Bearer or x-api-key", async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ "x-api-key": g.apiKey })).status).toBe(401);
    const res = await scrape({ "x-api-key": g.adminKey });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  });

  test("requests, their durations, attempts, tokens and credits are counted; accounts by state sum to the pool", async () => {
    g.sim.enqueue(text("hello", { credits: 0.5 }));
    expect((await post(g, "/v1/messages", ask)).status).toBe(200);
    expect((await post(g, "/v1/messages", { ...ask, max_tokens: "x" })).status).toBe(400);
    await Bun.sleep(20);
    const body = await (await scrape()).text();
    expect(sample(body, 'kiro_ts_requests_total{route="/v1/messages",status="200",model="claude-sonnet-4-5"}')).toBe(1);
    expect(sample(body, 'kiro_ts_requests_total{route="/v1/messages",status="400",model=""}')).toBe(1);
    expect(body).toContain("# TYPE kiro_ts_request_duration_seconds histogram");
    expect(sample(body, "kiro_ts_request_duration_seconds_count")).toBe(2);
    expect(sample(body, "kiro_ts_time_to_first_byte_seconds_count")).toBe(1);
    expect(sample(body, 'kiro_ts_upstream_attempts_total{outcome="ok"}')).toBe(1);
    expect(sample(body, 'kiro_ts_tokens_total{kind="input"}')).toBeGreaterThan(0);
    expect(sample(body, 'kiro_ts_tokens_total{kind="output"}')).toBeGreaterThan(0);
    expect(sample(body, "kiro_ts_credits_total")).toBeCloseTo(0.5);
    const states = ["healthy", "cooling", "disabled", "suspended", "standby"].map((s) => sample(body, `kiro_ts_accounts{state="${s}"}`));
    expect(states).toEqual([2, 0, 0, 0, 0]);
    expect(sample(body, "kiro_ts_in_flight")).toBe(0);
    expect(sample(body, "kiro_ts_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    expect(sample(body, "kiro_ts_event_loop_delay_seconds")).toBeGreaterThanOrEqual(0);
    expect(body).toContain("# TYPE kiro_ts_refreshes_total counter");
  });

  test("a suspended account, then no account left: one alert each, not repeated within the hour", async () => {
    g.sim.enqueue(suspended(), suspended());
    const res = await post(g, "/v1/messages", ask);
    expect(res.status).toBeGreaterThanOrEqual(500);
    await g.services.alerts!.check();
    await Bun.sleep(50);
    const kinds = alerts.map((a) => `${a.kind}:${a.account ?? ""}`).sort();
    expect(kinds).toEqual(["account_disabled:acc-a", "account_disabled:acc-b", "no_account:"]);
    expect(alerts[0]).toMatchObject({ text: expect.stringMatching(/^kiro-ts: /), at: expect.any(String) });
    expect(alerts.find((a) => a.kind === "account_disabled")!.message).toMatch(/^account acc-[ab] is disabled \(suspended\): Kiro suspended the account/);
    await g.services.alerts!.check();
    await post(g, "/v1/messages", ask);
    await Bun.sleep(50);
    expect(alerts).toHaveLength(3);
    const body = await (await scrape()).text();
    expect(sample(body, 'kiro_ts_accounts{state="suspended"}')).toBe(2);
    expect(sample(body, 'kiro_ts_accounts{state="disabled"}')).toBe(0);
  });

  test("an account past 90 % of its quota is an alert", async () => {
    const a = g.services.pool.get("acc-a")!;
    a.recordCheck({ currentUsage: 95, usageLimit: 100 } as never);
    await g.services.alerts!.check();
    expect(alerts.filter((x) => x.kind === "quota_high").map((x) => x.account)).toEqual(["acc-a"]);
  });
});

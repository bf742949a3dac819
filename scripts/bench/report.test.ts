import { expect, test } from "bun:test";
import type { CpuRound, LoadResults, LoadRun, PairedLatency, StreamRound } from "./load";
import type { ThreadCpu } from "./proc";
import { rows, table, type BenchResults } from "./report";
import { middleRound } from "./stats";

const latency = (added: number, addedP99: number, otherCores = 0): PairedLatency => ({
  samples: 100,
  otherCores,
  added: { p50: added, p99: addedP99 },
  proxyAdded: { p50: 0.1, p99: 0.9 },
  direct: { p50: 1, p99: 2 },
  gateway: { p50: 1 + added, p99: 2 + addedP99 },
  proxy: { p50: 1.1, p99: 2.9 },
  cpuMsPerRequest: { gateway: 3.5, proxy: 0.4, simulator: 1.2 },
  inside: { gateway: 1, proxy: 1 },
});

const threads = (total: number): ThreadCpu => ({ main: total * 0.7, http: total * 0.2, jit: 0, gc: total * 0.1, other: 0, total });

const cpuRound = (gatewayMs: number, proxyMs: number, referenceMs?: number, rps = [6000, 8000]): CpuRound => ({
  gateway: { requests: rps[0]!, seconds: 1, cpuNsPerRequest: threads(gatewayMs * 1e6) },
  proxy: { requests: rps[1]!, seconds: 1, cpuNsPerRequest: threads(proxyMs * 1e6) },
  ...(referenceMs === undefined ? {} : { referenceNs: referenceMs * 1e6 }),
});

const through = (wallMBps: number, cpuMBps: number) => ({
  eventStreamBytes: 64e6,
  receivedBytes: 70e6,
  wallSeconds: 1,
  wallMBps,
  cpuSeconds: 0.5,
  cpuMBps,
  cpuNs: threads(5e8),
});

const stream = (frameChars: number, gatewayMBps: number, cpuMBps: number, complete = true): StreamRound => ({
  frameChars,
  gateway: through(gatewayMBps, cpuMBps),
  proxy: through(100, 1500),
  complete,
});

const run = (rps: number, concurrency: number): LoadRun => ({
  concurrency,
  seconds: 4,
  requests: rps * 4,
  rps,
  cpuMsPerRequest: { gateway: 0.12, proxy: 0.05, simulator: 0.09, client: 0.03 },
  otherCores: 0.5,
});

function results(overrides: { largeMs?: number[]; chatMs?: number[]; complete?: boolean } = {}): BenchResults {
  const load: LoadResults = {
    latency: {
      small: { sequential: latency(0.2, 2.5), concurrent32: latency(1.5, 9), bodyBytes: 120 },
      large: { sequential: latency(4, 11), concurrent32: { ...latency(20, 180), inside: { gateway: 11, proxy: 4 } }, bodyBytes: 1_021_725, kiroBytes: 1_032_169, parseAndSerialiseMs: 1.4 },
    },
    streaming: { ttfb: latency(0.2, 2) },
    fronts: { chatBytes: 1_010_000, responsesBytes: 1_020_000 },
    load: {
      c64: { gateway: run(6000, 64), proxy: run(12000, 64), direct: run(13000, 64) },
      c256: { gateway: run(7000, 256), proxy: run(8000, 256), direct: run(12000, 256) },
    },
    streams: {
      open: 1000,
      gateway: { opened: 1000, rssBeforeMB: 80, rssMB: 100, simulatorRssMB: 60 },
      proxy: { opened: 1000, rssBeforeMB: 37, rssMB: 52 },
    },
    rounds: {
      large: (overrides.largeMs ?? [3, 4, 3.2]).map((ms) => cpuRound(ms, 1, 2.5)),
      small: [cpuRound(0.15, 0.1), cpuRound(0.2, 0.1, undefined, [5000, 8000]), cpuRound(0.16, 0.1)],
      fronts: (overrides.chatMs ?? [3.2, 3.5, 3.1]).map((ms) => ({ messages: cpuRound(3, 1).gateway, chat: cpuRound(ms, 1).gateway, responses: cpuRound(3.15, 1).gateway })),
      stream: [stream(1024, 90, 200), stream(40, 70, 120, overrides.complete), stream(1024, 85, 190), stream(40, 75, 130), stream(1024, 95, 210), stream(40, 80, 140)],
    },
    frontsWarmUp: { idle: { messages: cpuRound(3, 1).gateway, chat: cpuRound(3.6, 1).gateway, responses: cpuRound(3.3, 1).gateway }, settling: { windows: 3, settled: true, jitShares: [0.1, 0.02, 0.01] } },
    warmUp: { windows: 4, settled: true, jitShares: [0.2, 0.05, 0.01, 0.02], window: { small: 3000, large: 100, chat: 20 } },
    peakRssMB: { gateway: 150, proxy: 90 },
    afterBurstRssMB: { gateway: 110, proxy: 60 },
    errors: [],
  };
  return {
    meta: { date: "2026-01-01T00:00:00.000Z", commit: "abc1234", gateway: "binary", command: "dist/kiro-ts", bun: "1.4.4", cpus: 2, cpuModel: "test", notes: [] },
    start: { firstAnswerMs: [30, 20, 25], idleRssMB: [40, 70, 35] },
    controlIdleRssMB: { proxy: 22, simulator: 30 },
    binaryBytes: 114_000_000,
    load,
  };
}

const find = (all: ReturnType<typeof rows>, metric: string) => {
  const r = all.find((x) => x.metric === metric);
  if (!r) throw new Error(`no row ${metric}`);
  return r;
};

test("under concurrency, the queue inside the gateway is shown beside the added latency it explains", () => {
  const all = rows(results());
  expect(find(all, "1.0 MB Claude Code request, 32 at once: requests inside the gateway at once × its CPU per request")).toMatchObject({
    value: 38.5,
    control: "11.0 inside × 3.50 ms CPU = 38.50 ms; proxy 4.0 inside × 0.40 ms CPU = 1.60 ms",
  });
  expect(all.some((r) => r.metric.startsWith("1.0 MB Claude Code request, sequential: requests inside"))).toBe(false);
});

test("each gated ratio is the median of its rounds, with the least and the most beside it", () => {
  const all = rows(results());
  expect(find(all, "1.0 MB Claude Code request: gateway CPU per request ÷ the proxy's")).toMatchObject({ value: 3.2, min: 3, max: 4, target: "≤ 3.5", pass: true });
  expect(find(all, "1.0 MB Claude Code request: gateway CPU per request ÷ parse the client body + stringify the Kiro object")).toMatchObject({
    value: 1.28,
    target: "≤ 1.3",
    pass: true,
  });
  expect(rows(results({ largeMs: [3.6, 3.4, 3.7] })).find((r) => r.metric.endsWith("÷ the proxy's") && r.metric.startsWith("1.0 MB"))?.pass).toBe(false);
  expect(find(all, "hello at concurrency 64: gateway CPU per request ÷ the proxy's")).toMatchObject({ value: 1.6, min: 1.5, max: 2, pass: true });
  expect(find(all, "hello at concurrency 64: gateway req/s ÷ the proxy's")).toMatchObject({ value: 0.75, min: 0.625, max: 0.75, target: "≥ 0.7", pass: true });
  expect(find(all, "long reply, 1024 chars a frame: gateway MB/s ÷ the proxy's (wall)")).toMatchObject({ value: 0.9, pass: true });
  expect(find(all, "long reply, 40 chars a frame: gateway MB/s ÷ the proxy's (wall)")).toMatchObject({ value: 0.75, pass: false });
  expect(find(all, "long reply, 40 chars a frame: event stream MB per gateway CPU second")).toMatchObject({ value: 130, target: "≥ 150", pass: false });
  expect(find(all, "long reply, 1024 chars a frame: event stream MB per gateway CPU second")).toMatchObject({ value: 200, pass: true });
  expect(find(all, "memory: peak RSS under the bench's load ÷ the proxy's")).toMatchObject({ value: 150 / 90, pass: true });
  // Medians of the three starts.
  expect(find(all, "memory: idle after start (RSS)")).toMatchObject({ value: 40, target: "≤ 40", pass: true });
  expect(find(all, "start to first answered request")).toMatchObject({ value: 25, target: "≤ 50", pass: true });
  expect(find(all, "binary size")).toMatchObject({ value: 114, unit: "MB" });
  expect(find(all, "memory: 1 MB requests four at a time, after the 32-at-once burst (RSS)")).toMatchObject({ value: 110, unit: "MB", control: "proxy 60 MB" });
  const chat = "1.0 MB request as Chat Completions: gateway CPU per request ÷ the same through /v1/messages";
  expect(find(all, chat)).toMatchObject({ value: 3.2 / 3, min: 3.1 / 3, max: 3.5 / 3, target: "≤ 1.1", pass: true });
  expect(find(rows(results({ chatMs: [3.2, 3.4, 3.5] })), chat).pass).toBe(false);
  // The slice before the fronts settle again is shown, never gated.
  const idle = all.find((x) => x.metric.startsWith("1.0 MB request as Chat Completions after the other rows"));
  expect(idle?.value).toBeCloseTo(3.6 / 3);
  expect(idle?.target).toBeUndefined();
  expect(idle?.control).toEndWith("then settled after 3 windows");
  // The Responses front is gated alike, against the same rounds of /v1/messages.
  expect(find(all, "1.0 MB request as a Responses request: gateway CPU per request ÷ the same through /v1/messages")).toMatchObject({ value: 3.15 / 3, target: "≤ 1.1", pass: true });
  expect(all.find((x) => x.metric.startsWith("1.0 MB request as a Responses request after the other rows"))?.value).toBeCloseTo(3.3 / 3);
});

test("the split by thread beside a median is the median round's, so that its parts add up to it", () => {
  // The last round (3.2 ms) is not the median one (3.6 ms): its split would not add up to the figure shown.
  const all = rows(results({ largeMs: [4, 3.6, 3.2], chatMs: [3.5, 3.1, 3.2] }));
  expect(find(all, "1.0 MB Claude Code request: gateway CPU per request ÷ the proxy's").control).toBe(
    "gateway 3.600 ms (main 2.520 ms, http 0.720 ms, jit 0.000 ms, gc 0.360 ms, other 0.000 ms); proxy 1.000 ms",
  );
  expect(find(all, "1.0 MB request as Chat Completions: gateway CPU per request ÷ the same through /v1/messages").control).toStartWith(
    "/v1/chat/completions 3.200 ms (main 2.240 ms, http 0.640 ms,",
  );
  expect(middleRound([5, 1, 4, 2], (x) => x)).toBe(2);
  expect(() => middleRound([], (x: number) => x)).toThrow();
});

test("a long reply that lost characters fails its rate, however fast", () => {
  const all = rows(results({ complete: false }));
  expect(find(all, "long reply, 40 chars a frame: event stream MB per gateway CPU second")).toMatchObject({ value: 0, pass: false });
  expect(find(all, "long reply, 40 chars a frame: gateway MB/s ÷ the proxy's (wall)").control).toContain("NOT every character delivered");
});

test("latencies and req/s inform and never gate", () => {
  const all = rows(results());
  for (const metric of ["hello, sequential: added p50", "hello, 32 at once: added p99", "load: hello at concurrency 64", "1.0 MB Claude Code request, sequential: added p50"]) {
    expect(find(all, metric).target).toBeUndefined();
  }
});

test("figures without a target carry no verdict; controls name the proxy and the noise", () => {
  const all = rows(results());
  const c256 = find(all, "load: hello at concurrency 256");
  expect(c256.target).toBeUndefined();
  expect(c256.pass).toBeUndefined();
  expect(c256.control).toBe("proxy 8000 (gateway 0.88×); simulator alone 12000 [others busy: 0.5 cores]");
  expect(find(all, "hello, sequential: added p50").control).toBe("proxy 0.10 ms; direct 1.00 ms");
});

test("the table lines up one row per figure with ok or MISS", () => {
  const all = rows(results());
  const lines = table(all).split("\n");
  expect(lines).toHaveLength(all.length + 2);
  expect(lines[0]).toStartWith("metric");
  const large = lines.find((l) => l.startsWith("1.0 MB Claude Code request: gateway CPU per request ÷ the proxy's"))!;
  expect(large).toContain("3.20 (3.00–4.00) ×");
  expect(large).toContain("≤ 3.5 ×");
  expect(large).toContain(" ok ");
  expect(lines.find((l) => l.startsWith("long reply, 40 chars a frame: gateway MB/s"))).toContain("MISS");
  // Columns: every "measured" cell ends at the same place.
  const ends = lines.slice(2).map((l, i) => l.indexOf(`${all[i]!.unit}`, all[i]!.metric.length) + all[i]!.unit.length);
  expect(new Set(ends).size).toBe(1);
});

import { expect, test } from "bun:test";
import type { LoadResults, LoadRun, PairedLatency, Throughput } from "./load";
import { rows, table, type BenchResults } from "./report";

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

const through = (cpuMBps: number): Throughput => ({
  eventStreamBytes: 64e6,
  receivedBytes: 70e6,
  wallSeconds: 1,
  wallMBps: 60,
  cpuSeconds: 0.5,
  cpuMBps,
});

const run = (rps: number, concurrency: number): LoadRun => ({
  concurrency,
  seconds: 4,
  requests: rps * 4,
  rps,
  cpuMsPerRequest: { gateway: 0.12, proxy: 0.05, simulator: 0.09, client: 0.03 },
  otherCores: 0.5,
});

function results(overrides: { gatewayRps?: number; idle?: number } = {}): BenchResults {
  const load: LoadResults = {
    latency: {
      small: { sequential: latency(0.2, 2.5), concurrent32: latency(1.5, 9), bodyBytes: 120 },
      large: { sequential: latency(4, 11), concurrent32: { ...latency(20, 180), inside: { gateway: 11, proxy: 4 } }, bodyBytes: 1_021_725, kiroBytes: 1_032_169, parseAndSerialiseMs: 1.4 },
    },
    streaming: { ttfb: latency(0.2, 2), throughput: [
        { frameChars: 1024, direct: through(400), gateway: through(150), proxy: through(2000) },
        { frameChars: 40, direct: through(100), gateway: through(80), proxy: through(1500) },
      ],
    },
    fronts: { chatBytes: 1_010_000, messagesCpuMs: 9.5, chatCpuMs: 10.1 },
    load: {
      c64: { gateway: run(overrides.gatewayRps ?? 6000, 64), proxy: run(12000, 64), direct: run(13000, 64) },
      c256: { gateway: run(7000, 256), proxy: run(8000, 256), direct: run(12000, 256) },
    },
    streams: {
      open: 1000,
      gateway: { opened: 1000, rssBeforeMB: 80, rssMB: 100, simulatorRssMB: 60 },
      proxy: { opened: 1000, rssBeforeMB: 37, rssMB: 52 },
    },
    errors: [],
  };
  return {
    meta: { date: "2026-01-01T00:00:00.000Z", commit: "abc1234", gateway: "binary", command: "dist/kiro-ts", bun: "1.4.4", cpus: 2, cpuModel: "test", notes: [] },
    start: { firstAnswerMs: [30, 20, 25], idleRssMB: [40, 70, 45] },
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

test("each target is judged on its figure", () => {
  const all = rows(results());
  expect(find(all, "hello, sequential: added p50")).toMatchObject({ value: 0.2, target: "≤ 1", pass: true });
  expect(find(all, "hello, 32 at once: added p99")).toMatchObject({ value: 9, target: "≤ 5", pass: false });
  expect(find(all, "1.0 MB Claude Code request, sequential: added p50")).toMatchObject({ value: 4, pass: true });
  expect(find(all, "conversion, 1024 chars a frame: event stream → SSE per gateway CPU second")).toMatchObject({ value: 150, target: "≥ 100", pass: true });
  expect(find(all, "conversion, 40 chars a frame: event stream → SSE per gateway CPU second")).toMatchObject({ value: 80, pass: false });
  expect(find(all, "load: hello at concurrency 64")).toMatchObject({ value: 6000, target: "≥ 5000", pass: true });
  expect(find(all, "memory: 1000 streams open (RSS)")).toMatchObject({ value: 100, pass: true });
  // Medians of the three starts.
  expect(find(all, "memory: idle after start (RSS)")).toMatchObject({ value: 45, pass: true });
  expect(find(all, "start to first answered request")).toMatchObject({ value: 25, pass: true });
  expect(find(all, "binary size")).toMatchObject({ value: 114, unit: "MB" });
  expect(find(all, "1.0 MB request as Chat Completions: gateway CPU per request ÷ the same through /v1/messages")).toMatchObject({ target: "≤ 1.1", pass: true });
  expect(rows(results({ gatewayRps: 4999 })).find((r) => r.metric === "load: hello at concurrency 64")?.pass).toBe(false);
});

test("figures without a target carry no verdict; controls name the proxy and the noise", () => {
  const all = rows(results());
  const c256 = find(all, "load: hello at concurrency 256");
  expect(c256.target).toBeUndefined();
  expect(c256.pass).toBeUndefined();
  expect(c256.control).toBe("proxy 8000 (gateway 0.88×); simulator alone 12000 [others busy: 0.5 cores]");
  expect(find(all, "load: what one core of gateway serves at concurrency 64 (1 / CPU per request)")).toMatchObject({ value: 8333, unit: "req/s" });
  expect(find(all, "hello, sequential: added p50").control).toBe("proxy 0.10 ms; direct 1.00 ms");
});

test("the table lines up one row per figure with ok or MISS", () => {
  const all = rows(results());
  const lines = table(all).split("\n");
  expect(lines).toHaveLength(all.length + 2);
  expect(lines[0]).toStartWith("metric");
  const seq = lines.find((l) => l.startsWith("hello, sequential: added p50"))!;
  expect(seq).toContain("0.20 ms");
  expect(seq).toContain("≤ 1 ms");
  expect(seq).toContain(" ok ");
  expect(lines.find((l) => l.startsWith("hello, 32 at once: added p99"))).toContain("MISS");
  // Columns: every "measured" cell ends at the same place.
  const ends = lines.slice(2).map((l, i) => l.indexOf(`${all[i]!.unit}`, all[i]!.metric.length) + all[i]!.unit.length);
  expect(new Set(ends).size).toBe(1);
});

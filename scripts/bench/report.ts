/**
 * The benchmark's verdict: every figure beside its target and beside the bare proxy that is the floor of any
 * gateway, as a table for people and as rows for the JSON file.
 */
import type { LoadResults, PairedLatency } from "./load";
import { median } from "./stats";

export interface StartResults {
  /** Spawn to the first answered POST /v1/messages, ms, one per start. */
  firstAnswerMs: number[];
  /** Resident memory once idle after that first answer, MB, one per start. */
  idleRssMB: number[];
}

export interface BenchResults {
  meta: {
    date: string;
    commit: string;
    gateway: "binary" | "source";
    command: string;
    bun: string;
    cpus: number;
    cpuModel: string;
    notes: string[];
  };
  start: StartResults;
  /** The bare proxy's and the simulator's idle memory, for scale. */
  controlIdleRssMB: { proxy: number; simulator: number };
  binaryBytes: number | null;
  load: LoadResults;
}

export interface Row {
  metric: string;
  value: number;
  unit: string;
  /** "≤ 1", "≥ 5000"; absent when the figure is reported for information. */
  target?: string;
  pass?: boolean;
  /** The same figure for the bare pass-through proxy (or the simulator alone), when there is one. */
  control?: string;
}

const at = (value: number, limit: number, atMost: boolean) => (atMost ? value <= limit : value >= limit);

function row(metric: string, value: number, unit: string, target?: { atMost: boolean; limit: number }, control?: string): Row {
  return {
    metric,
    value,
    unit,
    ...(target ? { target: `${target.atMost ? "≤" : "≥"} ${target.limit}`, pass: at(value, target.limit, target.atMost) } : {}),
    ...(control ? { control } : {}),
  };
}

const ms = (n: number) => `${n.toFixed(2)} ms`;

/** How many times the control's figure this is. */
const ratio = (value: number, control: number) => `${(value / control).toFixed(2)}×`;

/** Other work on the machine during a measurement, when there was enough to matter. */
const others = (cores: number) => (cores >= 0.1 ? ` [others busy: ${cores.toFixed(1)} cores]` : "");

function latencyRows(label: string, l: PairedLatency, p50Limit: number, p99Limit?: number): Row[] {
  return [
    row(`${label}: added p50`, l.added.p50, "ms", { atMost: true, limit: p50Limit }, `proxy ${ms(l.proxyAdded.p50)}; direct ${ms(l.direct.p50)}${others(l.otherCores)}`),
    row(
      `${label}: added p99`,
      l.added.p99,
      "ms",
      p99Limit === undefined ? undefined : { atMost: true, limit: p99Limit },
      `proxy ${ms(l.proxyAdded.p99)}; direct ${ms(l.direct.p99)}`,
    ),
    ...(l.inside.gateway >= 2 ? [queueRow(label, l)] : []),
  ];
}

/**
 * Under concurrency the added latency is mostly waiting: a request meets the others inside the gateway, each needing
 * its CPU. Beside the measured added p50, this is what that queue alone would explain.
 */
function queueRow(label: string, l: PairedLatency): Row {
  const work = (inside: number, cpu: number) => `${inside.toFixed(1)} inside × ${ms(cpu)} CPU = ${ms(inside * cpu)}`;
  return row(
    `${label}: requests inside the gateway at once × its CPU per request`,
    l.inside.gateway * l.cpuMsPerRequest.gateway,
    "ms",
    undefined,
    `${work(l.inside.gateway, l.cpuMsPerRequest.gateway)}; proxy ${work(l.inside.proxy, l.cpuMsPerRequest.proxy)}`,
  );
}

export function rows(r: BenchResults): Row[] {
  const { latency, streaming, load, streams } = r.load;
  const out: Row[] = [
    ...latencyRows("hello, sequential", latency.small.sequential, 1, 5),
    ...latencyRows("hello, 32 at once", latency.small.concurrent32, 1, 5),
    ...latencyRows(`${(latency.large.bodyBytes / 1e6).toFixed(1)} MB Claude Code request, sequential`, latency.large.sequential, 5),
    ...latencyRows(`${(latency.large.bodyBytes / 1e6).toFixed(1)} MB Claude Code request, 32 at once`, latency.large.concurrent32, 5),
    row(
      `${(latency.large.bodyBytes / 1e6).toFixed(1)} MB Claude Code request: gateway CPU per request`,
      latency.large.sequential.cpuMsPerRequest.gateway,
      "ms",
      undefined,
      `proxy ${ms(latency.large.sequential.cpuMsPerRequest.proxy)}; simulator ${ms(latency.large.sequential.cpuMsPerRequest.simulator)}`,
    ),
    row(
      `${(latency.large.bodyBytes / 1e6).toFixed(1)} MB Claude Code request: JSON parse + serialise alone, the least any converting gateway spends`,
      latency.large.parseAndSerialiseMs,
      "ms",
    ),
    row(
      `${(r.load.fronts.chatBytes / 1e6).toFixed(1)} MB request as Chat Completions: gateway CPU per request ÷ the same through /v1/messages`,
      r.load.fronts.chatCpuMs / r.load.fronts.messagesCpuMs,
      "×",
      { atMost: true, limit: 1.1 },
      `/v1/chat/completions ${ms(r.load.fronts.chatCpuMs)}; /v1/messages ${ms(r.load.fronts.messagesCpuMs)}`,
    ),
    row("streaming: added time to first byte p50", streaming.ttfb.added.p50, "ms", { atMost: true, limit: 1 }, `proxy ${ms(streaming.ttfb.proxyAdded.p50)}${others(streaming.ttfb.otherCores)}`),
    row("streaming: added time to first byte p99", streaming.ttfb.added.p99, "ms", undefined, `proxy ${ms(streaming.ttfb.proxyAdded.p99)}`),
    ...streaming.throughput.flatMap((t) => [
      row(
        `conversion, ${t.frameChars} chars a frame: event stream → SSE per gateway CPU second`,
        t.gateway.cpuMBps,
        "MB/s",
        { atMost: false, limit: 100 },
        `proxy ${t.proxy.cpuMBps} MB/s per CPU s`,
      ),
      row(`conversion, ${t.frameChars} chars a frame: end to end, wall clock`, t.gateway.wallMBps, "MB/s", undefined, `proxy ${t.proxy.wallMBps}; simulator alone ${t.direct.wallMBps}`),
    ]),
  ];
  for (const c of ["c64", "c256"] as const) {
    const l = load[c];
    out.push(
      row(
        `load: hello at concurrency ${l.gateway.concurrency}`,
        l.gateway.rps,
        "req/s",
        c === "c64" ? { atMost: false, limit: 5000 } : undefined,
        `proxy ${l.proxy.rps} (gateway ${ratio(l.gateway.rps, l.proxy.rps)}); simulator alone ${l.direct.rps}${others(l.gateway.otherCores)}`,
      ),
      row(
        `load: gateway CPU per request at concurrency ${l.gateway.concurrency}`,
        l.gateway.cpuMsPerRequest.gateway ?? Number.NaN,
        "ms",
        undefined,
        `proxy ${l.proxy.cpuMsPerRequest.proxy} ms; simulator ${l.gateway.cpuMsPerRequest.simulator} ms`,
      ),
      row(
        `load: what one core of gateway serves at concurrency ${l.gateway.concurrency} (1 / CPU per request)`,
        Math.round(1000 / (l.gateway.cpuMsPerRequest.gateway ?? Number.NaN)),
        "req/s",
        undefined,
        `proxy ${Math.round(1000 / (l.proxy.cpuMsPerRequest.proxy ?? Number.NaN))}; less noisy than req/s on a shared machine`,
      ),
    );
  }
  out.push(
    row(`memory: ${streams.open} streams open (RSS)`, streams.gateway.rssMB, "MB", { atMost: true, limit: 250 }, `proxy ${streams.proxy.rssMB} MB`),
    row(`memory: before opening them`, streams.gateway.rssBeforeMB, "MB", undefined, `proxy ${streams.proxy.rssBeforeMB} MB`),
    row("memory: idle after start (RSS)", median(r.start.idleRssMB), "MB", { atMost: true, limit: 60 }, `proxy ${r.controlIdleRssMB.proxy} MB`),
    row("start to first answered request", median(r.start.firstAnswerMs), "ms", { atMost: true, limit: 200 }),
  );
  if (r.binaryBytes !== null) out.push(row("binary size", Math.round((r.binaryBytes / 1e6) * 10) / 10, "MB"));
  return out;
}

function cell(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? String(Math.round(n)) : n.toFixed(2);
}

/** A plain-text table: metric, measured, target, verdict, control. */
export function table(all: Row[]): string {
  const lines = all.map((r) => [r.metric, `${cell(r.value)} ${r.unit}`, r.target ? `${r.target} ${r.unit}` : "", r.pass === undefined ? "" : r.pass ? "ok" : "MISS", r.control ?? ""]);
  const head = ["metric", "measured", "target", "", "control (same run)"];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [fmt(head), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(fmt)].join("\n");
}

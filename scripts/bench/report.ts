/**
 * The benchmark's verdict: every figure beside its target and beside the bare proxy that is the floor of any
 * gateway, as a table for people and as rows for the JSON file.
 */
import type { CpuRound, LoadResults, PairedLatency } from "./load";
import type { ThreadCpu } from "./proc";
import { FRONT_NAME, FRONT_PATH, OPENAI_FRONTS } from "./requests";
import { median, middleRound } from "./stats";

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
  /** A ratio measured in several rounds: value is their median; these are the least and the most. */
  min?: number;
  max?: number;
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

function latencyRows(label: string, l: PairedLatency): Row[] {
  return [
    row(`${label}: added p50`, l.added.p50, "ms", undefined, `proxy ${ms(l.proxyAdded.p50)}; direct ${ms(l.direct.p50)}${others(l.otherCores)}`),
    row(`${label}: added p99`, l.added.p99, "ms", undefined, `proxy ${ms(l.proxyAdded.p99)}; direct ${ms(l.direct.p99)}`),
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

/** A figure measured once per round: its median is the value, the least and the most go beside it. */
function gated(metric: string, values: number[], unit: string, target: { atMost: boolean; limit: number }, control: string): Row {
  const value = median(values);
  return { ...row(metric, value, unit, target, control), min: Math.min(...values), max: Math.max(...values) };
}

const ms3 = (ns: number) => `${(ns / 1e6).toFixed(3)} ms`;
/** Where a process's CPU went, per request: main (JS), HTTP client, JIT, GC. */
const threads = (c: ThreadCpu) => `main ${ms3(c.main)}, http ${ms3(c.http)}, jit ${ms3(c.jit)}, gc ${ms3(c.gc)}, other ${ms3(c.other)}`;
const medianOf = (rounds: CpuRound[], pick: (r: CpuRound) => number) => median(rounds.map(pick));
/** The gated rows: ratios to the proxy (or to the reference) measured in the same run, one per round. */
function ratioRows(r: BenchResults): Row[] {
  const { rounds, latency } = r.load;
  const mb = `${(latency.large.bodyBytes / 1e6).toFixed(1)} MB`;
  const cpu = (side: CpuRound["gateway"]) => side.cpuNsPerRequest.total;
  const out: Row[] = [
    gated(
      `${mb} Claude Code request: gateway CPU per request ÷ the proxy's`,
      rounds.large.map((x) => cpu(x.gateway) / cpu(x.proxy)),
      "×",
      { atMost: true, limit: 3.5 },
      `gateway ${ms3(medianOf(rounds.large, (x) => cpu(x.gateway)))} (${threads(middleRound(rounds.large, (x) => cpu(x.gateway)).gateway.cpuNsPerRequest)}); proxy ${ms3(medianOf(rounds.large, (x) => cpu(x.proxy)))}`,
    ),
    gated(
      `${mb} Claude Code request: gateway CPU per request ÷ parse the client body + stringify the Kiro object`,
      rounds.large.map((x) => cpu(x.gateway) / x.referenceNs!),
      "×",
      { atMost: true, limit: 1.3 },
      `reference ${ms3(medianOf(rounds.large, (x) => x.referenceNs!))} (thread CPU in the driver)`,
    ),
    gated(
      "hello at concurrency 64: gateway CPU per request ÷ the proxy's",
      rounds.small.map((x) => cpu(x.gateway) / cpu(x.proxy)),
      "×",
      { atMost: true, limit: 1.7 },
      `gateway ${ms3(medianOf(rounds.small, (x) => cpu(x.gateway)))} (${threads(middleRound(rounds.small, (x) => cpu(x.gateway)).gateway.cpuNsPerRequest)}); proxy ${ms3(medianOf(rounds.small, (x) => cpu(x.proxy)))}`,
    ),
    gated(
      "hello at concurrency 64: gateway req/s ÷ the proxy's",
      rounds.small.map((x) => x.gateway.requests / x.gateway.seconds / (x.proxy.requests / x.proxy.seconds)),
      "×",
      { atMost: false, limit: 0.7 },
      `gateway ${Math.round(medianOf(rounds.small, (x) => x.gateway.requests / x.gateway.seconds))} req/s; proxy ${Math.round(medianOf(rounds.small, (x) => x.proxy.requests / x.proxy.seconds))} req/s`,
    ),
  ];
  for (const chars of [...new Set(rounds.stream.map((s) => s.frameChars))]) {
    const these = rounds.stream.filter((s) => s.frameChars === chars);
    const all = these.every((s) => s.complete);
    out.push(
      gated(
        `long reply, ${chars} chars a frame: gateway MB/s ÷ the proxy's (wall)`,
        these.map((s) => s.gateway.wallMBps / s.proxy.wallMBps),
        "×",
        { atMost: false, limit: 0.8 },
        `gateway ${median(these.map((s) => s.gateway.wallMBps))} MB/s, proxy ${median(these.map((s) => s.proxy.wallMBps))} MB/s; ${all ? "every character delivered" : "NOT every character delivered"}`,
      ),
      gated(
        `long reply, ${chars} chars a frame: event stream MB per gateway CPU second`,
        these.map((s) => (all ? s.gateway.cpuMBps : 0)),
        "MB/s",
        { atMost: false, limit: 150 },
        `proxy ${median(these.map((s) => s.proxy.cpuMBps))} MB per CPU s; gateway ${threads(middleRound(these, (x) => x.gateway.cpuNs.total).gateway.cpuNs)} in all`,
      ),
    );
  }
  const peak = r.load.peakRssMB;
  out.push(
    row("memory: peak RSS under the bench's load ÷ the proxy's", peak.gateway / peak.proxy, "×", { atMost: true, limit: 2 }, `gateway ${peak.gateway} MB, proxy ${peak.proxy} MB (VmHWM)`),
    // Issue 17: the OpenAI fronts within 10 % of /v1/messages.
    ...OPENAI_FRONTS.map((front) =>
      gated(
        `${(r.load.fronts[`${front}Bytes`] / 1e6).toFixed(1)} MB request as ${FRONT_NAME[front]}: gateway CPU per request ÷ the same through /v1/messages`,
        rounds.fronts.map((x) => cpu(x[front]) / cpu(x.messages)),
        "×",
        { atMost: true, limit: 1.1 },
        `${FRONT_PATH[front]} ${ms3(median(rounds.fronts.map((x) => cpu(x[front]))))} (${threads(middleRound(rounds.fronts, (x) => cpu(x[front]))[front].cpuNsPerRequest)}); /v1/messages ${ms3(median(rounds.fronts.map((x) => cpu(x.messages))))} (${threads(middleRound(rounds.fronts, (x) => cpu(x.messages)).messages.cpuNsPerRequest)})`,
      ),
    ),
    row("memory: idle after start (RSS)", median(r.start.idleRssMB), "MB", { atMost: true, limit: 40 }, `proxy ${r.controlIdleRssMB.proxy} MB`),
    row("start to first answered request", median(r.start.firstAnswerMs), "ms", { atMost: true, limit: 50 }),
  );
  return out;
}

/** Latencies and req/s: on two shared cores they measure queueing and the neighbours, so they inform, never gate. */
function informationRows(r: BenchResults): Row[] {
  const { latency, streaming, load, streams } = r.load;
  const out: Row[] = [
    ...latencyRows("hello, sequential", latency.small.sequential),
    ...latencyRows("hello, 32 at once", latency.small.concurrent32),
    ...latencyRows(`${(latency.large.bodyBytes / 1e6).toFixed(1)} MB Claude Code request, sequential`, latency.large.sequential),
    ...latencyRows(`${(latency.large.bodyBytes / 1e6).toFixed(1)} MB Claude Code request, 32 at once`, latency.large.concurrent32),
    row(`${(latency.large.bodyBytes / 1e6).toFixed(1)} MB Claude Code request: JSON parse + serialise in the idle driver, wall`, latency.large.parseAndSerialiseMs, "ms"),
    row("streaming: added time to first byte p50", streaming.ttfb.added.p50, "ms", undefined, `proxy ${ms(streaming.ttfb.proxyAdded.p50)}${others(streaming.ttfb.otherCores)}`),
    row("streaming: added time to first byte p99", streaming.ttfb.added.p99, "ms", undefined, `proxy ${ms(streaming.ttfb.proxyAdded.p99)}`),
  ];
  for (const c of ["c64", "c256"] as const) {
    const l = load[c];
    out.push(
      row(
        `load: hello at concurrency ${l.gateway.concurrency}`,
        l.gateway.rps,
        "req/s",
        undefined,
        `proxy ${l.proxy.rps} (gateway ${ratio(l.gateway.rps, l.proxy.rps)}); simulator alone ${l.direct.rps}${others(l.gateway.otherCores)}`,
      ),
      row(`load: gateway CPU per request at concurrency ${l.gateway.concurrency}`, l.gateway.cpuMsPerRequest.gateway ?? Number.NaN, "ms", undefined, `proxy ${l.proxy.cpuMsPerRequest.proxy} ms; simulator ${l.gateway.cpuMsPerRequest.simulator} ms`),
    );
  }
  const { idle, settling } = r.load.frontsWarmUp;
  for (const front of OPENAI_FRONTS) {
    out.push(
      row(
        `${(r.load.fronts[`${front}Bytes`] / 1e6).toFixed(1)} MB request as ${FRONT_NAME[front]} after the other rows (that front's compiled code thrown away), one slice: ÷ /v1/messages`,
        idle[front].cpuNsPerRequest.total / idle.messages.cpuNsPerRequest.total,
        "×",
        undefined,
        `${FRONT_PATH[front]} ${ms3(idle[front].cpuNsPerRequest.total)} (${threads(idle[front].cpuNsPerRequest)}); then ${settling.settled ? "settled" : "not settled"} after ${settling.windows} windows`,
      ),
    );
  }
  out.push(
    row(`memory: ${streams.open} streams open (RSS)`, streams.gateway.rssMB, "MB", undefined, `proxy ${streams.proxy.rssMB} MB`),
    row(`memory: before opening them`, streams.gateway.rssBeforeMB, "MB", undefined, `proxy ${streams.proxy.rssBeforeMB} MB`),
    row("memory: 1 MB requests four at a time, after the 32-at-once burst (RSS)", r.load.afterBurstRssMB.gateway, "MB", undefined, `proxy ${r.load.afterBurstRssMB.proxy} MB`),
  );
  if (r.binaryBytes !== null) out.push(row("binary size", Math.round((r.binaryBytes / 1e6) * 10) / 10, "MB"));
  return out;
}

export function rows(r: BenchResults): Row[] {
  return [...ratioRows(r), ...informationRows(r)];
}

function cell(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? String(Math.round(n)) : n.toFixed(2);
}

/** A plain-text table: metric, measured, target, verdict, control. */
export function table(all: Row[]): string {
  const lines = all.map((r) => [r.metric, `${cell(r.value)}${r.min === undefined ? "" : ` (${cell(r.min)}–${cell(r.max!)})`} ${r.unit}`, r.target ? `${r.target} ${r.unit}` : "", r.pass === undefined ? "" : r.pass ? "ok" : "MISS", r.control ?? ""]);
  const head = ["metric", "measured: median (min–max of the rounds)", "target", "", "control (same run)"];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [fmt(head), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(fmt)].join("\n");
}

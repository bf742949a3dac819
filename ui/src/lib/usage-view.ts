/** The Usage page's arithmetic: ranges to queries, a report to chart series, and the report as CSV. */
import type { UsageBucket, UsageGroup, UsageQuery, UsageReport } from "../api/records-types";

export const RANGES = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000, "90d": 90 * 86_400_000 } as const;
export type Range = keyof typeof RANGES;
export type UsageMetric = "requests" | "tokens" | "credits";

/** Hours for a day or a week, days beyond. */
export const bucketFor = (range: Range): UsageBucket => (RANGES[range] <= RANGES["7d"] ? "hour" : "day");

export function usageQuery(range: Range, by: UsageGroup, now: number): UsageQuery {
  return { by, bucket: bucketFor(range), from: new Date(now - RANGES[range]).toISOString(), to: new Date(now).toISOString() };
}

type Sums = UsageReport["totals"][number];

export function metricOf(s: Omit<Sums, "key">, metric: UsageMetric): number {
  if (metric === "requests") return s.requests;
  if (metric === "credits") return s.credits;
  return s.inputTokens + s.outputTokens + s.cacheReadTokens + s.cacheWriteTokens;
}

export interface ChartData {
  /** Bucket starts, in seconds (uPlot's time unit). */
  x: number[];
  series: Array<{ name: string; values: number[] }>;
}

/** The `top` biggest groups by the metric, the rest summed as "other" (named by the caller). */
export function chartData(report: UsageReport, metric: UsageMetric, top: number, otherName: string): ChartData {
  const x = (report.series[0]?.points ?? []).map((p) => Date.parse(p.start) / 1000);
  const ranked = [...report.series].sort(
    (a, b) => b.points.reduce((n, p) => n + metricOf(p, metric), 0) - a.points.reduce((n, p) => n + metricOf(p, metric), 0),
  );
  const series = ranked.slice(0, top).map((s) => ({ name: s.key, values: s.points.map((p) => metricOf(p, metric)) }));
  const rest = ranked.slice(top);
  if (rest.length) series.push({ name: otherName, values: x.map((_, i) => rest.reduce((n, s) => n + metricOf(s.points[i]!, metric), 0)) });
  return { x, series };
}

const cell = (v: string | number) => (typeof v === "number" ? String(v) : /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** One line per group and bucket, with every figure; empty buckets left out. */
export function usageCsv(report: UsageReport): string {
  const head = [report.by, "start", "requests", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "credits"];
  const lines = [head.join(",")];
  for (const s of report.series) {
    for (const p of s.points) {
      if (p.requests === 0) continue;
      lines.push([s.key, p.start, p.requests, p.errors, p.inputTokens, p.outputTokens, p.cacheReadTokens, p.cacheWriteTokens, p.credits].map(cell).join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}

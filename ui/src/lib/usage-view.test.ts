import { describe, expect, test } from "bun:test";
import type { UsageReport } from "../api/records-types";
import { bucketFor, chartData, usageCsv, usageQuery } from "./usage-view";

const point = (start: string, requests: number, credits = 0) => ({
  start, requests, errors: 0, inputTokens: requests * 10, outputTokens: requests, cacheReadTokens: 0, cacheWriteTokens: 0, credits,
});
const report: UsageReport = {
  by: "key", bucket: "hour", from: "2026-12-01T00:00:00.000Z", to: "2026-12-01T02:00:00.000Z",
  series: [
    { key: "alice", points: [point("2026-12-01T00:00:00.000Z", 3, 0.5), point("2026-12-01T01:00:00.000Z", 0)] },
    { key: 'bob "the, builder"', points: [point("2026-12-01T00:00:00.000Z", 1), point("2026-12-01T01:00:00.000Z", 5, 1)] },
    { key: "carol", points: [point("2026-12-01T00:00:00.000Z", 1), point("2026-12-01T01:00:00.000Z", 1)] },
  ],
  totals: [],
};

describe("usage view", () => {
  test("a day or a week in hours, longer ranges in days", () => {
    expect(bucketFor("24h")).toBe("hour");
    expect(bucketFor("7d")).toBe("hour");
    expect(bucketFor("30d")).toBe("day");
    expect(usageQuery("24h", "model", Date.UTC(2026, 11, 2))).toEqual({ by: "model", bucket: "hour", from: "2026-12-01T00:00:00.000Z", to: "2026-12-02T00:00:00.000Z" });
  });

  test("the biggest groups by the metric, the rest summed as other", () => {
    const data = chartData(report, "requests", 1, "other");
    expect(data.x).toEqual([Date.UTC(2026, 11, 1) / 1000, Date.UTC(2026, 11, 1, 1) / 1000]);
    expect(data.series).toEqual([
      { name: 'bob "the, builder"', values: [1, 5] },
      { name: "other", values: [4, 1] },
    ]);
    expect(chartData(report, "credits", 5, "other").series.map((s) => s.name)).toEqual(['bob "the, builder"', "alice", "carol"]);
    expect(chartData(report, "tokens", 5, "other").series[0]!.values).toEqual([11, 55]);
  });

  test("CSV: one line per group and busy bucket, names quoted when they must be", () => {
    expect(usageCsv(report).split("\n")).toEqual([
      "key,start,requests,errors,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,credits",
      "alice,2026-12-01T00:00:00.000Z,3,0,30,3,0,0,0.5",
      '"bob ""the, builder""",2026-12-01T00:00:00.000Z,1,0,10,1,0,0,0',
      '"bob ""the, builder""",2026-12-01T01:00:00.000Z,5,0,50,5,0,0,1',
      "carol,2026-12-01T00:00:00.000Z,1,0,10,1,0,0,0",
      "carol,2026-12-01T01:00:00.000Z,1,0,10,1,0,0,0",
      "",
    ]);
  });
});

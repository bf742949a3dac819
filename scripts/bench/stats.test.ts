import { describe, expect, test } from "bun:test";
import { percentile, round, spread } from "./stats";

describe("percentile", () => {
  test("nearest rank over unsorted samples", () => {
    const samples = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10];
    expect(percentile(samples, 50)).toBe(5);
    expect(percentile(samples, 90)).toBe(9);
    expect(percentile(samples, 99)).toBe(10);
    expect(percentile(samples, 0)).toBe(1);
    expect(samples[0]).toBe(9);
  });

  test("one sample is every percentile; none is NaN", () => {
    expect(spread([4.2])).toEqual({ p50: 4.2, p99: 4.2 });
    expect(percentile([], 50)).toBeNaN();
  });

  test("p99 of 1000 samples is the 990th", () => {
    const samples = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(spread(samples)).toEqual({ p50: 500, p99: 990 });
  });
});

test("round keeps the decimals asked for", () => {
  expect(round(1.23456)).toBe(1.235);
  expect(round(1234.56, 0)).toBe(1235);
  expect(round(-0.0004)).toBe(-0);
});

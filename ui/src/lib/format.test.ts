import { expect, test } from "bun:test";
import { formatCredits } from "./format";

test("credits keep up to three decimals, so a request's hundredths read the same on every page", () => {
  expect(formatCredits(0.05, "en")).toBe("0.05");
  expect(formatCredits(0.0125, "en")).toBe("0.013");
  expect(formatCredits(1234.5, "en")).toBe("1,234.5");
  expect(formatCredits(12, "zh")).toBe("12");
});

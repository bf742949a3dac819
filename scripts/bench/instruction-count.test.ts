import { describe, expect, test } from "bun:test";
import { compare, TOLERANCE } from "./instruction-count";

const recorded = { bun: "1.4.4", date: "2026-12-04", counts: { hello: 400_000, "1 MB request": 9_000_000, "1 MB reference": 6_000_000 } };

describe("compare", () => {
  test("a count above its record by more than the tolerance fails the check; one within it does not", () => {
    const within = compare({ hello: Math.floor(400_000 * (1 + TOLERANCE)) }, recorded, "1.4.4");
    expect(within.over).toEqual([]);
    expect(within.lines[0]).toBe("hello: 420,000 instructions a request (+5.0 % against 400,000 recorded with Bun 1.4.4)");
    const above = compare({ hello: 420_001, "1 MB request": 8_000_000 }, recorded, "1.4.4");
    expect(above.over).toEqual(["hello"]);
    expect(above.lines[1]).toBe("1 MB request: 8,000,000 instructions a request (-11.1 % against 9,000,000 recorded with Bun 1.4.4)");
  });

  test("a record from another Bun is shown, never checked", () => {
    const { lines, over } = compare({ hello: 900_000 }, recorded, "1.5.0");
    expect(over).toEqual([]);
    expect(lines).toContain("the record was taken with Bun 1.4.4, this is 1.5.0: not checked");
  });

  test("the 1 MB request is set against its reference, and a case without a record is only counted", () => {
    const { lines, over } = compare({ "1 MB request": 9_000_000, "1 MB reference": 6_000_000, "hello, streamed": 450_000 }, recorded, "1.4.4");
    expect(over).toEqual([]);
    expect(lines).toContain("hello, streamed: 450,000 instructions a request");
    expect(lines).toContain("1 MB request ÷ its reference: 1.50× in instructions");
  });

  test("the 1 MB request as Chat Completions is set against the same through /v1/messages", () => {
    const { lines } = compare({ "1 MB request": 8_000_000, "1 MB as Chat Completions": 8_800_000 }, recorded, "1.4.4");
    expect(lines).toContain("1 MB as Chat Completions ÷ through /v1/messages: 1.10× in instructions");
    expect(compare({ "1 MB request": 8_000_000 }, recorded, "1.4.4").lines.some((l) => l.includes("Chat Completions"))).toBe(false);
    expect(compare({ "1 MB request": 8_000_000, "1 MB as a Responses request": 8_400_000 }, recorded, "1.4.4").lines).toContain("1 MB as a Responses request ÷ through /v1/messages: 1.05× in instructions");
  });

  test("the 1 MB request with a dash in its system prompt is set against the same without, and has no record yet", () => {
    const { lines, over } = compare({ "1 MB request": 8_000_000, "1 MB request, a dash in its system prompt": 8_400_000 }, recorded, "1.4.4");
    expect(lines).toContain("1 MB request with a dash in its system prompt ÷ without: 1.05× in instructions");
    expect(lines).toContain("1 MB request, a dash in its system prompt: 8,400,000 instructions a request");
    expect(over).toEqual([]);
  });
});

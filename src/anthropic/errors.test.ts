import { describe, expect, test } from "bun:test";
import { GatewayError } from "../errors";
import { errorBody, errorResponse } from "./errors";

describe("errorBody", () => {
  test("the Anthropic shape, the message as given when it is of ordinary length", () => {
    expect(errorBody("invalid_request", "messages.0.content.0: unknown content block type \"foo\"")).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: 'messages.0.content.0: unknown content block type "foo"' },
    });
  });

  test("a message quoting a huge client value keeps its head and its tail, and says how much was left out", () => {
    const model = "x".repeat(5_000_000);
    const message = `model "${model}" is not supported; use a Claude model such as claude-sonnet-4-6`;
    const shown = errorBody("invalid_request", message).error.message;
    expect(shown.length).toBeLessThan(2_000);
    expect(shown).toStartWith('model "xxxx');
    expect(shown).toEndWith("is not supported; use a Claude model such as claude-sonnet-4-6");
    const left = Number(/…\((\d+) characters left out\)…/.exec(shown)?.[1]);
    expect(shown.length - `…(${left} characters left out)…`.length + left).toBe(message.length);
  });

  test("no half of a surrogate pair at either edge of the cut", () => {
    // One ASCII character at each end puts both cut points inside a pair.
    const message = `a${"😀".repeat(10_000)}b`;
    const shown = errorBody("invalid_request", message).error.message;
    expect(shown.isWellFormed()).toBe(true);
    expect(shown).toMatch(/^a(😀)+…\(\d+ characters left out\)…(😀)+b$/);
  });
});

describe("errorResponse", () => {
  test("status by kind, JSON body, Retry-After rounded up to whole seconds", async () => {
    const res = errorResponse(new GatewayError("rate_limited", "slow down", { retryAfterSecs: 2.2 }));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect(await res.json()).toEqual({ type: "error", error: { type: "rate_limit_error", message: "slow down" } });
  });
});

/** A JSON answer reads the same whether it fits the server's cork buffer or is written as a stream. */
import { describe, expect, test } from "bun:test";
import { jsonAnswer } from "./json-answer";

describe("a JSON answer", () => {
  test("small: one body with its length; large: the same pieces streamed; both as JSON", async () => {
    const small = jsonAnswer(['{"a":', '"é"', "}"]);
    expect(small.headers.get("content-type")).toBe("application/json;charset=utf-8");
    expect(await small.text()).toBe('{"a":"é"}');

    const long = "x — é ".repeat(2_000);
    const large = jsonAnswer(['{"a":"', long, '","b":', "[1,2]", "}"]);
    expect(large.headers.get("content-type")).toBe("application/json;charset=utf-8");
    expect(large.body).toBeInstanceOf(ReadableStream);
    expect(await large.json()).toEqual({ a: long, b: [1, 2] });
  });
});

import { describe, expect, test } from "bun:test";
import { GatewayError } from "../errors";
import { eventFrame, exceptionFrame } from "../simulator/frames";
import { UpstreamError } from "./http";
import { openReply } from "./reply";

/** A reply body that sends `chunks`, then fails with `error` if one is given. */
function body(chunks: Uint8Array[], error?: Error): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      const next = chunks.shift();
      if (next) return controller.enqueue(next);
      await Bun.sleep(1);
      if (error) controller.error(error);
      else controller.close();
    },
  });
}

const text = (content: string) => eventFrame("assistantResponseEvent", { content });

describe("openReply", () => {
  test("an exception that opens the reply is a 'no' the pool classifies like the same HTTP status", async () => {
    const error = await openReply(body([exceptionFrame("ThrottlingException", { message: "Too many requests" })]).getReader()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ exceptionType: "ThrottlingException", kind: "throttled", upstreamMessage: "Too many requests" });
  });

  test("an exception the table does not know is left to the stream", async () => {
    const reply = await openReply(body([exceptionFrame("ContentLengthExceededException", { message: "long" })]).getReader());
    expect(reply.first).toEqual([{ type: "exception", exceptionType: "ContentLengthExceededException", message: "long" }]);
  });

  test("a failure before the first event stays an UpstreamError, free to move to another account", async () => {
    const error = await openReply(body([], new Error("socket hang up")).getReader()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(0);
  });

  test("once the reply has begun, a failure says the reply was cut off", async () => {
    const reply = await openReply(body([text("Hel")], new Error("socket hang up")).getReader());
    expect(JSON.parse(JSON.stringify(reply.first))).toEqual([{ type: "text", content: "Hel" }]);
    const error = await reply.rest.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ kind: "overloaded", message: "the Kiro reply was cut off mid-stream (socket hang up)" });
  });

  test("a body cut mid-frame after the reply began is a cut-off reply too", async () => {
    const frame = text("lo");
    const reply = await openReply(body([text("Hel"), frame.slice(0, 10)]).getReader());
    const error = await reply.rest.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).message).toStartWith("the Kiro reply was cut off mid-stream (");
  });
});

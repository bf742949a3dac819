/**
 * A Responses answer repeats the request's `tools` and `instructions` as the client wrote them (echo.ts): the JSON
 * a client reads is the one serialising the parsed request would give, whether the body reader kept their text or not.
 */
import { describe, expect, test } from "bun:test";
import { BodyBudget, jsonBodyReader } from "../http/body";
import { Random } from "../simulator/random";
import { ECHOED_AS_SENT, Echo } from "./echo";
import { RESPONSES_PASSED_THROUGH } from "./passed-through";
import type { ResponseObject } from "./schemas";
import { ResponsesRequest } from "./schemas";
import { ResponsesWriter } from "./responses-reply";
import { ToolSet } from "./tools";

const limits = { maxBytes: 64 * 1024 * 1024, budget: new BodyBudget(1e12) };
const kept = jsonBodyReader<ResponsesRequest>(ResponsesRequest, limits, RESPONSES_PASSED_THROUGH, ECHOED_AS_SENT);
const plain = jsonBodyReader<ResponsesRequest>(ResponsesRequest, limits);
const read = (reader: typeof kept, text: string) => reader(new Request("http://localhost/v1/responses", { method: "POST", body: text }));

/** The finished response the writer gives for `body`, before it is written. */
function responseTo(body: ResponsesRequest, echo: Echo): ResponseObject {
  return new ResponsesWriter({ id: "resp_1", model: body.model, createdAt: 1, tools: new ToolSet(), compaction: false, echo: echo.values }).response;
}

/** The answer and a created event as a client reads them, and what serialising the parsed request gives. */
async function written(text: string) {
  const body = await read(kept, text);
  const echo = new Echo(body);
  const reference = await read(plain, text);
  const expected = responseTo(reference, new Echo(reference));
  return {
    answer: echo.responsePieces(responseTo(body, echo)).join(""),
    event: echo.eventJson({ type: "response.created", response: responseTo(body, echo), sequence_number: 0 }),
    expected: JSON.stringify(expected),
    expectedEvent: JSON.stringify({ type: "response.created", response: expected, sequence_number: 0 }),
  };
}

describe("the echo of tools and instructions", () => {
  test("written as the client's text: the same JSON values, the client's escapes kept", async () => {
    const tools = `[{"type":"function","name":"read","description":"Reads \\u00e9 \\"files\\"\\n","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}]`;
    const text = `{"model":"m","instructions":"Be brief \\u2014 \\\\ \\/ é","tools":${tools},"input":"hi"}`;
    const { answer, event, expected, expectedEvent } = await written(text);
    expect(answer).toContain(`"tools":${tools}`);
    expect(answer).toContain(`"instructions":"Be brief \\u2014 \\\\ \\/ é"`);
    expect(JSON.parse(answer)).toEqual(JSON.parse(expected));
    expect(event).toContain(`"tools":${tools}`);
    expect(JSON.parse(event)).toEqual(JSON.parse(expectedEvent));
  });

  test("text spanning lines, a key given twice, no tools: serialised from the parsed values", async () => {
    const cases = [
      `{"model":"m","instructions":"x","tools":[\n{"type":"function","name":"a"}\n],"input":"hi"}`,
      `{"model":"m","instructions":"first","instructions":null,"tools":[{"type":"function","name":"a"}],"tools":[{"type":"function","name":"b"}],"input":"hi"}`,
      `{"model":"m","input":"hi"}`,
    ];
    for (const text of cases) {
      const { answer, event, expected, expectedEvent } = await written(text);
      expect(answer).toBe(expected);
      expect(event).toBe(expectedEvent);
    }
    expect(JSON.parse((await written(cases[1]!)).answer)).toMatchObject({ instructions: null, tools: [{ name: "b" }] });
  });

  test("random tools and instructions with every kind of escape: the JSON a client reads is the parsed request's", async () => {
    const random = new Random(17);
    const pieces = ["word ", "\n", "\t", '"', "\\", "/", "\u0001", "é", "東京", "🚀", "\ud83d", "\u2028", "\u0000"];
    const str = (n: number) => Array.from({ length: n }, () => pieces[Math.floor(random.next() * pieces.length)]).join("");
    for (let i = 0; i < 200; i++) {
      const tools = Array.from({ length: 1 + Math.floor(random.next() * 4) }, (_, k) => ({ type: "function", name: `t${k}`, description: str(20 + Math.floor(random.next() * 300)), parameters: { type: "object", properties: { [str(5)]: { type: "string", enum: [str(8), 3, null, true] } } } }));
      const body = { model: "m", instructions: str(Math.floor(random.next() * 2000)), tools, input: [{ role: "user", content: str(400) }] };
      const { answer, event, expected, expectedEvent } = await written(JSON.stringify(body));
      expect(answer).toBe(expected);
      expect(event).toBe(expectedEvent);
    }
  });
});

/**
 * The OpenAI routes' body readers keep long message texts and tool outputs as the client's text (http/verbatim.ts,
 * passed-through.ts); that must change nothing Kiro or the client sees: on every request shape the Kiro JSON is
 * byte for byte the one the plain reader leads to, the token estimate is the same, and a body one refuses the other
 * refuses with the same words.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { asChatCompletion, claudeCode } from "../../scripts/bench/requests";
import {
  conversationJson,
  convertRequest,
  withoutReasoning,
} from "../anthropic/convert";
import type { MessagesRequest } from "../anthropic/schemas";
import { estimateInputTokens } from "../anthropic/tokens";
import { BodyBudget, jsonBodyReader } from "../http/body";
import { type JsonPiece, verbatimOf } from "../http/verbatim";
import { requestBytes } from "../kiro/request-bytes";
import { chatToMessages } from "./chat-request";
import {
  CHAT_PASSED_THROUGH,
  keptStrings,
  RESPONSES_PASSED_THROUGH,
} from "./passed-through";
import { responsesToMessages } from "./responses-request";
import { ChatCompletionsRequest, ResponsesRequest } from "./schemas";
import { Random } from "../simulator/random";

const limits = { maxBytes: 64 * 1024 * 1024, budget: new BodyBudget(1e12) };
/** The Kiro JSON as Kiro receives it: the pieces written as request-bytes.ts writes them. */
const sent = (pieces: JsonPiece[]) => new TextDecoder().decode(requestBytes(pieces));

type Front = {
  plain: (r: Request) => Promise<unknown>;
  kept: (r: Request) => Promise<unknown>;
  /** The converted Messages request, with the kept strings' table as routes.ts hands it on. */
  convert: (body: unknown) => MessagesRequest;
};

const chat: Front = {
  plain: jsonBodyReader<ChatCompletionsRequest>(ChatCompletionsRequest, limits),
  kept: jsonBodyReader<ChatCompletionsRequest>(
    ChatCompletionsRequest,
    limits,
    CHAT_PASSED_THROUGH,
  ),
  convert: (body) => {
    const b = body as ChatCompletionsRequest;
    const { verbatim } = keptStrings(b, b.messages);
    const { request } = chatToMessages(b);
    return verbatim ? verbatim.attach(request) : request;
  },
};

const responses: Front = {
  plain: jsonBodyReader<ResponsesRequest>(ResponsesRequest, limits),
  kept: jsonBodyReader<ResponsesRequest>(
    ResponsesRequest,
    limits,
    RESPONSES_PASSED_THROUGH,
  ),
  convert: (body) => {
    const b = body as ResponsesRequest;
    const { verbatim } = keptStrings(b, b.input);
    const { request } = responsesToMessages(b);
    return verbatim ? verbatim.attach(request) : request;
  },
};

/** Everything the request leads to: the Kiro JSON (with and without replayed reasoning), the estimate, or the refusal. */
async function outcome(
  front: Front,
  read: Front["plain"],
  text: string,
): Promise<string> {
  let request: MessagesRequest;
  try {
    request = front.convert(
      await read(
        new Request("http://localhost/v1/x", { method: "POST", body: text }),
      ),
    );
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
  const tokens = estimateInputTokens(request);
  let converted;
  try {
    converted = convertRequest(request, {
      conversationId: "c0ffee00-0000-4000-8000-000000000000",
      cachePoints: true,
    });
  } catch (e) {
    return `tokens ${tokens}; not converted: ${(e as Error).message}`;
  }
  const table = verbatimOf(request);
  if (read === front.kept) cuts += table?.size ?? 0;
  const stripped = withoutReasoning(converted.conversationState);
  const json = [
    sent(conversationJson(converted.conversationState, table)),
    stripped ? sent(conversationJson(stripped, table)) : "",
  ].join("\n");
  return `tokens ${tokens}\n${json.replace(/"agentContinuationId":"[^"]+"/g, '"agentContinuationId":"-"')}`;
}

async function same(front: Front, text: string): Promise<string> {
  const expected = await outcome(front, front.plain, text);
  expect(await outcome(front, front.kept, text)).toBe(expected);
  return expected;
}

/** Text drawn from what makes JSON escaping and token counting differ, and the thinking tags the converter looks for. */
const PIECES = [
  "line of code ",
  "\n",
  "\t",
  '"',
  "\\",
  "/",
  "\b",
  "\f",
  "\r",
  "\u0001",
  "東京",
  "🚀",
  "\ud83d",
  "\ude80",
  "é",
  "\u2028",
  " ",
  "<thinking_mode>enabled</thinking_mode>",
  "\u0000",
];
/** The pieces JSON.stringify writes without a \u escape: texts made of them only are the ones kept. */
const KEPT_PIECES = PIECES.filter(
  (p) => !/^[\u0000\u0001\ud83d\ude80]$/.test(p),
);

function text(next: () => number, length: number): string {
  const pieces = next() < 0.6 ? KEPT_PIECES : PIECES;
  let out = "";
  while (out.length < length)
    out += pieces[Math.floor(next() * pieces.length)]!;
  return out;
}

/** Strings the kept reader cut out, so a test can show it kept some. */
let cuts = 0;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? files(path)
      : path.endsWith(".json")
        ? [path]
        : [];
  });
}

const grown = (body: string) =>
  body.replace(
    /"(text|content|output|input)":"([^"\\]{0,40})/g,
    (_, k: string, t: string) => `"${k}":"${t}${"\\n\\tmore text ".repeat(40)}`,
  );

describe("the OpenAI fronts keep long strings as the client's text and change nothing downstream", () => {
  test("the client corpus: every recorded Chat Completions and Responses request, as sent and with long texts", async () => {
    let n = 0;
    for (const file of files(
      join(import.meta.dir, "..", "e2e", "fixtures", "clients"),
    )) {
      const fixture = JSON.parse(readFileSync(file, "utf8")) as {
        api?: string;
        body?: unknown;
      };
      const front =
        fixture.api === "openai-chat"
          ? chat
          : fixture.api === "openai-responses"
            ? responses
            : undefined;
      if (!front || fixture.body === undefined) continue;
      const body =
        typeof fixture.body === "string"
          ? fixture.body
          : JSON.stringify(fixture.body);
      await same(front, body);
      await same(front, grown(body));
      n++;
    }
    expect(n).toBeGreaterThan(5);
  });

  test("the bench's Claude Code conversation as Chat Completions", async () => {
    for (const [bytes, history] of [
      [20_000, 4],
      [1_000_000, 200],
    ] as const) {
      for (const stream of [false, true])
        expect(
          await same(
            chat,
            asChatCompletion(claudeCode({ bytes, tools: 20, history, stream })),
          ),
        ).toStartWith("tokens");
    }
  });

  test("random Chat Completions texts with every kind of escape, in every place a string can be kept", async () => {
    cuts = 0;
    const random = new Random(23);
    const next = () => random.next();
    for (let i = 0; i < 120; i++) {
      const long = () => text(next, Math.floor(next() * 900));
      const parts = () =>
        next() < 0.5
          ? long()
          : [
              { type: "text", text: long() },
              { type: "text", text: long() },
            ];
      const req = {
        model: "claude-sonnet-4-5",
        ...(next() < 0.5 ? { reasoning_effort: "high" } : {}),
        messages: [
          { role: next() < 0.5 ? "system" : "developer", content: parts() },
          { role: "user", content: parts() },
          {
            role: "assistant",
            content: parts(),
            reasoning_content: long(),
            tool_calls: [
              {
                id: "c1",
                type: "function",
                function: {
                  name: "Read",
                  arguments: JSON.stringify({ p: long() }),
                },
              },
            ],
          },
          { role: "tool", tool_call_id: "c1", content: parts() },
          { role: "system", content: parts() },
          { role: "user", content: parts() },
        ],
        tools: [
          {
            type: "function",
            function: {
              name: "Read",
              description: long(),
              parameters: { type: "object" },
            },
          },
        ],
      };
      await same(chat, JSON.stringify(req));
    }
    expect(cuts).toBeGreaterThan(150);
  });

  test("random Responses texts with every kind of escape, in every place a string can be kept", async () => {
    cuts = 0;
    const random = new Random(29);
    const next = () => random.next();
    for (let i = 0; i < 120; i++) {
      const long = () => text(next, Math.floor(next() * 900));
      const parts = (type: string) =>
        next() < 0.5
          ? long()
          : [
              { type, text: long() },
              { type, text: long() },
            ];
      const input =
        next() < 0.2
          ? long()
          : [
              { role: "developer", content: parts("input_text") },
              { type: "message", role: "user", content: parts("input_text") },
              {
                type: "reasoning",
                summary: [],
                content: [{ type: "reasoning_text", text: long() }],
                encrypted_content: "",
              },
              {
                type: "message",
                role: "assistant",
                content: parts("output_text"),
              },
              {
                type: "function_call",
                call_id: "c1",
                name: "Read",
                arguments: JSON.stringify({ p: long() }),
              },
              {
                type: "function_call_output",
                call_id: "c1",
                output:
                  next() < 0.5
                    ? long()
                    : [{ type: "input_text", text: long() }],
              },
              { role: "system", content: parts("input_text") },
              { role: "user", content: parts("input_text") },
            ];
      const req = {
        model: "claude-sonnet-4-5",
        ...(next() < 0.5 ? { reasoning: { effort: "high" } } : {}),
        instructions: next() < 0.5 ? long() : undefined,
        input,
        tools: [
          {
            type: "function",
            name: "Read",
            description: long(),
            parameters: { type: "object" },
          },
        ],
      };
      await same(responses, JSON.stringify(req));
    }
    expect(cuts).toBeGreaterThan(150);
  });

  test("a long string that is not JSON is refused as such, never sent", async () => {
    const filler = "x".repeat(400);
    for (const bad of [
      `${filler}\\x`,
      `${filler}\u0001`,
      `${filler}\\u12`,
      `${filler}\n`,
    ]) {
      expect(
        await same(
          chat,
          `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"${bad}"}]}`,
        ),
      ).toBe("refused: the request body is not valid JSON");
      expect(
        await same(
          responses,
          `{"model":"claude-sonnet-4-5","input":[{"role":"user","content":"${bad}"}]}`,
        ),
      ).toBe("refused: the request body is not valid JSON");
      expect(
        await same(responses, `{"model":"claude-sonnet-4-5","input":"${bad}"}`),
      ).toBe("refused: the request body is not valid JSON");
    }
  });
});

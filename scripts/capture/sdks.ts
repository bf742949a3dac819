/**
 * The official SDKs' own request builders (the versions this repository locks), against the capture server: what
 * an application written on the Anthropic or OpenAI SDK sends, including a tool round trip that the SDK's own
 * types carry from the answer into the next request.
 */
import Anthropic from "@anthropic-ai/sdk";
import { join } from "node:path";
import OpenAI from "openai";
import { CAPTURE_KEY, type CaseResult, NOTES, PIXEL_PNG } from "./case";
import type { CaptureServer, Plan } from "./server";
import { Scrubber } from "./scrub";

const MODEL = "claude-sonnet-4-6";
const READ = { name: "read_file", input: { path: "notes.txt" } };
const PROMPT = "Read notes.txt and tell me its first line.";
const readFileParameters = {
  type: "object" as const,
  properties: { path: { type: "string", description: "Path of the file to read" } },
  required: ["path"],
};

/** The installed version of a dependency (the packages' exports do not include package.json). */
const versionOf = async (pkg: string): Promise<string> =>
  (await Bun.file(join(import.meta.dir, "..", "..", "node_modules", pkg, "package.json")).json()).version;

export async function captureSdks(server: CaptureServer): Promise<CaseResult[]> {
  const anthropic = new Anthropic({ baseURL: server.url, apiKey: CAPTURE_KEY, maxRetries: 0 });
  const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: CAPTURE_KEY, maxRetries: 0 });
  const scrubber = new Scrubber({ literals: { [CAPTURE_KEY]: "REDACTED" } });
  const results: CaseResult[] = [];
  const capture = async (client: string, release: string, name: string, plan: Plan, drive: () => Promise<unknown>) => {
    console.log(`${client} ${release} ${name}`);
    server.reset(plan);
    await drive();
    results.push({ client, release, name, requests: server.reset({}).map((r) => scrubber.scrub(r)) });
  };

  const anthropicVersion = await versionOf("@anthropic-ai/sdk");
  const a = (name: string, plan: Plan, drive: () => Promise<unknown>) => capture("anthropic-sdk", anthropicVersion, name, plan, drive);
  await a("tool", { tools: [READ] }, async () => {
    const tools: Anthropic.Tool[] = [{ name: READ.name, description: "Reads a file of the project", input_schema: readFileParameters }];
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: PROMPT }];
    const first = await anthropic.messages.create({ model: MODEL, max_tokens: 1024, system: "You are a careful assistant.", tools, messages });
    const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use")!;
    messages.push({ role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: NOTES }] });
    await anthropic.messages.create({ model: MODEL, max_tokens: 1024, system: "You are a careful assistant.", tools, messages });
  });
  await a("stream-thinking", {}, () =>
    anthropic.messages
      .stream({
        model: MODEL,
        max_tokens: 4096,
        thinking: { type: "enabled", budget_tokens: 2048 },
        system: [{ type: "text", text: "You think before you answer.", cache_control: { type: "ephemeral" } }],
        messages: [{ role: "user", content: "Why is the sky blue? One sentence." }],
      })
      .finalMessage(),
  );
  await a("image", {}, () =>
    anthropic.messages.create({
      model: MODEL,
      max_tokens: 256,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: PIXEL_PNG } },
            { type: "text", text: "What colour is this pixel?" },
          ],
        },
      ],
    }),
  );
  await a("count-tokens", {}, () => anthropic.messages.countTokens({ model: MODEL, messages: [{ role: "user", content: PROMPT }] }));

  const openaiVersion = await versionOf("openai");
  const o = (name: string, plan: Plan, drive: () => Promise<unknown>) => capture("openai-sdk", openaiVersion, name, plan, drive);
  await o("responses-tool", { tools: [READ] }, async () => {
    const tools: OpenAI.Responses.Tool[] = [
      { type: "function", name: READ.name, description: "Reads a file of the project", parameters: readFileParameters, strict: false },
    ];
    const first = await openai.responses.create({ model: "gpt-5.5", instructions: "You are a careful assistant.", input: PROMPT, tools });
    const call = first.output.find((i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === "function_call")!;
    await openai.responses.create({
      model: "gpt-5.5",
      instructions: "You are a careful assistant.",
      input: [{ role: "user", content: PROMPT }, call, { type: "function_call_output", call_id: call.call_id, output: NOTES }],
      tools,
    });
  });
  await o("responses-stream", {}, async () => {
    const stream = await openai.responses.create({ model: "gpt-5.5", input: "Why is the sky blue? One sentence.", stream: true });
    for await (const _ of stream);
  });
  await o("chat-tool", { tools: [READ] }, async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [
      { type: "function", function: { name: READ.name, description: "Reads a file of the project", parameters: readFileParameters } },
    ];
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: "system", content: "You are a careful assistant." },
      { role: "user", content: PROMPT },
    ];
    const first = await openai.chat.completions.create({ model: "gpt-5.5", messages, tools });
    const reply = first.choices[0]!.message;
    messages.push(reply, { role: "tool", tool_call_id: reply.tool_calls![0]!.id, content: NOTES });
    await openai.chat.completions.create({ model: "gpt-5.5", messages, tools });
  });
  await o("chat-stream", {}, async () => {
    const stream = await openai.chat.completions.create({
      model: "gpt-5.5",
      messages: [{ role: "user", content: "Why is the sky blue? One sentence." }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream);
  });
  return results;
}

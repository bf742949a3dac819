/**
 * The capture server: on loopback, it answers like the Anthropic API and OpenAI's Responses and Chat Completions
 * APIs with scripted replies, and records every request as the client sent it. A case's plan says which tool the
 * client should be asked to call; once a tool result comes back, the answer is plain text, so every client's
 * conversation ends after one tool round trip.
 */
import { anthropicAnswer, chatAnswer, responsesAnswer, type Scripted } from "./replies";

export type Api = "anthropic-messages" | "anthropic-count-tokens" | "openai-responses" | "openai-chat" | "other";

export interface Captured {
  api: Api;
  method: string;
  /** Path and query, as the client sent them. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: unknown;
  /** What the server answered; the replay answers the same kind. */
  answer?: Scripted;
}

/**
 * The tool a case wants called: the first of `tools` that the request offers (clients rename their tools between
 * releases, so a case may name several).
 */
export interface Plan {
  tools?: { name: string; input: Record<string, unknown> }[];
}

type Json = Record<string, any>;

export class CaptureServer {
  readonly captured: Captured[] = [];
  plan: Plan = {};
  private server: ReturnType<typeof Bun.serve> | undefined;
  private calls = 0;

  get url(): string {
    return `http://127.0.0.1:${this.server!.port}`;
  }

  start(): this {
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: 0, fetch: (req) => this.handle(req) });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
  }

  /** Forgets what was recorded, for the next case. */
  reset(plan: Plan): Captured[] {
    this.plan = plan;
    return this.captured.splice(0);
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const text = await req.text();
    let body: unknown = text === "" ? undefined : text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: kept as text.
    }
    const path = url.pathname;
    const api: Api = path.endsWith("/messages/count_tokens")
      ? "anthropic-count-tokens"
      : path.endsWith("/messages")
        ? "anthropic-messages"
        : path.endsWith("/responses")
          ? "openai-responses"
          : path.endsWith("/chat/completions")
            ? "openai-chat"
            : "other";
    const record: Captured = { api, method: req.method, path: path + url.search, headers: Object.fromEntries(req.headers), body };
    this.captured.push(record);
    const json = (body ?? {}) as Json;
    const model = String(json.model ?? "unknown");
    const stream = json.stream === true;
    switch (api) {
      case "anthropic-count-tokens":
        return Response.json({ input_tokens: 100 });
      case "anthropic-messages":
        record.answer = this.decide(json, hasAnthropicToolResult(json), json.thinking?.type === "enabled" || json.thinking?.type === "adaptive");
        return anthropicAnswer(record.answer, model, stream);
      case "openai-responses":
        record.answer = this.decide(json, JSON.stringify(json.input ?? "").includes('_call_output"'), false);
        return responsesAnswer(record.answer, model, stream);
      case "openai-chat":
        record.answer = this.decide(json, (json.messages ?? []).some((m: Json) => m.role === "tool"), false);
        return chatAnswer(record.answer, model, stream);
      default:
        if (req.method === "GET" && path.endsWith("/models")) return Response.json({ object: "list", data: [], models: [] });
        return Response.json({ error: { type: "not_found_error", message: `capture server: no route ${path}` } }, { status: 404 });
    }
  }

  private decide(body: Json, answered: boolean, thinking: boolean): Scripted {
    const declared = JSON.stringify([body.tools, body.input]);
    const tool = this.plan.tools?.find((t) => declared.includes(`"${t.name}"`));
    const thought = thinking ? "The user wants me to look at the file first." : undefined;
    // A tool is asked for only where the request declares it (side requests such as title generation declare none);
    // Codex may declare its tools in an input item rather than in `tools`.
    if (!answered && tool) {
      return { kind: "tool_use", id: `toolu_capture${String(++this.calls).padStart(4, "0")}`, name: tool.name, input: tool.input, thinking: thought };
    }
    return { kind: "text", text: answered ? "The tool answered; the task is done." : "Hello from the capture server.", thinking: thought };
  }
}

function hasAnthropicToolResult(body: Json): boolean {
  const lastUser = (body.messages ?? []).findLast((m: Json) => m.role === "user");
  return Array.isArray(lastUser?.content) && lastUser.content.some((b: Json) => b?.type === "tool_result");
}

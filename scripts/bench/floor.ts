/**
 * The least a translating gateway can do, as a control for side-by-side.ts: Bun.serve, the client's JSON parsed, the
 * request converted by kiro-ts's own `convertRequest` and sent to Kiro as one account, the event stream read through
 * a JS reader to its end, and a fixed JSON message answered — no framework, pool, key check, decoding of events,
 * timers or records. Whatever kiro-ts spends beyond it is its own design; what it spends beyond the bare proxy is
 * what any gateway that reads Kiro's reply in JS pays (the proxy pipes the reply to its client inside Bun, never
 * touching it from JS). Only for the bench: it answers every POST as /v1/messages and never fails over.
 * `bun run scripts/bench/floor.ts --config FILE` (a kiro-ts config: port, kiroApiBaseUrl, credentialsDir).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { convertRequest } from "../../src/anthropic/convert";
import type { MessagesRequest } from "../../src/anthropic/schemas";
import { type BenchAccount, kiroHeaders } from "./requests";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { config: { type: "string" } }, strict: true });
if (!values.config) throw new Error("--config is required");
const config = JSON.parse(readFileSync(values.config, "utf8")) as { host?: string; port: number; kiroApiBaseUrl: string; credentialsDir: string };
const file = readdirSync(config.credentialsDir).find((name) => name.endsWith(".json"));
if (!file) throw new Error(`no credential file in ${config.credentialsDir}`);
const account = JSON.parse(readFileSync(join(config.credentialsDir, file), "utf8")) as BenchAccount;
const url = `${config.kiroApiBaseUrl}/generateAssistantResponse`;

Bun.serve({
  hostname: config.host ?? "127.0.0.1",
  port: config.port,
  idleTimeout: 0,
  maxRequestBodySize: 64 * 1024 * 1024,
  async fetch(request) {
    if (request.method !== "POST") return new Response("ok");
    const body = JSON.parse(await request.text()) as MessagesRequest;
    const kiro = JSON.stringify({ conversationState: convertRequest(body).conversationState, profileArn: account.profileArn });
    const upstream = await fetch(url, { method: "POST", headers: kiroHeaders(account), body: kiro, signal: request.signal });
    if (!upstream.ok || !upstream.body) return new Response(await upstream.text(), { status: 502 });
    let bytes = 0;
    const reader = upstream.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
    }
    return Response.json({
      id: "msg_floor",
      type: "message",
      role: "assistant",
      model: body.model,
      content: [{ type: "text", text: `read ${bytes} bytes of event stream` }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    });
  },
});

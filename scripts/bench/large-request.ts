/**
 * CPU per 1 MB Claude Code request inside one process, beside its reference: `app.handle` answering the bench's
 * large request against a stubbed upstream (the first chat reply is read from an in-process simulator (replayed-kiro.ts), every
 * later one is those bytes again), and "JSON.parse the client's body + JSON.stringify the Kiro object" measured the
 * same way in the same process, in turns. `bun run scripts/bench/large-request.ts [--rounds N] [--requests N]
 * [--warmup N] [--only gateway|chat|responses|reference] [--dash]` (one side alone: instruction-count.ts counts each; `chat`
 * and `responses` are the same conversation sent to /v1/chat/completions or /v1/responses, measured in place of
 * /v1/messages); pin it (`taskset -c 0`). The
 * stubbed upstream reads the Kiro body to its end, as a socket would.
 */
import { parseArgs } from "node:util";
import { inProcessGateway } from "./in-process-gateway";
import { asChatCompletion, asResponses, claudeCode, FRONT_PATH, pair } from "./requests";
import { median } from "./stats";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { rounds: { type: "string", default: "5" }, requests: { type: "string", default: "40" }, warmup: { type: "string", default: "150" }, only: { type: "string" }, dash: { type: "boolean", default: false } },
  strict: true,
});
if (values.only !== undefined && !["gateway", "chat", "responses", "reference"].includes(values.only)) throw new Error(`--only takes gateway, chat, responses or reference, not ${values.only}`);
const measureGateway = values.only !== "reference";
const front = values.only === "chat" || values.only === "responses" ? values.only : "messages";
const measureReference = values.only === undefined || values.only === "reference";
const rounds = Number(values.rounds);
const requests = Number(values.requests);

const inProcess = await inProcessGateway({ name: "large-request", maxConversationBytes: 8_000_000, recordRequests: false });
const { app, apiKey, replay } = inProcess;
const request = claudeCode({ bytes: 1_000_000, tools: 20, history: 200 });
// --dash: a dash in the system prompt, as Claude Code's own has — text past Latin-1, which the bench's words are not.
if (values.dash) (request.system as Array<{ text: string }>)[0]!.text = "You are Claude Code — Anthropic's official CLI for Claude.";
const large = pair(request, { accessToken: "x", profileArn: String(inProcess.credential.profileArn ?? "") });
const kiroObject = JSON.parse(large.kiro) as unknown;

/** What the client sends: the request through /v1/messages, or the same conversation as Chat Completions or Responses. */
const clientBody = front === "chat" ? asChatCompletion(request) : front === "responses" ? asResponses(request) : large.anthropic;
const client = { path: FRONT_PATH[front], body: clientBody, bytes: Buffer.byteLength(clientBody) };

async function one(): Promise<void> {
  const res = await app.handle(new Request(`http://localhost${client.path}`, { method: "POST", headers: { "content-type": "application/json", "content-length": String(client.bytes), "x-api-key": apiKey }, body: client.body }));
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${res.status} ${text.slice(0, 200)}`);
}

function reference(): void {
  JSON.parse(large.anthropic);
  JSON.stringify(kiroObject);
}

const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

// The gateway's first request fetches the reply every later one is answered with, whichever side is measured.
await one();
for (let i = 0; i < Number(values.warmup); i++) {
  if (measureGateway) await one();
  if (measureReference) reference();
}
const gateway: number[] = [];
const ref: number[] = [];
for (let r = 0; r < rounds; r++) {
  let t = cpu();
  if (measureGateway) for (let i = 0; i < requests; i++) await one();
  gateway.push((cpu() - t) / requests);
  t = cpu();
  if (measureReference) for (let i = 0; i < requests; i++) reference();
  ref.push((cpu() - t) / requests);
}
const g = median(gateway);
const f = median(ref);
const both = measureGateway && measureReference;
console.log(JSON.stringify({
  bytes: client.bytes,
  ...(measureGateway ? { gatewayMicros: Math.round(g), sentBytes: replay.sent } : {}),
  ...(measureReference ? { referenceMicros: Math.round(f) } : {}),
  ...(both ? { ratio: Math.round((g / f) * 100) / 100, rounds: gateway.map((x, i) => Math.round((x / ref[i]!) * 100) / 100) } : {}),
}));

await inProcess.close();
process.exit(0);

/**
 * The soak under faults (issue 6, item 1), shared by scripts/soak.ts (2,000 requests) and src/e2e/soak.test.ts
 * (a few hundred): the simulator answers a share of chat calls with a fault while clients send unique requests,
 * streaming and not; every answer is checked — a success complete and exactly the reply Kiro sent, a failure an
 * Anthropic-shaped error — and once the faults stop, the pool must serve with every account again, unrestarted.
 */
import type { FaultOptions, KiroSimulator } from "../simulator/simulator";
import { type Answer, type GatewayProcess, inParallel, send, Tally, type Target } from "./drive";

export interface SoakOptions {
  requests: number;
  concurrency: number;
  faults: FaultOptions;
  /** A request without a complete answer by then is a hang. */
  deadlineMs: number;
  /** How long the pool may take to be healthy again once the faults stop. */
  recoveryWithinMs: number;
  /**
   * Retries per request after a 429, 529 or 502, as the Anthropic SDKs do (default 0: every answer counts): after
   * Retry-After when given (at most 10 s here), else 0.5 s doubling.
   */
  retries?: number;
  /** Which requests stream: every other one (default), none, or all. */
  mode?: "mixed" | "json" | "stream";
}

export interface SoakReport {
  requests: number;
  streamed: number;
  seconds: number;
  concurrency: number;
  /** Complete and correct answers. */
  successes: number;
  /** Failures by what the client saw: "HTTP 429 rate_limit_error", "stream error overloaded_error". */
  errors: Tally;
  /** Answers that were neither a correct success nor a well-formed error, with an example each. */
  wrong: Tally;
  hangs: number;
  /** Retries made after a 429, 529 or 502 (only with `retries`). */
  retried: number;
  /** Chat calls the simulator answered, and the faults among them by kind. */
  upstreamCalls: number;
  faults: Tally;
  durationsMs: { median: number; p99: number; max: number };
  recovery: Recovery;
  /** Lines of the gateway's own log that hold a key or a token. */
  secretsInLog: number;
  alive: boolean;
}

export interface Recovery {
  /** Milliseconds from the end of the faults until every account was healthy; undefined if it never was. */
  healthyAfterMs?: number;
  /** Each account's state when the wait ended. */
  states: string[];
  /** The burst sent afterwards: correct answers, and how many accounts served it. */
  burst: { requests: number; correct: number; accountsServing: number };
}

const MODEL = "claude-sonnet-4-6";
const WORDS = ["alpha", "ünïcödé", "日本語", "emoji 😀🚀", "Ελληνικά", "naïve café", "العربية", "tab\tand \"quotes\"", "emoji 👨‍👩‍👧"];

/** A unique question, with multi-byte characters so a frame split inside a character would show. */
const question = (i: number) => `soak #${i}: ${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]}`;

/** What the simulator's default reply says back (simulator/chat.ts echoReply; questions stay under its 120 characters). */
const expectedReply = (i: number) => `Hello from the Kiro simulator. You said: ${question(i)}`;

const body = (i: number, stream: boolean) => JSON.stringify({ model: MODEL, max_tokens: 256, stream, messages: [{ role: "user", content: question(i) }] });

type Verdict = { ok: true } | { error: string } | { wrong: string };

/** Judges one answer: a correct success, an Anthropic-shaped failure (named by status and type), or wrong. */
export function checkAnswer(a: Answer, i: number, stream: boolean): Verdict {
  if (a.status !== 200) {
    const error = anthropicError(a.text);
    if (!error) return { wrong: `HTTP ${a.status} without an Anthropic error body: ${a.text.slice(0, 200)}` };
    if (a.status === 429 && !a.headers.get("retry-after")) return { wrong: "HTTP 429 without Retry-After" };
    return { error: `HTTP ${a.status} ${error.type}` };
  }
  return stream ? checkStream(a.text, expectedReply(i)) : checkMessage(a.text, expectedReply(i));
}

function checkMessage(text: string, expected: string): Verdict {
  let m: Record<string, any>;
  try {
    m = JSON.parse(text);
  } catch {
    return { wrong: `HTTP 200 whose body is not JSON: ${text.slice(0, 200)}` };
  }
  const content = JSON.stringify(m.content);
  if (m.type !== "message" || m.role !== "assistant" || m.model !== MODEL || !/^msg_/.test(m.id)) return { wrong: `not a message: ${text.slice(0, 200)}` };
  if (content !== JSON.stringify([{ type: "text", text: expected }])) return { wrong: `content ${content.slice(0, 200)} is not the reply sent` };
  if (m.stop_reason !== "end_turn") return { wrong: `stop_reason ${m.stop_reason}` };
  if (!(m.usage?.input_tokens > 0 && m.usage?.output_tokens > 0)) return { wrong: `usage ${JSON.stringify(m.usage)}` };
  return { ok: true };
}

/**
 * A stream is correct when it is exactly message_start, one text block carrying the reply, message_delta
 * (end_turn), message_stop — pings anywhere. A stream that fails after it began must end with one error event,
 * after text that is a prefix of the reply (nothing garbled, nothing invented).
 */
function checkStream(text: string, expected: string): Verdict {
  const events: Array<{ name: string; data: Record<string, any> }> = [];
  for (const chunk of text.split("\n\n")) {
    if (chunk === "") continue;
    const m = /^event: (\S+)\ndata: (.*)$/s.exec(chunk);
    if (!m) return { wrong: `not an SSE event: ${chunk.slice(0, 200)}` };
    let data: Record<string, any>;
    try {
      data = JSON.parse(m[2]!);
    } catch {
      return { wrong: `SSE data is not JSON: ${chunk.slice(0, 200)}` };
    }
    if (data.type !== m[1]) return { wrong: `event ${m[1]} carries data of type ${data.type}` };
    if (m[1] !== "ping") events.push({ name: m[1]!, data });
  }
  const names = events.map((e) => e.name);
  const said = events.filter((e) => e.name === "content_block_delta").map((e) => e.data.delta?.text ?? "").join("");
  const last = events.at(-1);
  if (last?.name === "error") {
    const error = last.data.error;
    if (typeof error?.type !== "string" || typeof error?.message !== "string" || error.message === "") return { wrong: `an error event of the wrong shape: ${JSON.stringify(last.data)}` };
    if (names.indexOf("error") !== names.length - 1 || names.includes("message_stop")) return { wrong: `events after an error: ${names.join(",")}` };
    if (!expected.startsWith(said)) return { wrong: `text before the error is not the reply's beginning: ${JSON.stringify(said.slice(0, 120))}` };
    return { error: `stream error ${error.type}` };
  }
  const shape = names.filter((n) => n !== "content_block_delta").join(",");
  if (names[0] !== "message_start" || shape !== "message_start,content_block_start,content_block_stop,message_delta,message_stop") {
    return { wrong: `events ${names.join(",").slice(0, 300)}` };
  }
  if (said !== expected) return { wrong: `text ${JSON.stringify(said.slice(0, 200))} is not the reply sent` };
  const delta = events.find((e) => e.name === "message_delta")!.data;
  if (delta.delta?.stop_reason !== "end_turn") return { wrong: `stop_reason ${delta.delta?.stop_reason}` };
  return { ok: true };
}

function anthropicError(text: string): { type: string; message: string } | undefined {
  try {
    const v = JSON.parse(text) as Record<string, any>;
    const e = v?.error;
    return v?.type === "error" && typeof e?.type === "string" && typeof e?.message === "string" && e.message !== "" ? e : undefined;
  } catch {
    return undefined;
  }
}

const CHAT = "/generateAssistantResponse";
/** The statuses the Anthropic SDKs retry. */
const RETRIED = new Set([429, 502, 529]);
const POLL_MS = 250;

/** Runs the soak against a gateway whose Kiro is `sim`; faults are on for the traffic and off for the recovery. */
export async function runSoak(target: GatewayProcess, sim: KiroSimulator, opts: SoakOptions): Promise<SoakReport> {
  const started = performance.now();
  const errors = new Tally();
  const wrong = new Tally();
  const durations: number[] = [];
  let successes = 0;
  let hangs = 0;
  let streamed = 0;
  let retried = 0;
  const headers = { "content-type": "application/json", "x-api-key": target.apiKey };

  sim.clearRequests();
  sim.setFaults(opts.faults);
  const indexes = Array.from({ length: opts.requests }, (_, i) => i);
  try {
    await inParallel(indexes, opts.concurrency, async (i) => {
      const stream = opts.mode === "stream" || (opts.mode !== "json" && i % 2 === 0);
      if (stream) streamed++;
      let outcome = await send(target.url, { method: "POST", path: "/v1/messages", headers, body: body(i, stream) }, opts.deadlineMs);
      for (let attempt = 0; attempt < (opts.retries ?? 0) && "answer" in outcome && RETRIED.has(outcome.answer.status); attempt++) {
        const after = Number(outcome.answer.headers.get("retry-after"));
        await Bun.sleep(after > 0 ? Math.min(after, 10) * 1000 : 500 * 2 ** attempt);
        retried++;
        outcome = await send(target.url, { method: "POST", path: "/v1/messages", headers, body: body(i, stream) }, opts.deadlineMs);
      }
      durations.push("answer" in outcome ? outcome.answer.ms : outcome.ms);
      if ("failure" in outcome) {
        if (outcome.failure === "hang") hangs++;
        wrong.add(outcome.failure === "hang" ? "hang" : "no answer", `#${i}: ${outcome.detail}`);
        return;
      }
      const verdict = checkAnswer(outcome.answer, i, stream);
      if ("ok" in verdict) successes++;
      else if ("error" in verdict) errors.add(verdict.error);
      else wrong.add(verdict.wrong.split(":")[0]!, `#${i} (${stream ? "stream" : "json"}): ${verdict.wrong}`);
    });
  } finally {
    sim.setFaults(null);
  }
  const seconds = (performance.now() - started) / 1000;

  const faults = new Tally();
  let upstreamCalls = 0;
  for (const r of sim.requests) {
    if (!r.path.endsWith(CHAT)) continue;
    upstreamCalls++;
    if (r.rejectedBy?.startsWith("fault: ")) faults.add(r.rejectedBy.slice("fault: ".length));
  }

  const recovery = await recover(target, sim, opts);
  const secrets = await target.secrets();
  durations.sort((a, b) => a - b);
  const at = (q: number) => Math.round(durations[Math.min(durations.length - 1, Math.floor(q * durations.length))] ?? 0);
  return {
    requests: opts.requests,
    streamed,
    seconds,
    concurrency: opts.concurrency,
    successes,
    errors,
    wrong,
    hangs,
    retried,
    upstreamCalls,
    faults,
    durationsMs: { median: at(0.5), p99: at(0.99), max: Math.round(durations.at(-1) ?? 0) },
    recovery,
    secretsInLog: await target.linesWithSecrets(secrets),
    alive: target.alive(),
  };
}

/** Waits for every account to be healthy (through the admin API), then checks that all of them serve a burst. */
async function recover(target: Target, sim: KiroSimulator, opts: SoakOptions): Promise<Recovery> {
  const since = performance.now();
  let healthyAfterMs: number | undefined;
  let states: string[] = [];
  for (;;) {
    const res = await fetch(`${target.url}/admin/pool/status`, { headers: { "x-api-key": target.adminKey } });
    const status = ((await res.json()) as { data: { total_accounts: number; healthy_accounts: number; accounts: Array<{ name: string; state: string; state_reason?: string }> } }).data;
    states = status.accounts.map((a) => `${a.name}: ${a.state}${a.state_reason ? ` (${a.state_reason})` : ""}`);
    if (status.healthy_accounts === status.total_accounts) {
      healthyAfterMs = Math.round(performance.now() - since);
      break;
    }
    if (performance.now() - since > opts.recoveryWithinMs) break;
    await Bun.sleep(POLL_MS);
  }

  sim.clearRequests();
  const burst = Math.max(30, opts.concurrency);
  const headers = { "content-type": "application/json", "x-api-key": target.apiKey };
  let correct = 0;
  await inParallel(Array.from({ length: burst }, (_, n) => opts.requests + n), opts.concurrency, async (i) => {
    const stream = i % 2 === 0;
    const outcome = await send(target.url, { method: "POST", path: "/v1/messages", headers, body: body(i, stream) }, opts.deadlineMs);
    if ("answer" in outcome && "ok" in checkAnswer(outcome.answer, i, stream)) correct++;
  });
  const serving = new Set(sim.requests.filter((r) => r.path.endsWith(CHAT) && r.status === 200).map((r) => r.account));
  return { healthyAfterMs, states, burst: { requests: burst, correct, accountsServing: serving.size } };
}

export function formatSoakReport(r: SoakReport): string {
  const lines = [
    `soak: ${r.requests} requests (${r.streamed} streamed) in ${r.seconds.toFixed(1)} s, ${r.concurrency} at a time`,
    `upstream chat calls: ${r.upstreamCalls}; faults injected: ${r.faults.total} (${r.faults.entries().map((e) => `${e.key} × ${e.n}`).join(", ")})`,
    `successes (complete and correct): ${r.successes}${r.retried ? ` (after ${r.retried} retries of 429/502/529 answers)` : ""}`,
    `errors by type: ${r.errors.total} (${r.errors.entries().map((e) => `${e.key} × ${e.n}`).join(", ") || "none"})`,
    `hangs: ${r.hangs}; wrong answers: ${r.wrong.total}; secrets in the gateway's log: ${r.secretsInLog}; gateway alive: ${r.alive ? "yes" : "NO"}`,
    `request duration: median ${r.durationsMs.median} ms, p99 ${r.durationsMs.p99} ms, longest ${r.durationsMs.max} ms`,
    r.recovery.healthyAfterMs !== undefined
      ? `after the faults stopped: every account healthy after ${r.recovery.healthyAfterMs} ms`
      : `after the faults stopped: NOT every account healthy: ${r.recovery.states.join("; ")}`,
    `then ${r.recovery.burst.correct}/${r.recovery.burst.requests} requests correct, served by ${r.recovery.burst.accountsServing} accounts`,
  ];
  for (const w of r.wrong.entries()) lines.push(`  ${w.n} × ${w.key}\n      e.g. ${w.example}`);
  return lines.join("\n");
}

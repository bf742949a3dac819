/**
 * Long-stream conversion inside one process, apart from the network: the simulator's long reply (its own encoder)
 * fed in 16 KiB chunks through the gateway's real path — openReply → StreamTranslator → TranslatedReply →
 * streamMessage, the Response body read to its end — beside the control, the same chunks piped through
 * `new Response(stream)` (what the bare proxy does). Prints MB of event stream per CPU second (process.cpuUsage),
 * the median of several runs each, taken in turns, and a digest of the SSE bytes (the same before and after a change).
 * `taskset -c 0 bun run scripts/bench/stream-conversion.ts [--mb 4] [--runs 9] [--thinking]`
 */
import { parseArgs } from "node:util";
import { streamMessage, TranslatedReply } from "../../src/anthropic/respond";
import { StreamTranslator } from "../../src/anthropic/stream";
import { HeaderBlocks } from "../../src/kiro/eventstream";
import { openReply } from "../../src/kiro/reply";
import { Logger } from "../../src/log";
import { longReply } from "../../src/simulator/bench-replies";
import { concat } from "../../src/simulator/frames";
import { encodeStep } from "../../src/simulator/playback";
import type { StreamStep } from "../../src/simulator/replies";
import { MB } from "./proc";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { mb: { type: "string", default: "4" }, runs: { type: "string", default: "9" }, thinking: { type: "boolean", default: false } },
  strict: true,
});
const bytes = Number(values.mb) * MB;
const runs = Number(values.runs);
const CHUNK = 16 * 1024;
const log = new Logger("warn", () => {});
const headerBlocks = new HeaderBlocks();

/** The simulator's `[sim] long <bytes> <chars>` reply as the bytes it writes. */
function replyBytes(chars: number): Uint8Array {
  const reply = longReply(bytes, chars);
  if (reply.kind !== "stream") throw new Error("a long reply is a stream");
  return concat(reply.steps.map((s) => encodeStep(s as Exclude<StreamStep, { type: "pause" }>)));
}

/** The body as the network gives it: one fresh chunk a read. */
function chunked(body: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= body.length) return controller.close();
      controller.enqueue(body.slice(at, at + CHUNK));
      at += CHUNK;
    },
  });
}

/** Reads a body to its end; its length, and a digest of its bytes when asked. */
async function drain(res: Response, digest: boolean): Promise<{ length: number; hash?: string }> {
  const reader = res.body!.getReader();
  const hasher = digest ? new Bun.CryptoHasher("sha256") : undefined;
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    hasher?.update(value);
  }
  return { length, ...(hasher ? { hash: hasher.digest("hex").slice(0, 16) } : {}) };
}

async function gateway(body: Uint8Array, digest = false) {
  const opened = await openReply(chunked(body).getReader(), { headerBlocks });
  const translator = new StreamTranslator({
    model: "claude-sonnet-4-5",
    thinking: values.thinking,
    inputTokens: 12,
    contextWindow: 200_000,
    toolNames: new Map(),
    messageId: "msg_stream_conversion",
  });
  let credits = 0;
  const observer = {
    opened() {},
    kiroEvents(events: readonly { type: string; usage?: number }[]) {
      for (const e of events) if (e.type === "metering" && typeof e.usage === "number") credits += e.usage;
    },
    ended() {},
  };
  const reply = new TranslatedReply(translator, { ...opened, abort() {} }, log, observer);
  const out = await drain(streamMessage(reply, log), digest);
  if (credits <= 0) throw new Error("the metering event never arrived");
  return out;
}

const proxy = (body: Uint8Array) => drain(new Response(chunked(body)), false);

async function cpuOf(run: () => Promise<unknown>): Promise<number> {
  // Each run pays for its own garbage, not the one before it.
  Bun.gc(true);
  const t0 = process.cpuUsage();
  await run();
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const chars of [1024, 40]) {
  const body = replyBytes(chars);
  const check = await gateway(body, true);
  if ((await proxy(body)).length !== body.length) throw new Error("the proxy lost bytes");
  for (let i = 0; i < 3; i++) {
    await gateway(body);
    await proxy(body);
  }
  const g: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const path of i % 2 === 0 ? ["gateway", "proxy"] : ["proxy", "gateway"]) {
      if (path === "gateway") g.push(body.length / MB / (await cpuOf(() => gateway(body))));
      else p.push(body.length / MB / (await cpuOf(() => proxy(body))));
    }
  }
  const row = {
    frameChars: chars,
    eventStreamMB: +(body.length / MB).toFixed(2),
    sseBytes: check.length,
    sseSha256: check.hash,
    gatewayMBPerCpuS: Math.round(median(g)),
    gatewayRange: [Math.round(Math.min(...g)), Math.round(Math.max(...g))],
    proxyMBPerCpuS: Math.round(median(p)),
    ratio: +(median(g) / median(p)).toFixed(3),
  };
  console.log(JSON.stringify(row));
}
process.exit(0);

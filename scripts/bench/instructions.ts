/**
 * CPU per small request inside one process, apart from the network: `app.handle` answering hello (streamed and not,
 * in turns) against a stubbed upstream — the first chat reply is read from an in-process simulator (replayed-kiro.ts), every later
 * one is those bytes again, with no socket. `bun run scripts/bench/instructions.ts [--warmup N] [--requests N]
 * [--no-records] [--only plain|stream] [--concurrency N]` (recordRequests false; one shape only — the bench's gated
 * hello is plain; N requests at a time, 1 by default) prints the process's CPU µs per request; pin it
 * (`taskset -c 0`) and compare runs taken one after the other.
 * instruction-count.ts runs it under valgrind to count a request's instructions instead.
 */
import { parseArgs } from "node:util";
import { closedLoop } from "./closed-loop";
import { inProcessGateway } from "./in-process-gateway";
import { hello } from "./requests";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { warmup: { type: "string", default: "3000" }, requests: { type: "string", default: "5000" }, "no-records": { type: "boolean", default: false }, only: { type: "string" }, concurrency: { type: "string", default: "1" } },
  strict: true,
});
const warmup = Number(values.warmup);
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency takes a whole number from 1, not ${values.concurrency}`);

const gateway = await inProcessGateway({ name: "instructions", recordRequests: !values["no-records"] });
const { app, apiKey } = gateway;
const shapes = { plain: [hello()], stream: [hello({ stream: true })], both: [hello(), hello({ stream: true })] };
const only = (values.only ?? "both") as keyof typeof shapes;
if (!(only in shapes)) throw new Error(`--only takes plain or stream, not ${values.only}`);
const bodies = shapes[only].map((b) => JSON.stringify(b));
// As every HTTP client sends it: without a length the body reader takes its chunked path, which no bench request takes.
const lengths = bodies.map((b) => String(Buffer.byteLength(b)));

async function one(i: number): Promise<void> {
  const headers = { "content-type": "application/json", "content-length": lengths[i % bodies.length]!, "x-api-key": apiKey };
  const res = await app.handle(new Request("http://localhost/v1/messages", { method: "POST", headers, body: bodies[i % bodies.length] }));
  const text = await res.text();
  if (res.status !== 200) throw new Error(`request ${i}: ${res.status} ${text.slice(0, 200)}`);
}

/** `count` requests, `concurrency` at a time (at 1, each request finds its own data still in the caches; at 64 it does not). */
async function run(count: number): Promise<void> {
  let next = 0;
  await closedLoop(concurrency, { count }, () => one(next++));
}

// The first reply alone: it is the one every later request is answered with (the simulator's, fetched once).
await one(0);
await run(warmup);
const cpu = process.cpuUsage();
await run(requests);
const used = process.cpuUsage(cpu);
// To a hundredth: what recording costs a hello here is 2–3 µs of ~35, which whole microseconds blur.
console.log(JSON.stringify({ requests, cpuMicrosPerRequest: Math.round(((used.user + used.system) / requests) * 100) / 100 }));

await gateway.close();
process.exit(0);

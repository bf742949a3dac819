/**
 * Where an OpenAI front's request costs more than the same conversation through /v1/messages, by JavaScript function.
 * `bun run scripts/bench/fronts-profile.ts [--rounds N] [--warmup N] [--top N]` (Linux perf needed).
 *
 * One process serves the bench's 1 MB conversation through the three fronts in turns (`app.handle`, Kiro's replies
 * replayed: in-process-gateway.ts): a warm-up of each in turns, then rounds of one slice a front — one collection-pacer
 * period, two at a time, as the bench's slices — the order reversed every other round. The whole run is under `perf
 * record` with JSC's JITDump; each sample counts for the front whose slice it fell in, attributed to the nearest
 * JavaScript function (perf-attribution.ts). Fronts in turns in one process, as the bench's rows have them, share their
 * compiled code and heap: a front measured alone, or in a gateway of its own beside another (side-by-side.ts), is not
 * in the state the bench's row sees, and one profiled slice a front is within the spread of the slices.
 *
 * Printed: each front's µs a request (samples × the sampling period ÷ requests, every thread of the process and the
 * main thread alone; perf's own cost is in it, so compare fronts, not these with the bench), and for each OpenAI front
 * the functions whose share differs most from /v1/messages's, split into the function's own code, Bun's, libc's and
 * the kernel's.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { closedLoop } from "./closed-loop";
import { inProcessGateway } from "./in-process-gateway";
import { type Attribution, attributeByWindow, JitMap, parseJitDump, type Split, type Window } from "./perf-attribution";
import { asChatCompletion, asResponses, claudeCode, type Front, FRONT_PATH, OPENAI_FRONTS, slicePerCollection } from "./requests";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { rounds: { type: "string", default: "20" }, warmup: { type: "string", default: "600" }, top: { type: "string", default: "25" }, windows: { type: "string" } },
  strict: true,
});
const FRONTS: readonly Front[] = ["messages", ...OPENAI_FRONTS];
/** perf's sampling frequency: one sample each 100 µs of a thread's CPU. */
const HZ = 10_000;

if (values.windows) await serve(values.windows);
else await profile();

/** The child: serves the fronts in turns and writes each counted slice's window (perf's realtime clock, seconds). */
async function serve(windowsFile: string): Promise<void> {
  const gateway = await inProcessGateway({ name: "fronts-profile", maxConversationBytes: 8_000_000, recordRequests: false });
  const { app, apiKey } = gateway;
  const request = claudeCode({ bytes: 1_000_000, tools: 20, history: 200 });
  // As bytes, as a socket gives them: a string body would be encoded by each request's reader, which a server's is not.
  const encode = (text: string) => new TextEncoder().encode(text);
  const bodies: Record<Front, Uint8Array<ArrayBuffer>> = { messages: encode(JSON.stringify(request)), chat: encode(asChatCompletion(request)), responses: encode(asResponses(request)) };
  const one = async (front: Front) => {
    const body = bodies[front];
    const headers = { "content-type": "application/json", "content-length": String(body.length), "x-api-key": apiKey };
    const res = await app.handle(new Request(`http://localhost${FRONT_PATH[front]}`, { method: "POST", headers, body }));
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${FRONT_PATH[front]} answered ${res.status}`);
  };
  const slice = slicePerCollection(Math.min(...Object.values(bodies).map((b) => b.length)));
  for (let done = 0; done < Number(values.warmup); done += 50) for (const front of FRONTS) await closedLoop(2, { count: 50 }, () => one(front));
  const windows: Window[] = [];
  const now = () => (performance.timeOrigin + performance.now()) / 1000;
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const front of r % 2 === 0 ? FRONTS : [...FRONTS].reverse()) {
      const start = now();
      await closedLoop(2, { count: slice }, () => one(front));
      windows.push({ key: front, start, end: now() });
    }
  }
  await writeFile(windowsFile, JSON.stringify({ slice, windows, pid: process.pid }));
  await gateway.close();
  process.exit(0);
}

async function profile(): Promise<void> {
  const perf = Bun.which("perf");
  if (!perf) throw new Error("fronts-profile needs Linux perf on the PATH (Debian: apt-get install linux-perf)");
  const work = await mkdtemp(join(tmpdir(), "kiro-fronts-profile-"));
  try {
    const data = join(work, "perf.data");
    const windowsFile = join(work, "windows.json");
    const child = [process.execPath, "run", import.meta.path, "--windows", windowsFile, "--rounds", values.rounds, "--warmup", values.warmup];
    const pinned = Bun.which("taskset") ? ["taskset", "-c", "0", ...child] : child;
    console.log(`the 1 MB conversation through /v1/messages, as Chat Completions and as a Responses request, in turns in one process: ${values.warmup} of each to warm up, then ${values.rounds} rounds of a slice of each, under perf…`);
    const recorder = Bun.spawn([perf, "record", "-k", "realtime", "-e", "cpu-clock", "-F", String(HZ), "-g", "-o", data, "--", ...pinned], {
      env: { ...process.env, BUN_JSC_useJITDump: "1", BUN_JSC_jitDumpDirectory: work, LOG_LEVEL: "warn" },
      stdout: "inherit",
      stderr: "ignore",
    });
    if ((await recorder.exited) !== 0) throw new Error(`perf record (or the child it ran) failed with ${recorder.exitCode}; is perf allowed to sample here? (kernel.perf_event_paranoid)`);
    const { slice, windows, pid } = (await Bun.file(windowsFile).json()) as { slice: number; windows: Window[]; pid: number };
    const dumps = (await readdir(work)).filter((f) => f.startsWith("jit-") && f.endsWith(".dump"));
    const jit = new JitMap((await Promise.all(dumps.map(async (f) => parseJitDump(await Bun.file(join(work, f)).bytes())))).flat());
    const script = Bun.spawn([perf, "script", "-i", data, "-F", "tid,time,ip,dso"], { stdout: "pipe", stderr: "ignore" });
    const text = await new Response(script.stdout).text();
    // The main thread's id is the process's: JavaScript runs there; JSC's collector and JIT threads are the others.
    const main = attributeByWindow(text, jit, windows, (tid) => tid === pid);
    const requests = (slice * windows.length) / FRONTS.length;
    for (const line of report(attributeByWindow(text, jit, windows), main, requests, Number(values.top))) console.log(line);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Lines of the report: each front's µs a request (of them, the main thread's), then each OpenAI front's functions
 * against /v1/messages's, every thread counted.
 */
function report(by: Map<string, Attribution>, main: Map<string, Attribution>, requestsPerFront: number, top: number): string[] {
  const us = (samples: number) => (samples * 1e6) / HZ / requestsPerFront;
  const fmt = (n: number) => us(n).toFixed(1);
  const splitOf = (s: Split | undefined) => (s ? `${fmt(s.js)}/${fmt(s.native)}/${fmt(s.libc)}/${fmt(s.kernel)}` : "–");
  const lines = [`µs a request under perf, all threads (the main thread): ${FRONTS.map((f) => `${FRONT_PATH[f]} ${fmt(by.get(f)?.samples ?? 0)} (${fmt(main.get(f)?.samples ?? 0)})`).join(", ")}`];
  const base = by.get("messages");
  for (const front of OPENAI_FRONTS) {
    const other = by.get(front);
    if (!base || !other) continue;
    lines.push(`${FRONT_PATH[front]} − /v1/messages: ${fmt(other.samples - base.samples)} µs a request; by function (µs a request: the difference, then each side's JS/Bun/libc/kernel)`);
    const mine = new Map(base.byFunction.map((f) => [f.name, f]));
    const theirs = new Map(other.byFunction.map((f) => [f.name, f]));
    const names = [...new Set([...mine.keys(), ...theirs.keys()])];
    const diff = (name: string) => (theirs.get(name)?.samples ?? 0) - (mine.get(name)?.samples ?? 0);
    names.sort((a, b) => diff(b) - diff(a));
    const shown = names.length > top ? [...names.slice(0, top - 5), ...names.slice(-5)] : names;
    for (const name of shown) lines.push(`  ${fmt(diff(name)).padStart(7)}  ${name.slice(0, 44).padEnd(44)}  /v1/messages ${splitOf(mine.get(name)?.split)}  ${FRONT_PATH[front]} ${splitOf(theirs.get(name)?.split)}`);
  }
  return lines;
}

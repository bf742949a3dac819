/**
 * Gateways compared at the same time on one simulator: before and after a change, in one run.
 * `bun run scripts/bench/side-by-side.ts [--request large|hello|fronts] [--rounds N] [--concurrency N] A B [C …]`
 *
 * Each of A, B, … is an executable started as a gateway (`A --config FILE`), a script run with bun the same way
 * (a name ending in .ts: `scripts/bench/floor.ts`, the least a translating gateway can do), or `proxy`: the bench's
 * bare pass-through proxy, sent the Kiro form of each request. Every one is pinned to core 0 (simulator and this
 * driver to core 1, where taskset exists), warmed alike, then given the same slices in turns — the 1 MB Claude Code
 * request two at a time, or hello 64 at a time (`--concurrency` another number: 32 large ones at once are the bench's
 * burst, where peak memory is made) — each slice ending once its process is quiet (settle.ts). Prints each one's CPU
 * per request (median and every slice, and the medians by thread: main, HTTP client, JIT, GC, other), its page faults
 * a request (median of the slices) and its peak RSS during the slices. Scripts and the proxy start after the
 * executables, with the MIMALLOC_PURGE_DELAY the first executable chose at start-up (as the bench's controls do).
 * The full bench compares the gateway with the proxy; runs of it with one binary then the other are minutes apart on
 * a machine whose speed drifts by more than most changes, which this takes out.
 *
 * `--request fronts` measures the OpenAI fronts' rows of the bench on each gateway: each is warmed through the three
 * fronts, then given, in turns, slices of the 1 MB request through /v1/messages and of the same conversation as Chat
 * Completions and as a Responses request, one collection-pacer period each (as the bench's slices), and the report
 * gives each gateway's Chat Completions ÷ /v1/messages and Responses ÷ /v1/messages by round. Name the same executable more than once to see how far one process differs
 * from the next: one bench run holds a single gateway process.
 *
 * `--perf` (Linux perf needed) adds one slice each under `perf record` (the main thread, cpu-clock) and says where its
 * CPU went, native code and the kernel included, by the JavaScript function that asked for it (perf-attribution.ts;
 * every contestant then runs with JSC's JITDump on; with `--request fronts`, one slice of each front). Name sources (`src/main.ts`) rather than a binary, whose bundle
 * is minified.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Subprocess } from "bun";
import { closedLoop } from "./closed-loop";
import { attribute, describeAttribution, JitMap, parseJitDump } from "./perf-attribution";
import { freePort, readyLine } from "./ports";
import { cpuSince, environValue, MB, peakRssBytes, processFaults, THREAD_KINDS, type ThreadCpu, threadCpu } from "./proc";
import { asChatCompletion, asResponses, type BenchAccount, claudeCode, FRONT_NAME, FRONT_PATH, type Front, hello, kiroHeaders, OPENAI_FRONTS, type OpenAIFront, pair, slicePerCollection } from "./requests";
import { untilQuiet } from "./settle";
import { median, round } from "./stats";

const { values, positionals } = parseArgs({
  args: Bun.argv.slice(2),
  options: { request: { type: "string", default: "large" }, rounds: { type: "string", default: "10" }, concurrency: { type: "string" }, perf: { type: "boolean", default: false } },
  allowPositionals: true,
  strict: true,
});
if (positionals.length < 2) throw new Error("name two or more gateways to compare (executables, .ts scripts, or proxy)");
if (!["large", "hello", "fronts"].includes(values.request)) throw new Error(`--request takes large, hello or fronts, not ${values.request}`);
const fronts = values.request === "fronts";
const large = values.request !== "hello";
if (fronts && positionals.includes("proxy")) throw new Error("--request fronts compares gateways' fronts: the proxy has none");
const workers = values.concurrency === undefined ? (large ? 2 : 64) : Number(values.concurrency);
if (!Number.isInteger(workers) || workers < 1) throw new Error(`--concurrency takes a whole number of 1 or more, not ${values.concurrency}`);
const rounds = Number(values.rounds);
const ROOT = resolve(import.meta.dir, "../..");
const TASKSET = cpus().length >= 2 ? Bun.which("taskset") : null;
const pin = (cmd: string[], core: 0 | 1) => (TASKSET ? [TASKSET, "-c", String(core), ...cmd] : cmd);
const env = { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "4096", LOG_LEVEL: "warn" };
const PERF = values.perf ? Bun.which("perf") : null;
if (values.perf && !PERF) throw new Error("--perf needs Linux perf on the PATH (Debian: apt-get install linux-perf)");

/** One contestant: where its requests go, and the two request bodies in the form it takes. */
interface Contestant {
  name: string;
  pid: number;
  url: string;
  headers: Record<string, string>;
  large: string;
  small: string;
  perRequestMs: number[];
  /** With --request fronts: where each OpenAI form goes, and each slice's CPU a request through it. */
  openai?: Record<OpenAIFront, { url: string; perRequestMs: number[] }>;
  /** Each slice's CPU a request by thread kind (ns). */
  threads: ThreadCpu[];
  /** Each slice's page faults a request (/messages slices): where a fault is slow, a share of the CPU. */
  faults: number[];
  /**
   * With --perf: where JSC writes its JITDump, and for each front profiled (/v1/messages alone, unless --request
   * fronts) perf's recording of its slice and the main thread's µs a request in it.
   */
  perf?: { jitDir: string; slices: Partial<Record<Front, { data: string; mainUsPerRequest: number }>> };
}

const children: Subprocess[] = [];
const work = await mkdtemp(join(tmpdir(), "kiro-side-by-side-"));
try {
  const simulator = Bun.spawn(pin(["bun", "run", join(ROOT, "src/simulator/main.ts"), "--credentials-dir", join(work, "credentials"), "--accounts", "3"], 1), { stdout: "pipe", stderr: "inherit", env });
  children.push(simulator);
  const sim = JSON.parse(await readyLine(simulator.stdout, "the simulator")) as { url: string; accounts: Array<{ file: string }> };
  const account = (await Bun.file(sim.accounts[0]!.file).json()) as BenchAccount;
  const apiKey = `sk-side-by-side-${crypto.randomUUID()}`;
  const anthropic = { large: claudeCode({ bytes: 1_000_000, tools: 20, history: 200 }), small: hello() };
  const gatewayForm = { headers: { "content-type": "application/json", "x-api-key": apiKey }, large: JSON.stringify(anthropic.large), small: JSON.stringify(anthropic.small) };
  const openaiBodies: Record<OpenAIFront, string> = { chat: asChatCompletion(anthropic.large), responses: asResponses(anthropic.large) };
  const kiroForm = { headers: kiroHeaders(account), large: pair(anthropic.large, account).kiro, small: pair(anthropic.small, account).kiro };

  // Executables first: the first to choose an allocator setting at start-up sets it for the scripts and the proxy.
  const order = [...positionals.keys()].sort((a, b) => kind(positionals[a]!) - kind(positionals[b]!));
  const contestants: Contestant[] = new Array(positionals.length);
  let purgeDelay: string | undefined;
  for (const i of order) {
    const given = positionals[i]!;
    const name = `${given === "proxy" ? "proxy" : basename(given)} (${String.fromCharCode(65 + i)})`;
    const perf = PERF ? { jitDir: join(work, `jit-${i}`), slices: {} } : undefined;
    if (perf) await mkdir(perf.jitDir);
    const perfEnv = perf ? { BUN_JSC_useJITDump: "1", BUN_JSC_jitDumpDirectory: perf.jitDir } : {};
    const childEnv = { ...env, ...perfEnv, ...(kind(given) > 0 && purgeDelay !== undefined ? { MIMALLOC_PURGE_DELAY: purgeDelay } : {}) };
    if (given === "proxy") {
      const proc = Bun.spawn(pin(["bun", "run", join(ROOT, "scripts/bench/passthrough.ts"), "--upstream", sim.url], 0), { stdout: "pipe", stderr: "inherit", env: childEnv });
      children.push(proc);
      const { url } = JSON.parse(await readyLine(proc.stdout, "the proxy")) as { url: string };
      contestants[i] = { name, pid: proc.pid, url: `${url}/generateAssistantResponse`, ...kiroForm, perRequestMs: [], threads: [], faults: [], perf };
      continue;
    }
    const port = freePort();
    const config = join(work, `config-${i}.json`);
    // A database each: by default it is beside the config, and every contestant's config is in one folder, so they
    // wrote their request rows into one SQLite file, each waiting on the others' batches.
    const database = join(work, `kiro-ts-${i}.db`);
    await writeFile(config, JSON.stringify({ host: "127.0.0.1", port, apiKey, adminApiKey: `${apiKey}-admin`, credentialsDir: join(work, "credentials"), database, kiroApiBaseUrl: sim.url, kiroEndpoint: "q", kiroAuthBaseUrl: sim.url, oidcBaseUrl: sim.url, ssoPortalBaseUrl: sim.url }));
    const cmd = given.endsWith(".ts") ? ["bun", "run", resolve(given), "--config", config] : [resolve(given), "--config", config];
    const proc = Bun.spawn(pin(cmd, 0), { stdout: "ignore", stderr: "inherit", env: childEnv });
    children.push(proc);
    const openai = fronts ? { openai: { chat: { url: `http://127.0.0.1:${port}${FRONT_PATH.chat}`, perRequestMs: [] }, responses: { url: `http://127.0.0.1:${port}${FRONT_PATH.responses}`, perRequestMs: [] } } } : {};
    contestants[i] = { name, pid: proc.pid, url: `http://127.0.0.1:${port}${FRONT_PATH.messages}`, ...gatewayForm, ...openai, perRequestMs: [], threads: [], faults: [], perf };
    await until(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok);
    if (kind(given) === 0) {
      purgeDelay ??= environValue(proc.pid, "MIMALLOC_PURGE_DELAY");
    }
  }
  const send = async (c: Contestant, body: string, url = c.url) => {
    const res = await fetch(url, { method: "POST", headers: c.headers, body });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${c.name} answered ${res.status}`);
  };
  // At least four requests a worker, however many work at once.
  const slice = { body: (c: Contestant) => (large ? c.large : c.small), workers, count: fronts ? slicePerCollection(Buffer.byteLength(gatewayForm.large)) : Math.max(large ? 40 : 3000, workers * 4) };
  // Both request kinds in the warm-up, as the bench's gateway serves both (and every front, when they are compared).
  for (const c of contestants) {
    await closedLoop(4, { count: 300 }, () => send(c, c.large));
    for (const front of c.openai ? OPENAI_FRONTS : []) await closedLoop(4, { count: 300 }, () => send(c, openaiBodies[front], c.openai![front].url));
    await closedLoop(64, { count: 10_000 }, () => send(c, c.small));
  }
  // The peak the slices reach, not the warm-up's (Linux: writing 5 to clear_refs resets VmHWM).
  for (const c of contestants) await writeFile(`/proc/${c.pid}/clear_refs`, "5").catch(() => {});
  /** One slice of `c`, from its process quiet to quiet again: what its threads spent, and the faults it took. */
  const measured = async (c: Contestant, front: Front = "messages"): Promise<{ cpu: ThreadCpu; faults: number }> => {
    await untilQuiet(c.pid);
    const before = threadCpu(c.pid);
    const faultsBefore = processFaults(c.pid);
    await closedLoop(slice.workers, { count: slice.count }, () => (front === "messages" ? send(c, slice.body(c)) : send(c, openaiBodies[front], c.openai![front].url)));
    await untilQuiet(c.pid);
    return { cpu: cpuSince(before, threadCpu(c.pid)), faults: processFaults(c.pid) - faultsBefore };
  };
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 === 0 ? contestants : [...contestants].reverse()) {
      // The fronts in turns too, their order reversed every other round.
      const order: readonly Front[] = c.openai ? ["messages", ...OPENAI_FRONTS] : ["messages"];
      for (const front of r % 2 === 0 ? order : [...order].reverse()) {
        const { cpu: spent, faults } = await measured(c, front);
        if (front !== "messages") c.openai![front].perRequestMs.push(spent.total / slice.count / 1e6);
        else {
          c.perRequestMs.push(spent.total / slice.count / 1e6);
          c.threads.push(spent);
          c.faults.push(faults / slice.count);
        }
      }
    }
  }
  const setting = purgeDelay === undefined ? "" : `; scripts and proxy with MIMALLOC_PURGE_DELAY=${purgeDelay}`;
  console.log(`${fronts ? "the 1 MB request through /v1/messages, as Chat Completions and as a Responses request" : large ? "the 1 MB request" : "hello"}, ${slice.workers} at a time; ${rounds} slices each${fronts ? " of each front" : ""}, in turns${TASKSET ? ", pinned" : ""}${setting}`);
  for (const c of contestants) {
    const byThread = THREAD_KINDS.map((k) => `${k} ${round(median(c.threads.map((t) => t[k])) / slice.count / 1e6)}`).join(", ");
    console.log(`${c.name}: ${round(median(c.perRequestMs))} ms CPU a request (${c.perRequestMs.map((x) => round(x)).join(", ")}; by thread, medians: ${byThread}); ${round(median(c.faults))} page faults a request; peak RSS ${round(peakRssBytes(c.pid) / MB, 1)} MB`);
    for (const front of c.openai ? OPENAI_FRONTS : []) {
      const { perRequestMs } = c.openai![front];
      const ratios = perRequestMs.map((ms, r) => ms / c.perRequestMs[r]!);
      console.log(`  as ${FRONT_NAME[front]}: ${round(median(perRequestMs))} ms a request (${perRequestMs.map((x) => round(x)).join(", ")}); ÷ /v1/messages by round: median ${round(median(ratios))} (${ratios.map((x) => round(x)).join(", ")})`);
    }
  }
  if (PERF) {
    const profiled: readonly Front[] = fronts ? ["messages", ...OPENAI_FRONTS] : ["messages"];
    for (const c of contestants) for (const front of profiled) await profiledSlice(PERF, c, front);
    // JSC writes its JITDump from a queue of its own thread: it is complete once the process has ended.
    for (const child of children) child.kill();
    await Promise.all(children.map((c) => c.exited));
    console.log(`under perf (cpu-clock, main thread), one slice each${fronts ? " of each front" : ""}; where a request's main-thread CPU went, by the JavaScript function nearest the sample's leaf:`);
    for (const c of contestants) {
      const jit = new JitMap((await Promise.all((await readdir(c.perf!.jitDir)).map(async (f) => parseJitDump(await Bun.file(join(c.perf!.jitDir, f)).bytes())))).flat());
      for (const front of profiled) {
        const { data, mainUsPerRequest } = c.perf!.slices[front]!;
        const script = Bun.spawn([PERF, "script", "-i", data, "-F", "ip,dso"], { stdout: "pipe", stderr: "ignore" });
        const samples = attribute(await new Response(script.stdout).text(), jit);
        console.log(`${c.name}${fronts ? `, through ${FRONT_PATH[front]}` : ""}:`);
        for (const line of describeAttribution(samples, mainUsPerRequest, 25)) console.log(line);
      }
    }
  }

  /** One more slice of `c` through `front` while perf samples its main thread; its main-thread CPU a request (schedstat) scales the samples. */
  async function profiledSlice(perf: string, c: Contestant, front: Front): Promise<void> {
    const data = join(work, `perf-${c.pid}-${front}.data`);
    const recorder = Bun.spawn([perf, "record", "-k", "1", "-e", "cpu-clock", "-F", "10000", "-g", "-t", String(c.pid), "-o", data], { stdout: "ignore", stderr: "ignore" });
    // perf gives no sign once it is attached; it is well within this.
    await Bun.sleep(500);
    c.perf!.slices[front] = { data, mainUsPerRequest: (await measured(c, front)).cpu.main / slice.count / 1e3 };
    recorder.kill("SIGINT");
    // perf writes its file, then ends by the signal it was stopped with.
    await recorder.exited;
    if ((recorder.exitCode !== 0 && recorder.signalCode !== "SIGINT") || Bun.file(data).size === 0) {
      throw new Error(`perf record failed (${recorder.exitCode ?? recorder.signalCode}; is perf allowed to sample here? kernel.perf_event_paranoid)`);
    }
  }
} finally {
  for (const child of children) child.kill();
  await Promise.all(children.map((c) => c.exited));
  await rm(work, { recursive: true, force: true });
}

/** 0 for an executable, 1 for a script or the proxy: the order they start in. */
function kind(given: string): number {
  return given === "proxy" || given.endsWith(".ts") ? 1 : 0;
}

async function until(ready: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await ready().catch(() => false)) return;
    await Bun.sleep(50);
  }
  throw new Error("a gateway did not answer /health within 10 s");
}

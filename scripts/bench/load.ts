/**
 * The load driver, run as its own process: `bun run scripts/bench/load.ts PLAN.json`. It sends each request three
 * ways — through the gateway, as its Kiro equivalent straight to the simulator, and through the bare pass-through
 * proxy — and measures the differences, the CPU time each process spends and the memory they hold. It prints one
 * JSON document (LoadResults) on stdout; progress goes to stderr.
 */
import { readFileSync } from "node:fs";
import { cpuSeconds, machineBusySeconds, MB, rssBytes } from "./proc";
import { asChatCompletion, claudeCode, hello, kiroHeaders, pair, type BenchAccount, type PairedRequest } from "./requests";
import { round, spread, type Spread } from "./stats";

export interface Endpoint {
  url: string;
  pid: number;
}

export interface LoadPlan {
  gateway: Endpoint & { apiKey: string };
  simulator: Endpoint;
  proxy: Endpoint;
  account: BenchAccount;
  /** 1 for the full run; smaller for a smoke run (fewer samples, shorter windows). */
  scale: number;
  /** Long replies to convert: total event-stream bytes and characters of text per frame. */
  longReplies: Array<{ bytes: number; chars: number }>;
  openStreams: number;
}

type Path = "direct" | "gateway" | "proxy";
const PATHS: Path[] = ["direct", "gateway", "proxy"];

export interface PairedLatency {
  samples: number;
  /** Cores busy with other work on the machine meanwhile. */
  otherCores: number;
  /** Per-pair gateway − direct, ms. */
  added: Spread;
  /** Per-pair proxy − direct, ms: the floor of any extra hop. */
  proxyAdded: Spread;
  direct: Spread;
  gateway: Spread;
  proxy: Spread;
  /** CPU ms each process spent per request it served (the simulator serves all three paths). */
  cpuMsPerRequest: { gateway: number; proxy: number; simulator: number };
  /** Requests inside the gateway and inside the proxy at an average moment (time spent there ÷ wall time). */
  inside: { gateway: number; proxy: number };
}

export interface Throughput {
  /** Event-stream bytes of the reply. */
  eventStreamBytes: number;
  /** What the client received. */
  receivedBytes: number;
  wallSeconds: number;
  /** eventStreamBytes per wall second, MB/s. */
  wallMBps: number;
  /** CPU seconds the process on the path spent (the gateway or the proxy; the simulator for direct). */
  cpuSeconds: number;
  /** eventStreamBytes per CPU second of that process: its conversion rate, whatever the others are doing. */
  cpuMBps: number;
}

export interface LoadRun {
  concurrency: number;
  seconds: number;
  requests: number;
  rps: number;
  /** CPU ms per request of each process over the window. */
  cpuMsPerRequest: { gateway?: number; proxy?: number; simulator: number; client: number };
  /** Cores busy with other work on the machine meanwhile (other people's tests, say): the noise in the figure. */
  otherCores: number;
}

export interface LoadResults {
  latency: {
    small: { sequential: PairedLatency; concurrent32: PairedLatency; bodyBytes: number };
    large: {
      sequential: PairedLatency;
      concurrent32: PairedLatency;
      bodyBytes: number;
      kiroBytes: number;
      /** JSON.parse of the Anthropic body plus JSON.stringify of the Kiro one, ms (median): what no converting gateway skips. */
      parseAndSerialiseMs: number;
    };
  };
  streaming: {
    ttfb: PairedLatency;
    throughput: Array<{ frameChars: number; direct: Throughput; gateway: Throughput; proxy: Throughput }>;
  };
  load: Record<"c64" | "c256", { gateway: LoadRun; proxy: LoadRun; direct: LoadRun }>;
  /** The same 1 MB conversation through both fronts, alternating: the gateway's CPU per request on each. */
  fronts: { chatBytes: number; messagesCpuMs: number; chatCpuMs: number };
  streams: {
    open: number;
    gateway: { opened: number; rssBeforeMB: number; rssMB: number; simulatorRssMB: number };
    proxy: { opened: number; rssBeforeMB: number; rssMB: number };
  };
  errors: string[];
}

const plan = JSON.parse(readFileSync(Bun.argv[2]!, "utf8")) as LoadPlan;
const errors: string[] = [];
const note = (text: string) => process.stderr.write(`  · ${text}\n`);
const scaled = (n: number) => Math.max(2, Math.round(n * plan.scale));

const kiro = kiroHeaders(plan.account);
const gatewayHeaders = { "content-type": "application/json", "x-api-key": plan.gateway.apiKey };

/** A request as each path takes it: the gateway gets the Anthropic body, the other two the Kiro body. */
function requestFor(path: Path, p: PairedRequest): { url: string; init: RequestInit } {
  if (path === "gateway") return { url: `${plan.gateway.url}/v1/messages`, init: { method: "POST", headers: gatewayHeaders, body: p.anthropic } };
  const base = path === "direct" ? plan.simulator.url : plan.proxy.url;
  return { url: `${base}/generateAssistantResponse`, init: { method: "POST", headers: kiro, body: p.kiro } };
}

function failed(path: Path, what: string): void {
  if (errors.length < 20) errors.push(`${path}: ${what}`);
}

/** Time to the whole answer, ms. */
async function whole(path: Path, p: PairedRequest): Promise<number> {
  const { url, init } = requestFor(path, p);
  const t0 = performance.now();
  const res = await fetch(url, init);
  const body = await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) failed(path, `HTTP ${res.status} ${new TextDecoder().decode(body).slice(0, 200)}`);
  return ms;
}

/** Time to the first byte of the body, ms; the rest is read untimed so the connection can be reused. */
async function firstByte(path: Path, p: PairedRequest): Promise<number> {
  const { url, init } = requestFor(path, p);
  const t0 = performance.now();
  const res = await fetch(url, init);
  const reader = res.body!.getReader();
  const first = await reader.read();
  const ms = performance.now() - t0;
  if (res.status !== 200 || first.done) failed(path, `HTTP ${res.status}, first read done=${first.done}`);
  while (!(await reader.read()).done);
  return ms;
}

/**
 * `count` rounds by each of `workers` workers; a round sends the request by all three paths (in rotating order, so
 * no path always goes first) and records the differences of that round.
 */
async function paired(measure: (path: Path, p: PairedRequest) => Promise<number>, req: PairedRequest, workers: number, count: number): Promise<PairedLatency> {
  const times: Record<Path, number[]> = { direct: [], gateway: [], proxy: [] };
  const added: number[] = [];
  const proxyAdded: number[] = [];
  const worker = async (w: number) => {
    for (let i = 0; i < count; i++) {
      const t = {} as Record<Path, number>;
      for (let k = 0; k < 3; k++) {
        const path = PATHS[(i + w + k) % 3]!;
        t[path] = await measure(path, req);
      }
      for (const path of PATHS) times[path].push(t[path]);
      added.push(t.gateway - t.direct);
      proxyAdded.push(t.proxy - t.direct);
    }
  };
  const before = cpuNow();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  const after = cpuNow();
  const elapsedMs = performance.now() - t0;
  const inside = (path: Path) => round(times[path].reduce((sum, ms) => sum + ms, 0) / elapsedMs, 2);
  const r = (s: Spread): Spread => ({ p50: round(s.p50), p99: round(s.p99) });
  const perRequest = (k: Process, requests: number) => round(((after[k] - before[k]) * 1000) / requests, 3);
  return {
    samples: added.length,
    otherCores: otherCores(before, after, elapsedMs / 1000),
    cpuMsPerRequest: { gateway: perRequest("gateway", added.length), proxy: perRequest("proxy", added.length), simulator: perRequest("simulator", 2 * added.length) },
    inside: { gateway: inside("gateway"), proxy: inside("proxy") },
    added: r(spread(added)),
    proxyAdded: r(spread(proxyAdded)),
    direct: r(spread(times.direct)),
    gateway: r(spread(times.gateway)),
    proxy: r(spread(times.proxy)),
  };
}

/**
 * The gateway's CPU per request for one conversation sent as Anthropic Messages and as Chat Completions, one after
 * the other (in turns, so neither always goes first): what the OpenAI front's convert-in and render-out cost.
 */
async function frontsCpu(messages: string, chat: string, rounds: number): Promise<LoadResults["fronts"]> {
  const fronts = [
    { path: "/v1/messages", body: messages, cpu: 0 },
    { path: "/v1/chat/completions", body: chat, cpu: 0 },
  ];
  // The first rounds warm the OpenAI front's code up (the Messages front is warm already) and are not counted.
  const warmUp = Math.max(5, Math.round(rounds / 5));
  for (let i = -warmUp; i < rounds; i++) {
    for (let k = 0; k < 2; k++) {
      const front = fronts[(i + warmUp + k) % 2]!;
      const before = cpuSeconds(plan.gateway.pid);
      const res = await fetch(`${plan.gateway.url}${front.path}`, { method: "POST", headers: gatewayHeaders, body: front.body });
      const text = await res.text();
      if (i >= 0) front.cpu += cpuSeconds(plan.gateway.pid) - before;
      if (res.status !== 200) failed("gateway", `${front.path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    }
  }
  const perRequest = (cpu: number) => round((cpu * 1000) / rounds, 3);
  return { chatBytes: Buffer.byteLength(chat), messagesCpuMs: perRequest(fronts[0]!.cpu), chatCpuMs: perRequest(fronts[1]!.cpu) };
}

async function warm(req: PairedRequest, rounds: number): Promise<void> {
  await paired(whole, req, 4, rounds);
}

/** Reads a whole streamed reply by one path; wall time and the CPU time of the process doing the work. */
async function drain(path: Path, p: PairedRequest, eventStreamBytes: number): Promise<Throughput> {
  const pid = path === "gateway" ? plan.gateway.pid : path === "proxy" ? plan.proxy.pid : plan.simulator.pid;
  const { url, init } = requestFor(path, p);
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const res = await fetch(url, init);
  const reader = res.body!.getReader();
  let received = 0;
  let tail = new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.length;
    tail = value;
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  if (res.status !== 200) failed(path, `long reply: HTTP ${res.status}`);
  if (path === "gateway" && !new TextDecoder().decode(tail).includes("message_stop")) failed(path, "long reply did not end with message_stop");
  return {
    eventStreamBytes,
    receivedBytes: received,
    wallSeconds: round(wallSeconds),
    wallMBps: round(eventStreamBytes / MB / wallSeconds, 1),
    cpuSeconds: round(cpu, 2),
    cpuMBps: round(cpu > 0 ? eventStreamBytes / MB / cpu : Number.POSITIVE_INFINITY, 1),
  };
}

/** The median run (by wall time) of `runs`. */
async function medianDrain(path: Path, p: PairedRequest, bytes: number, runs: number): Promise<Throughput> {
  const results: Throughput[] = [];
  for (let i = 0; i < runs; i++) results.push(await drain(path, p, bytes));
  results.sort((a, b) => a.wallSeconds - b.wallSeconds);
  return results[Math.floor(results.length / 2)]!;
}

const PIDS = () => ({ gateway: plan.gateway.pid, proxy: plan.proxy.pid, simulator: plan.simulator.pid, client: process.pid });
type Process = keyof ReturnType<typeof PIDS>;

/** CPU seconds used so far by each of the four processes and by the whole machine. */
function cpuNow(): Record<Process | "machine", number> {
  const pids = PIDS();
  return {
    gateway: cpuSeconds(pids.gateway),
    proxy: cpuSeconds(pids.proxy),
    simulator: cpuSeconds(pids.simulator),
    client: cpuSeconds(pids.client),
    machine: machineBusySeconds(),
  };
}

function otherCores(before: ReturnType<typeof cpuNow>, after: ReturnType<typeof cpuNow>, seconds: number): number {
  const used = (k: keyof typeof before) => after[k] - before[k];
  const ours = used("gateway") + used("proxy") + used("simulator") + used("client");
  return round(Math.max(0, used("machine") - ours) / seconds, 2);
}

interface Tally {
  requests: number;
  seconds: number;
  cpu: Record<Process | "machine", number>;
}

/** Closed-loop load for one slice: `concurrency` clients each sending the next request when the last is answered. */
async function slice(path: Path, req: PairedRequest, concurrency: number, seconds: number, into: Tally): Promise<void> {
  const before = cpuNow();
  let requests = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await whole(path, req);
        requests++;
      }
    }),
  );
  into.seconds += (performance.now() - t0) / 1000;
  into.requests += requests;
  const after = cpuNow();
  for (const k of Object.keys(after) as Array<keyof typeof after>) into.cpu[k] += after[k] - before[k];
}

/**
 * Requests per second by each path at one concurrency. The paths take turns in one-second slices, so a neighbour
 * that loads the shared machine for a while weighs on all three alike.
 */
async function load(req: PairedRequest, concurrency: number, seconds: number): Promise<Record<Path, LoadRun>> {
  const tallies = Object.fromEntries(
    PATHS.map((p) => [p, { requests: 0, seconds: 0, cpu: { gateway: 0, proxy: 0, simulator: 0, client: 0, machine: 0 } }]),
  ) as Record<Path, Tally>;
  const slices = Math.max(1, Math.round(seconds));
  for (let i = 0; i < slices; i++) for (const path of PATHS) await slice(path, req, concurrency, seconds / slices, tallies[path]);
  const run = (path: Path): LoadRun => {
    const t = tallies[path];
    const perRequest = (k: Process) => round((t.cpu[k] * 1000) / t.requests, 4);
    return {
      concurrency,
      seconds: round(t.seconds, 2),
      requests: t.requests,
      rps: Math.round(t.requests / t.seconds),
      cpuMsPerRequest: {
        ...(path === "gateway" ? { gateway: perRequest("gateway") } : {}),
        ...(path === "proxy" ? { proxy: perRequest("proxy") } : {}),
        simulator: perRequest("simulator"),
        client: perRequest("client"),
      },
      otherCores: round(Math.max(0, t.cpu.machine - (t.cpu.gateway + t.cpu.proxy + t.cpu.simulator + t.cpu.client)) / t.seconds, 2),
    };
  };
  return { gateway: run("gateway"), proxy: run("proxy"), direct: run("direct") };
}

/** Opens `n` streams that the simulator holds open, waits for the first byte of each, reads memory, closes them. */
async function holdStreams(path: Path, p: PairedRequest, n: number): Promise<{ opened: number; rssBeforeMB: number; rssMB: number; simulatorRssMB: number }> {
  const pid = path === "gateway" ? plan.gateway.pid : plan.proxy.pid;
  Bun.gc(true);
  await Bun.sleep(200);
  const rssBefore = rssBytes(pid);
  const abort = new AbortController();
  let opened = 0;
  const { url, init } = requestFor(path, p);
  const all = Array.from({ length: n }, async () => {
    try {
      const res = await fetch(url, { ...init, signal: abort.signal });
      const first = await res.body!.getReader().read();
      if (res.status === 200 && !first.done) opened++;
    } catch (e) {
      if (!abort.signal.aborted) failed(path, `held stream: ${(e as Error).message}`);
    }
  });
  const deadline = performance.now() + 20_000;
  while (opened < n && performance.now() < deadline) await Bun.sleep(50);
  // Let the process settle with every stream open before reading its memory.
  await Bun.sleep(500);
  const rss = rssBytes(pid);
  const simRss = rssBytes(plan.simulator.pid);
  abort.abort();
  await Promise.allSettled(all);
  if (opened < n) failed(path, `only ${opened} of ${n} streams opened within 20 s`);
  return { opened, rssBeforeMB: round(rssBefore / MB, 1), rssMB: round(rss / MB, 1), simulatorRssMB: round(simRss / MB, 1) };
}

/**
 * Before any timing: each path answers a request with what it should — the gateway an Anthropic message carrying the
 * simulator's echo, the other two Kiro's event stream — so a fast wrong answer cannot pass for a fast right one.
 */
async function checkAnswers(p: PairedRequest, said: string): Promise<void> {
  for (const path of PATHS) {
    const { url, init } = requestFor(path, p);
    const res = await fetch(url, init);
    const body = await res.text();
    const right =
      path === "gateway"
        ? (JSON.parse(body) as { type?: string; content?: Array<{ text?: string }> }).content?.[0]?.text?.endsWith(`You said: ${said}`)
        : res.headers.get("content-type") === "application/vnd.amazon.eventstream" && body.includes("assistantResponseEvent");
    if (res.status !== 200 || !right) failed(path, `wrong answer to a check request: HTTP ${res.status} ${body.slice(0, 200)}`);
  }
}

/**
 * The CPU any converting gateway spends on a body whatever its design: parse the client's JSON, serialise Kiro's.
 * Measured here, in the driver, as the median of a few runs.
 */
function parseAndSerialise(p: PairedRequest): number {
  const kiro = JSON.parse(p.kiro) as unknown;
  const runs: number[] = [];
  for (let i = 0; i < 25; i++) {
    const t0 = performance.now();
    JSON.parse(p.anthropic);
    JSON.stringify(kiro);
    runs.push(performance.now() - t0);
  }
  return round(spread(runs.slice(5)).p50, 3);
}

async function main(): Promise<LoadResults> {
  const small = pair(hello(), plan.account);
  const largeRequest = claudeCode({ bytes: 1_000_000, tools: 20, history: 200 });
  const large = pair(largeRequest, plan.account);
  // Measured first, while this process is idle.
  const largeParseAndSerialiseMs = parseAndSerialise(large);
  await checkAnswers(small, "Hello, Claude!");
  await checkAnswers(large, "Now summarise what these modules do.");
  const smallStream = pair(hello({ stream: true }), plan.account);
  const held = pair(hello({ stream: true, text: "[sim] hold 600000" }), plan.account);

  note("small request: warm-up, then sequential and 32 at once");
  await warm(small, scaled(300));
  const smallSeq = await paired(whole, small, 1, scaled(2000));
  const smallC32 = await paired(whole, small, 32, scaled(150));

  note(`Claude-Code-sized request (${(large.bytes / MB).toFixed(2)} MB): warm-up, then sequential and 32 at once`);
  await warm(large, scaled(20));
  const largeSeq = await paired(whole, large, 1, scaled(300));
  const largeC32 = await paired(whole, large, 32, scaled(12));

  note("OpenAI front: the same conversation as Chat Completions, in turns with /v1/messages");
  const fronts = await frontsCpu(large.anthropic, asChatCompletion(largeRequest), scaled(150));

  note("streaming: time to first byte");
  await paired(firstByte, smallStream, 4, scaled(100));
  const ttfb = await paired(firstByte, smallStream, 1, scaled(1000));

  const throughput: LoadResults["streaming"]["throughput"] = [];
  for (const { bytes, chars } of plan.longReplies) {
    note(`streaming: a long reply (${(bytes / MB).toFixed(0)} MB of event stream, ${chars} characters a frame)`);
    const long = pair(hello({ stream: true, text: `[sim] long ${bytes} ${chars}` }), plan.account);
    // The real size of the reply, measured once straight from the simulator.
    const probe = await fetch(requestFor("direct", long).url, requestFor("direct", long).init);
    const eventStreamBytes = (await probe.arrayBuffer()).byteLength;
    await drain("gateway", long, eventStreamBytes);
    const runs = Math.max(1, Math.round(3 * plan.scale));
    throughput.push({
      frameChars: chars,
      direct: await medianDrain("direct", long, eventStreamBytes, runs),
      gateway: await medianDrain("gateway", long, eventStreamBytes, runs),
      proxy: await medianDrain("proxy", long, eventStreamBytes, runs),
    });
  }

  const loadSeconds = Math.max(1, 6 * plan.scale);
  const loads = {} as LoadResults["load"];
  for (const concurrency of [64, 256] as const) {
    note(`load: small requests at concurrency ${concurrency}, ${loadSeconds} s per path in turns`);
    await slice("gateway", small, concurrency, 0.5, { requests: 0, seconds: 0, cpu: { gateway: 0, proxy: 0, simulator: 0, client: 0, machine: 0 } });
    loads[`c${concurrency}`] = await load(small, concurrency, loadSeconds);
  }

  note(`memory: ${plan.openStreams} streams open at once`);
  const gatewayStreams = await holdStreams("gateway", held, plan.openStreams);
  const proxyStreams = await holdStreams("proxy", held, plan.openStreams);

  return {
    latency: {
      small: { sequential: smallSeq, concurrent32: smallC32, bodyBytes: small.bytes },
      large: {
        sequential: largeSeq,
        concurrent32: largeC32,
        bodyBytes: large.bytes,
        kiroBytes: Buffer.byteLength(large.kiro),
        parseAndSerialiseMs: largeParseAndSerialiseMs,
      },
    },
    streaming: { ttfb, throughput },
    fronts,
    load: loads,
    streams: {
      open: plan.openStreams,
      gateway: gatewayStreams,
      proxy: { opened: proxyStreams.opened, rssBeforeMB: proxyStreams.rssBeforeMB, rssMB: proxyStreams.rssMB },
    },
    errors,
  };
}

process.stdout.write(JSON.stringify(await main()) + "\n");
process.exit(0);

/**
 * The load driver, run as its own process: `bun run scripts/bench/load.ts PLAN.json`. It sends each request three
 * ways — through the gateway, as its Kiro equivalent straight to the simulator, and through the bare pass-through
 * proxy — and measures the differences, the CPU time each process spends and the memory they hold. It prints one
 * JSON document (LoadResults) on stdout; progress goes to stderr.
 */
import { readFileSync } from "node:fs";
import { closedLoop, type Stop } from "./closed-loop";
import { allowedCores, cpuSince, machineBusySeconds, MB, onCores, peakRssBytes, rssBytes, thisThreadNs, threadCpu, type ThreadCpu, type Threads } from "./proc";
import { asChatCompletion, asResponses, claudeCode, FRONT_PATH, type Front, hello, kiroHeaders, longReplyText, OPENAI_FRONTS, pair, slicePerCollection, type BenchAccount, type PairedRequest } from "./requests";
import { type Settling, settleJit, untilQuiet } from "./settle";
import { middleRound, round, spread, type Spread } from "./stats";

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
  /** Rounds of each gated ratio; each round rotates several slices between the gateway and the proxy. */
  rounds: number;
  /** Rounds of the OpenAI fronts' rows, each the three fronts' slices in turns. */
  frontsRounds: number;
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
  streaming: { ttfb: PairedLatency };
  load: Record<"c64" | "c256", { gateway: LoadRun; proxy: LoadRun; direct: LoadRun }>;
  /** The same 1 MB conversation through /v1/messages, as Chat Completions and as a Responses request: their bodies' bytes. */
  fronts: { chatBytes: number; responsesBytes: number };
  streams: {
    open: number;
    gateway: { opened: number; rssBeforeMB: number; rssMB: number; simulatorRssMB: number };
    proxy: { opened: number; rssBeforeMB: number; rssMB: number };
  };
  /** The gated figures, one entry per round (rounds run one after the other, each beside the proxy). */
  rounds: {
    large: CpuRound[];
    small: CpuRound[];
    stream: StreamRound[];
    fronts: FrontsRound[];
  };
  /**
   * The Chat Completions row's own warm-up, after the other rows: first, for information, one slice of each front as
   * those rows left them (they send nothing as Chat Completions, so by then JSC has thrown that front's compiled code
   * away); then how its settling went before its rounds.
   */
  frontsWarmUp: { idle: FrontsRound; settling: Settling };
  /** How long the warm-up ran before anything was counted. */
  warmUp: Settling & { window: { small: number; large: number; chat: number } };
  /** The most memory each process held over the whole load (VmHWM), MB. */
  peakRssMB: { gateway: number; proxy: number };
  /**
   * Each process's RSS (MB) after 1 MB requests four at a time that follow the 32-at-once burst: what steady load
   * leaves resident once a burst has passed (a peak alone does not show memory that stays).
   */
  afterBurstRssMB: { gateway: number; proxy: number };
  errors: string[];
}

/** One round of CPU per request, gateway beside proxy, each the sum of several slices taken in turns. */
export interface CpuRound {
  gateway: { requests: number; seconds: number; cpuNsPerRequest: ThreadCpu };
  proxy: { requests: number; seconds: number; cpuNsPerRequest: ThreadCpu };
  /** The reference measured in the driver between the slices: thread CPU of JSON.parse + JSON.stringify, ns. */
  referenceNs?: number;
}

/** One round of the gateway's CPU per request on each front for the same conversation, each the sum of several slices taken in turns. */
export type FrontsRound = Record<Front, CpuRound["gateway"]>;

/** One round of long replies: per reply size, wall MB/s of each and the gateway's CPU. */
export interface StreamRound {
  frameChars: number;
  gateway: Throughput & { cpuNs: ThreadCpu };
  proxy: Throughput & { cpuNs: ThreadCpu };
  /** The gateway's reply ended with message_stop and carried every character the simulator sent. */
  complete: boolean;
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
  const used = cpuUsed(before, cpuNow());
  const elapsedMs = performance.now() - t0;
  const inside = (path: Path) => round(times[path].reduce((sum, ms) => sum + ms, 0) / elapsedMs, 2);
  const r = (s: Spread): Spread => ({ p50: round(s.p50), p99: round(s.p99) });
  const perRequest = (k: Process, requests: number) => round((used[k] * 1000) / requests, 3);
  return {
    samples: added.length,
    otherCores: otherCores(used, elapsedMs / 1000),
    cpuMsPerRequest: { gateway: perRequest("gateway", added.length), proxy: perRequest("proxy", added.length), simulator: perRequest("simulator", 2 * added.length) },
    inside: { gateway: inside("gateway"), proxy: inside("proxy") },
    added: r(spread(added)),
    proxyAdded: r(spread(proxyAdded)),
    direct: r(spread(times.direct)),
    gateway: r(spread(times.gateway)),
    proxy: r(spread(times.proxy)),
  };
}

const FRONTS: readonly Front[] = ["messages", ...OPENAI_FRONTS];

/** One request through a front of the gateway, read to its end. */
async function throughFront(front: Front, body: string): Promise<void> {
  const res = await fetch(`${plan.gateway.url}${FRONT_PATH[front]}`, { method: "POST", headers: gatewayHeaders, body });
  const answer = await res.arrayBuffer();
  if (res.status !== 200) failed("gateway", `${FRONT_PATH[front]}: HTTP ${res.status} ${new TextDecoder().decode(answer).slice(0, 200)}`);
}

/**
 * One round of the OpenAI fronts' rows: `slices` slices of each front, taken in turns (the order reversed every other
 * slice), each `workers` closed-loop clients until `count` requests are answered, and the gateway's thread CPU over
 * each slice. Every front goes to the same gateway, so only the front differs.
 */
async function frontsRound(bodies: Record<Front, string>, workers: number, count: number, slices: number): Promise<FrontsRound> {
  const zero = (): ThreadCpu => ({ main: 0, http: 0, jit: 0, gc: 0, other: 0, total: 0 });
  const sum = Object.fromEntries(FRONTS.map((f) => [f, { requests: 0, seconds: 0, cpu: zero() }])) as Record<Front, { requests: number; seconds: number; cpu: ThreadCpu }>;
  for (let i = 0; i < slices; i++) {
    for (const front of i % 2 === 0 ? FRONTS : [...FRONTS].reverse()) {
      const before = threadCpu(plan.gateway.pid);
      const t0 = performance.now();
      let started = 0;
      await Promise.all(
        Array.from({ length: workers }, async () => {
          while (started < count) {
            started++;
            await throughFront(front, bodies[front]);
          }
        }),
      );
      await untilQuiet(plan.gateway.pid);
      const cpu = cpuSince(before, threadCpu(plan.gateway.pid));
      sum[front].requests += count;
      sum[front].seconds += (performance.now() - t0) / 1000;
      for (const k of Object.keys(cpu) as Array<keyof ThreadCpu>) sum[front].cpu[k] += cpu[k];
    }
  }
  const side = (t: (typeof sum)[Front]) => ({ requests: t.requests, seconds: round(t.seconds, 2), cpuNsPerRequest: perRequest(t.cpu, t.requests) });
  return { messages: side(sum.messages), chat: side(sum.chat), responses: side(sum.responses) };
}

/** One warm-up window's requests of each kind (the large one and Chat Completions four at a time, hello 64). */
const WARM_WINDOW = { small: scaled(3000), large: scaled(100), chat: scaled(20) };

/** Requests of each front before the settling windows: as many 1 MB requests as the main warm-up's first part sends. */
const FRONTS_WARM_UP = 600;

/**
 * The Chat Completions row is counted after the other rows, in rounds that follow each other, once both fronts have
 * settled again. JavaScriptCore throws compiled code away once a collection finds it unused and older than its
 * tier's time to live (a minute for the optimising tier, seconds for the others: CodeBlock's old-age jettison), and
 * the other rows send nothing as Chat Completions: counted between them, as it was, that front's code started each
 * round in the interpreter while /v1/messages's, used by every row, stayed compiled — the row measured recompiling
 * (0.3–0.4 ms of JIT a request in a round's first slices) and code not yet optimised, not the front. Settled as the
 * warm-up settles everything: 600 of each front in turns, then windows of a slice of each until the JIT has settled (in
 * windows of 20 it looked settled while tier-ups still came, 0.1–0.2 ms of JIT a Chat Completions request in the rounds).
 */
async function settleFronts(bodies: Record<Front, string>, slice: number): Promise<Settling> {
  await frontsRound(bodies, 4, scaled(FRONTS_WARM_UP / 2), 2);
  return settleJit([plan.gateway.pid], async () => {
    for (const front of FRONTS) await closedLoop(2, { count: slice }, () => throughFront(front, bodies[front]));
  });
}

async function warm(req: PairedRequest, rounds: number): Promise<void> {
  await paired(whole, req, 4, rounds);
}

const PIDS = () => ({ gateway: plan.gateway.pid, proxy: plan.proxy.pid, simulator: plan.simulator.pid, client: process.pid });
type Process = keyof ReturnType<typeof PIDS>;

/** A reading of each of the four processes' threads and of the whole machine's busy seconds. */
interface CpuReading {
  threads: Record<Process, Threads>;
  machine: number;
}

function cpuNow(): CpuReading {
  const pids = PIDS();
  const processes = Object.keys(pids) as Process[];
  return { threads: Object.fromEntries(processes.map((p) => [p, threadCpu(pids[p])])) as Record<Process, Threads>, machine: machineBusySeconds() };
}

/** CPU seconds each process and the whole machine used between two readings (thread by thread: proc.ts's cpuSince). */
function cpuUsed(before: CpuReading, after: CpuReading): Record<Process | "machine", number> {
  const used = { machine: after.machine - before.machine } as Record<Process | "machine", number>;
  for (const p of Object.keys(after.threads) as Process[]) used[p] = cpuSince(before.threads[p], after.threads[p]).total / 1e9;
  return used;
}

function otherCores(used: Record<Process | "machine", number>, seconds: number): number {
  const ours = used.gateway + used.proxy + used.simulator + used.client;
  return round(Math.max(0, used.machine - ours) / seconds, 2);
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
  const used = cpuUsed(before, cpuNow());
  for (const k of Object.keys(used) as Array<keyof typeof used>) into.cpu[k] += used[k];
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

/** A process's thread CPU now, by path. */
const pidOf = (path: Path) => (path === "gateway" ? plan.gateway.pid : path === "proxy" ? plan.proxy.pid : plan.simulator.pid);

const perRequest = (cpu: ThreadCpu, requests: number): ThreadCpu => {
  const out = { ...cpu };
  for (const k of Object.keys(out) as Array<keyof ThreadCpu>) out[k] = Math.round(cpu[k] / requests);
  return out;
};

/** `workers` closed-loop clients on one path until `stop`, with the path's thread CPU meanwhile. */
async function burst(path: Path, req: PairedRequest, workers: number, stop: Stop): Promise<{ requests: number; seconds: number; cpu: ThreadCpu }> {
  const pid = pidOf(path);
  const before = threadCpu(pid);
  const { requests, seconds } = await closedLoop(workers, stop, () => whole(path, req));
  await untilQuiet(pid);
  return { requests, seconds, cpu: cpuSince(before, threadCpu(pid)) };
}

/**
 * One round of CPU per request: `slices` slices for each of gateway and proxy, taken in turns (the one going first
 * alternates), so a neighbour that loads the machine for a while weighs on both alike. With `reference`, the
 * driver measures it between the slices too.
 */
async function cpuRound(req: PairedRequest, workers: number, stop: { count?: number; seconds?: number }, slices: number, reference?: () => number): Promise<CpuRound> {
  const zero = (): ThreadCpu => ({ main: 0, http: 0, jit: 0, gc: 0, other: 0, total: 0 });
  const sum = { gateway: { requests: 0, seconds: 0, cpu: zero() }, proxy: { requests: 0, seconds: 0, cpu: zero() } };
  const references = { ns: 0, runs: 0 };
  for (let i = 0; i < slices; i++) {
    for (const path of i % 2 === 0 ? (["gateway", "proxy"] as const) : (["proxy", "gateway"] as const)) {
      const b = await burst(path, req, workers, stop);
      sum[path].requests += b.requests;
      sum[path].seconds += b.seconds;
      for (const k of Object.keys(b.cpu) as Array<keyof ThreadCpu>) sum[path].cpu[k] += b.cpu[k];
      if (reference) {
        references.ns += reference();
        references.runs++;
      }
    }
  }
  const side = (t: (typeof sum)["gateway"]) => ({ requests: t.requests, seconds: round(t.seconds, 2), cpuNsPerRequest: perRequest(t.cpu, t.requests) });
  return { gateway: side(sum.gateway), proxy: side(sum.proxy), ...(reference ? { referenceNs: Math.round(references.ns / references.runs) } : {}) };
}

/**
 * The reference no converting gateway goes below, whatever its design: JSON.parse of the client's body and
 * JSON.stringify of the Kiro object, as the CPU time of this thread per request. It runs on the gateway's core (this
 * thread moved there after each slice, while the gateway is quiet), as the proxy shares that core: on a shared
 * machine one core's neighbours can slow it for minutes while the other's do not. A round's figure is the mean of
 * its runs, as the slices' figures are their CPU over their requests: the median of a few batches (before the
 * thirty-third pass) left out the slow moments the gateway's slices cannot, and read ~10 % low against them.
 */
function referenceCpu(p: PairedRequest, perRun = 12): () => number {
  const kiroObject = JSON.parse(p.kiro) as unknown;
  const gatewayCores = allowedCores(`/proc/${plan.gateway.pid}`) ?? "";
  return () => onCores(gatewayCores, () => {
    const t0 = thisThreadNs();
    for (let i = 0; i < perRun; i++) {
      JSON.parse(p.anthropic);
      JSON.stringify(kiroObject);
    }
    return (thisThreadNs() - t0) / perRun;
  });
}

/** Text characters of the long reply as the simulator sends it, and as the gateway's SSE carried them. */
function textDelivered(sse: string): number {
  let chars = 0;
  for (const line of sse.split("\n")) {
    if (!line.startsWith("data: ") || !line.includes('"text_delta"')) continue;
    chars += ((JSON.parse(line.slice(6)) as { delta: { text: string } }).delta.text).length;
  }
  return chars;
}

/**
 * Reads a whole streamed reply, keeping its bytes when asked; they are decoded only once the reading is timed (how
 * many bytes carry the text depends on how the reads fell: the gateway joins the texts of one read).
 */
async function drainCounted(path: Path, p: PairedRequest, eventStreamBytes: number, keep: boolean): Promise<{ t: Throughput; cpuNs: ThreadCpu; text?: string; tail: string }> {
  const pid = pidOf(path);
  const { url, init } = requestFor(path, p);
  const cpu0 = threadCpu(pid);
  const t0 = performance.now();
  const res = await fetch(url, init);
  const reader = res.body!.getReader();
  let received = 0;
  const kept: Uint8Array[] = [];
  let last = new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.length;
    last = value;
    if (keep) kept.push(value);
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const text = keep ? new TextDecoder().decode(Buffer.concat(kept)) : "";
  await untilQuiet(pid);
  const cpuNs = cpuSince(cpu0, threadCpu(pid));
  if (res.status !== 200) failed(path, `long reply: HTTP ${res.status}`);
  const cpu = cpuNs.total / 1e9;
  return {
    t: {
      eventStreamBytes,
      receivedBytes: received,
      wallSeconds: round(wallSeconds),
      wallMBps: round(eventStreamBytes / MB / wallSeconds, 1),
      cpuSeconds: round(cpu, 3),
      cpuMBps: round(cpu > 0 ? eventStreamBytes / MB / cpu : Number.POSITIVE_INFINITY, 1),
    },
    cpuNs,
    ...(keep ? { text } : {}),
    tail: new TextDecoder().decode(last),
  };
}

/**
 * Drains of each long reply a round takes by each path, in turns. A round's figure for a path is its median drain (its
 * CPU too, the rows per CPU second): with one drain a round (before the thirty-ninth pass), a single stall of the
 * simulator's and driver's shared core went into the row — a gateway drain of 1.22 s against 0.70 for the others, on
 * 0.28 s of the gateway's CPU — and its rounds read 0.60–0.91 in one run.
 */
const DRAINS_PER_ROUND = 3;

/** What a drain through the gateway lost of the reply, if anything: its characters, or its ending. */
function lostText(text: string, tail: string, sent: number): string | undefined {
  const got = textDelivered(text);
  if (got !== sent) return `${got} of ${sent} characters`;
  return tail.includes("message_stop") ? undefined : "no message_stop at its end";
}

/** What a drain through the proxy lost of Kiro's event stream, if anything. */
function lostBytes(t: Throughput, eventStreamBytes: number): string | undefined {
  return t.receivedBytes === eventStreamBytes ? undefined : `${t.receivedBytes} of ${eventStreamBytes} bytes`;
}

/**
 * Long replies, gateway beside proxy, one round: each size DRAINS_PER_ROUND times by each, in turns (the first
 * alternating by round). Before the first round, one untimed drain through the gateway checks that every character
 * the simulator sent arrived; every timed drain checks it again once its timing is over.
 */
async function streamRound(round: number, eventStreams: Map<number, number>): Promise<StreamRound[]> {
  const out: StreamRound[] = [];
  for (const { bytes, chars } of plan.longReplies) {
    const long = pair(hello({ stream: true, text: `[sim] long ${bytes} ${chars}` }), plan.account);
    const sent = longReplyText(bytes, chars);
    let eventStreamBytes = eventStreams.get(chars);
    if (eventStreamBytes === undefined) {
      const probe = await fetch(requestFor("direct", long).url, requestFor("direct", long).init);
      eventStreamBytes = (await probe.arrayBuffer()).byteLength;
      const checked = await drainCounted("gateway", long, eventStreamBytes, true);
      const got = textDelivered(checked.text!);
      if (got !== sent) failed("gateway", `long reply carried ${got} of the ${sent} characters sent`);
      eventStreams.set(chars, eventStreamBytes);
    }
    const runs: Record<"gateway" | "proxy", Awaited<ReturnType<typeof drainCounted>>[]> = { gateway: [], proxy: [] };
    let complete = true;
    for (let d = 0; d < DRAINS_PER_ROUND; d++) {
      for (const path of (round + d) % 2 === 0 ? (["gateway", "proxy"] as const) : (["proxy", "gateway"] as const)) {
        const run = await drainCounted(path, long, eventStreamBytes, path === "gateway");
        const lost = path === "gateway" ? lostText(run.text!, run.tail, sent) : lostBytes(run.t, eventStreamBytes);
        if (lost) failed(path, `long reply of ${chars}-character frames: ${lost}`);
        complete &&= lost === undefined;
        runs[path].push({ ...run, text: undefined });
        // Each drain starts with the driver's heap collected: the gateway's checked text (60 MB, and the lines parsed
        // to count it) goes now, not during the next drain.
        Bun.gc(true);
      }
    }
    const g = middleRound(runs.gateway, (r) => r.t.wallSeconds);
    const p = middleRound(runs.proxy, (r) => r.t.wallSeconds);
    out.push({ frameChars: chars, gateway: { ...g.t, cpuNs: g.cpuNs }, proxy: { ...p.t, cpuNs: p.cpuNs }, complete });
  }
  return out;
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

/** Before any timing: the Chat Completions body is answered as a chat completion carrying the simulator's echo. */
async function checkChatAnswer(chat: string, said: string): Promise<void> {
  const res = await fetch(`${plan.gateway.url}${FRONT_PATH.chat}`, { method: "POST", headers: gatewayHeaders, body: chat });
  const body = await res.text();
  const answer = JSON.parse(body) as { object?: string; choices?: Array<{ message?: { content?: string } }> };
  if (res.status !== 200 || answer.object !== "chat.completion" || !answer.choices?.[0]?.message?.content?.endsWith(`You said: ${said}`)) {
    failed("gateway", `${FRONT_PATH.chat}: wrong answer to a check request: HTTP ${res.status} ${body.slice(0, 200)}`);
  }
}

/** Before any timing: the Responses body is answered as a response whose message carries the simulator's echo. */
async function checkResponsesAnswer(responses: string, said: string): Promise<void> {
  const res = await fetch(`${plan.gateway.url}${FRONT_PATH.responses}`, { method: "POST", headers: gatewayHeaders, body: responses });
  const body = await res.text();
  const answer = JSON.parse(body) as { object?: string; output?: Array<{ type?: string; content?: Array<{ text?: string }> }> };
  const text = answer.output?.find((item) => item.type === "message")?.content?.[0]?.text;
  if (res.status !== 200 || answer.object !== "response" || !text?.endsWith(`You said: ${said}`)) {
    failed("gateway", `${FRONT_PATH.responses}: wrong answer to a check request: HTTP ${res.status} ${body.slice(0, 200)}`);
  }
}

/** JSON.parse of the client's body and JSON.stringify of Kiro's, wall ms in the idle driver (for information). */
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
  const fronts = { messages: large.anthropic, chat: asChatCompletion(largeRequest), responses: asResponses(largeRequest) };
  await checkChatAnswer(fronts.chat, "Now summarise what these modules do.");
  await checkResponsesAnswer(fronts.responses, "Now summarise what these modules do.");
  const smallStream = pair(hello({ stream: true }), plan.account);
  const held = pair(hello({ stream: true, text: "[sim] hold 600000" }), plan.account);

  // The JIT settles after thousands of small and hundreds of large requests; nothing before this is counted.
  note("warm-up: small and Claude-Code-sized requests by every path");
  await warm(small, scaled(1000));
  await warm(large, scaled(150));
  // The Chat Completions front's own code is still cold: hundreds of large requests through it, in turns with
  // /v1/messages, settle it before its row is counted.
  await frontsRound(fronts, 4, scaled(150), 2);
  await load(small, 64, Math.max(1, 3 * plan.scale));
  note("warm-up: windows of small and large requests, as Chat Completions and as Responses requests too, until the gateway's JIT has settled");
  const warmUp = await settleJit([plan.gateway.pid], async () => {
    await closedLoop(64, { count: WARM_WINDOW.small }, () => whole("gateway", small));
    await closedLoop(4, { count: WARM_WINDOW.large }, () => whole("gateway", large));
    await closedLoop(4, { count: WARM_WINDOW.chat }, () => throughFront("chat", fronts.chat));
    await closedLoop(4, { count: WARM_WINDOW.chat }, () => throughFront("responses", fronts.responses));
    // The proxy warmed alike, so that neither side of a ratio counts compilation.
    await closedLoop(64, { count: WARM_WINDOW.small }, () => whole("proxy", small));
    await closedLoop(4, { count: WARM_WINDOW.large }, () => whole("proxy", large));
  });

  // Each counted slice below waits for its process to go quiet after it; so the first must start quiet too.
  await untilQuiet(plan.gateway.pid);
  await untilQuiet(plan.proxy.pid);
  const rounds: LoadResults["rounds"] = { large: [], small: [], stream: [], fronts: [] };
  const eventStreams = new Map<number, number>();
  const reference = referenceCpu(large);
  // Not scaled by --quick: a slice shorter than the pacer's period would carry its collection or not, by luck.
  const largeSlice = slicePerCollection(large.bytes);
  const frontsSlice = slicePerCollection(Math.min(...Object.values(fronts).map((b) => Buffer.byteLength(b))));
  for (let r = 0; r < plan.rounds; r++) {
    note(`round ${r + 1} of ${plan.rounds}: the ${(large.bytes / MB).toFixed(2)} MB request, hello at concurrency 64, long replies — gateway and proxy in turns`);
    rounds.large.push(await cpuRound(large, 2, { count: largeSlice }, 4, reference));
    rounds.small.push(await cpuRound(small, 64, { seconds: Math.max(0.25, plan.scale) }, 4));
    rounds.stream.push(...(await streamRound(r, eventStreams)));
  }
  note("the same request as Chat Completions, as a Responses request and through /v1/messages: one slice of each as the other rows left them, the fronts settled again, then their rounds one after another, the fronts in turns");
  const idle = await frontsRound(fronts, 2, frontsSlice, 1);
  const frontsWarmUp = { idle, settling: await settleFronts(fronts, frontsSlice) };
  await untilQuiet(plan.gateway.pid);
  for (let r = 0; r < plan.frontsRounds; r++) rounds.fronts.push(await frontsRound(fronts, 2, frontsSlice, 4));

  note("latency, for information: hello sequential, the large request 32 at once");
  const smallSeq = await paired(whole, small, 1, scaled(500));
  const smallC32 = await paired(whole, small, 32, scaled(30));
  const largeSeq = await paired(whole, large, 1, scaled(40));
  const largeC32 = await paired(whole, large, 32, scaled(6));

  note("memory: RSS under 1 MB requests four at a time, after that burst");
  const afterBurstRssMB = { gateway: 0, proxy: 0 };
  for (const path of ["gateway", "proxy"] as const) {
    await closedLoop(4, { count: scaled(200) }, () => whole(path, large));
    afterBurstRssMB[path] = round(rssBytes(plan[path].pid) / MB, 1);
  }

  note("streaming: time to first byte");
  await paired(firstByte, smallStream, 4, scaled(100));
  const ttfb = await paired(firstByte, smallStream, 1, scaled(500));

  const loads = {} as LoadResults["load"];
  for (const concurrency of [64, 256] as const) {
    note(`load: small requests at concurrency ${concurrency}, by every path in turns`);
    loads[`c${concurrency}`] = await load(small, concurrency, Math.max(1, 3 * plan.scale));
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
    streaming: { ttfb },
    fronts: { chatBytes: Buffer.byteLength(fronts.chat), responsesBytes: Buffer.byteLength(fronts.responses) },
    load: loads,
    streams: {
      open: plan.openStreams,
      gateway: gatewayStreams,
      proxy: { opened: proxyStreams.opened, rssBeforeMB: proxyStreams.rssBeforeMB, rssMB: proxyStreams.rssMB },
    },
    rounds,
    frontsWarmUp,
    warmUp: { ...warmUp, window: WARM_WINDOW },
    peakRssMB: { gateway: round(peakRssBytes(plan.gateway.pid) / MB, 1), proxy: round(peakRssBytes(plan.proxy.pid) / MB, 1) },
    afterBurstRssMB,
    errors,
  };
}

process.stdout.write(JSON.stringify(await main()) + "\n");
process.exit(0);

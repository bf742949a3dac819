/**
 * The recording row of `bun run bench` (issue 14): what writing every request to the request log and usage costs.
 * Two fresh gateways from the same command, differing only in `recordRequests` (true, the default, and false), each
 * with its own SQLite file and copy of the credentials, both pinned beside the proxy and warmed alike. Then slices of
 * the two and of the proxy taken in turns: each one's CPU over the round per request it served, for hello at
 * concurrency 64 and for the 1 MB Claude Code request, and the ratio recording on ÷ off. Both running at once rather
 * than one restarted: each slice of one has a slice of the other beside it in time, so a neighbour that loads the
 * machine for a while weighs on both alike. Each round has a fresh pair: two processes of the same binary differ
 * by several percent for as long as they live (the heap they grew, what the JIT made of their first requests), a
 * difference no number of slices from the same two averages away, and as large as the gate.
 *
 * The driver runs as its own process (`bun run scripts/bench/recording.ts PLAN.json`), pinned like load.ts.
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { closedLoop, type Stop } from "./closed-loop";
import type { Endpoint } from "./load";
import { cpuSince, threadCpu, type ThreadCpu } from "./proc";
import type { Row } from "./report";
import { type Settling, settleJit } from "./settle";
import { claudeCode, hello, kiroHeaders, pair, slicePerCollection, type BenchAccount, type PairedRequest } from "./requests";
import { median, round } from "./stats";

type Side = "on" | "off" | "proxy";
const SIDES: Side[] = ["on", "off", "proxy"];
/** The gate of issue 14: CPU per request with recording on within 5 % of it off. */
const LIMIT = 1.05;
/** A little over the records writer's period (src/records/writer.ts): by then what was queued is written. */
const WRITER_TICK_MS = 1100;

interface Gateway extends Endpoint {
  apiKey: string;
  adminKey: string;
}

export interface RecordingPlan {
  on: Gateway;
  off: Gateway;
  proxy: Endpoint;
  account: BenchAccount;
  scale: number;
  /** This pair's round, of `rounds`: one round a pair. */
  round: number;
  rounds: number;
}

interface Slices {
  requests: number;
  seconds: number;
  cpuNsPerRequest: ThreadCpu;
}

export type RecordingRound = Record<Side, Slices>;

export interface RecordingResults {
  bodyBytes: number;
  large: RecordingRound[];
  small: RecordingRound[];
  /** How long the warm-up ran before anything was counted. */
  warmUp: Settling & { window: { small: number; large: number } };
  /** Rows in each gateway's request log at the end: the one recording has some, the other none. */
  logged: { on: number; off: number };
  errors: string[];
}

export interface RecordingBenchOptions {
  work: string;
  /** The main gateway's config: each of the two gets it with its own port, credentials and recordRequests. */
  config: Record<string, unknown> & { apiKey: string; adminApiKey: string };
  credentialFiles: string[];
  proxy: Endpoint;
  account: BenchAccount;
  freePort: () => number;
  /** Starts a gateway on a config file, pinned as the main one, once it answers a request. */
  start: (configPath: string, port: number) => Promise<{ pid: number; stop: () => Promise<void> }>;
  /** Runs the driver command pinned beside the simulator; its stdout. */
  drive: (cmd: string[]) => Promise<string>;
  scale: number;
  rounds: number;
}

export async function recordingBench(o: RecordingBenchOptions): Promise<RecordingResults> {
  const pairs: RecordingResults[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const started: Array<{ stop: () => Promise<void> }> = [];
    try {
      const gateway = async (recordRequests: boolean): Promise<Gateway> => {
        const dir = join(o.work, `recording-${r + 1}-${recordRequests ? "on" : "off"}`);
        const credentials = join(dir, "credentials");
        await mkdir(credentials, { recursive: true });
        for (const file of o.credentialFiles) await copyFile(file, join(credentials, file.split("/").pop()!));
        const port = o.freePort();
        const configPath = join(dir, "config.json");
        // Each gets its own kiro-ts.db beside its config (the database key's default), as a new install does.
        await writeFile(configPath, JSON.stringify({ ...o.config, port, credentialsDir: credentials, recordRequests }));
        const proc = await o.start(configPath, port);
        started.push(proc);
        return { url: `http://127.0.0.1:${port}`, pid: proc.pid, apiKey: o.config.apiKey, adminKey: o.config.adminApiKey };
      };
      // Which of the pair starts first alternates by round, so that whatever the order does falls on each side alike
      // (the recording gateway always started first before). Side by side, the first of two or three gateways of one
      // binary read 0.95–1.05× the others a hello request over five runs: no steady side, and nothing to fix one either.
      const onFirst = r % 2 === 0;
      const first = await gateway(onFirst);
      const second = await gateway(!onFirst);
      const [on, off] = onFirst ? [first, second] : [second, first];
      const plan: RecordingPlan = { on, off, proxy: o.proxy, account: o.account, scale: o.scale, round: r + 1, rounds: o.rounds };
      const planPath = join(o.work, `recording-plan-${r + 1}.json`);
      await writeFile(planPath, JSON.stringify(plan));
      pairs.push(JSON.parse(await o.drive(["bun", "run", import.meta.path, planPath])) as RecordingResults);
    } finally {
      for (const p of started) await p.stop();
    }
  }
  return joined(pairs);
}

/** The rounds of every pair as one result: the pair slowest to settle stands for the warm-up, the worst log check for the check. */
function joined(pairs: RecordingResults[]): RecordingResults {
  // A pair that never settled first, then the one that took the most windows.
  const slower = (a: RecordingResults, b: RecordingResults) => (a.warmUp.settled !== b.warmUp.settled ? !b.warmUp.settled : b.warmUp.windows > a.warmUp.windows);
  const slowest = pairs.reduce((a, b) => (slower(a, b) ? b : a));
  return {
    bodyBytes: pairs[0]!.bodyBytes,
    large: pairs.flatMap((p) => p.large),
    small: pairs.flatMap((p) => p.small),
    warmUp: slowest.warmUp,
    logged: { on: Math.min(...pairs.map((p) => p.logged.on)), off: Math.max(...pairs.map((p) => p.logged.off)) },
    errors: pairs.flatMap((p) => p.errors),
  };
}

const ms3 = (ns: number) => `${(ns / 1e6).toFixed(3)} ms`;

/** The gated rows: recording on ÷ off, one value per round; the control names each side's CPU and the proxy's. */
export function recordingRows(r: RecordingResults): Row[] {
  const row = (metric: string, rounds: RecordingRound[]): Row => {
    const cpu = (s: Slices) => s.cpuNsPerRequest.total;
    const values = rounds.map((x) => cpu(x.on) / cpu(x.off));
    const value = median(values);
    const of = (side: Side) => median(rounds.map((x) => cpu(x[side])));
    return {
      metric,
      value,
      unit: "×",
      target: `≤ ${LIMIT}`,
      pass: value <= LIMIT,
      min: Math.min(...values),
      max: Math.max(...values),
      control: `on ${ms3(of("on"))}, off ${ms3(of("off"))}, proxy ${ms3(of("proxy"))}: on ÷ proxy ${(of("on") / of("proxy")).toFixed(2)}×, off ÷ proxy ${(of("off") / of("proxy")).toFixed(2)}×; request log rows: on ${r.logged.on}, off ${r.logged.off}`,
    };
  };
  return [
    row(`${(r.bodyBytes / 1e6).toFixed(1)} MB Claude Code request: gateway CPU per request, recording on ÷ off`, r.large),
    row("hello at concurrency 64: gateway CPU per request, recording on ÷ off", r.small),
  ];
}

async function drive(plan: RecordingPlan): Promise<RecordingResults> {
  const errors: string[] = [];
  const failed = (side: Side, what: string) => void (errors.length < 20 && errors.push(`recording ${side}: ${what}`));
  const scaled = (n: number) => Math.max(2, Math.round(n * plan.scale));
  /** One warm-up window's requests of each gateway. */
  const WARM_WINDOW = { small: scaled(3000), large: scaled(60) };
  const kiro = kiroHeaders(plan.account);
  const pidOf = (side: Side) => plan[side].pid;
  const requestFor = (side: Side, p: PairedRequest): [string, RequestInit] =>
    side === "proxy"
      ? [`${plan.proxy.url}/generateAssistantResponse`, { method: "POST", headers: kiro, body: p.kiro }]
      : [`${plan[side].url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": plan[side].apiKey }, body: p.anthropic }];

  const whole = async (side: Side, p: PairedRequest): Promise<string> => {
    const res = await fetch(...requestFor(side, p));
    const body = await res.text();
    if (res.status !== 200) failed(side, `HTTP ${res.status} ${body.slice(0, 200)}`);
    return body;
  };

  /** `workers` closed-loop clients on one side until `stop`. */
  const burst = (side: Side, p: PairedRequest, workers: number, stop: Stop) => closedLoop(workers, stop, () => whole(side, p));

  /**
   * One round: `slices` slices of each side, in turns (the order reversed every other slice, so that each side
   * follows each other alike). A side's CPU is all it spent over the round, not only in its own slices: recording
   * writes its queue on a one-second timer, and that work would otherwise fall mostly into the others' slices. The
   * round ends once that timer has written the round's last requests, so none is charged to the next round.
   */
  const cpuRound = async (p: PairedRequest, workers: number, stop: { count?: number; seconds?: number }, slices: number): Promise<RecordingRound> => {
    const sum = Object.fromEntries(SIDES.map((s) => [s, { requests: 0, seconds: 0 }])) as Record<Side, { requests: number; seconds: number }>;
    const before = Object.fromEntries(SIDES.map((s) => [s, threadCpu(pidOf(s))])) as Record<Side, ReturnType<typeof threadCpu>>;
    for (let i = 0; i < slices; i++) {
      for (const side of i % 2 === 0 ? SIDES : [...SIDES].reverse()) {
        const b = await burst(side, p, workers, stop);
        sum[side].requests += b.requests;
        sum[side].seconds += b.seconds;
      }
    }
    await Bun.sleep(WRITER_TICK_MS);
    const out = {} as RecordingRound;
    for (const side of SIDES) {
      const t = { ...sum[side], cpu: cpuSince(before[side], threadCpu(pidOf(side))) };
      const perRequest = { ...t.cpu };
      for (const key of Object.keys(perRequest) as Array<keyof ThreadCpu>) perRequest[key] = Math.round(t.cpu[key] / t.requests);
      out[side] = { requests: t.requests, seconds: round(t.seconds, 2), cpuNsPerRequest: perRequest };
    }
    return out;
  };

  const small = pair(hello(), plan.account);
  const large = pair(claudeCode({ bytes: 1_000_000, tools: 20, history: 200 }), plan.account);
  for (const side of ["on", "off"] as const) {
    const said = (JSON.parse(await whole(side, small)) as { content?: Array<{ text?: string }> }).content?.[0]?.text ?? "";
    if (!said.endsWith("You said: Hello, Claude!")) failed(side, `wrong answer to a check request: ${said.slice(0, 200)}`);
  }

  // Both fresh: warmed alike, in turns, until the JIT of both has settled on the small and the large request.
  process.stderr.write(`  · pair ${plan.round} of ${plan.rounds}, fresh: warm-up of both, hello at concurrency 64 and the 1 MB request, in turns, until their JIT has settled\n`);
  // First what the main gateway gets before its windows (load.ts): big functions (the conversion's) reach their last
  // tier only after thousands of requests, and one such compile landing in a round is ~9 µs of every hello in it.
  for (const side of ["on", "off"] as const) {
    await burst(side, small, 64, { count: scaled(10_000) });
    await burst(side, large, 2, { count: scaled(300) });
  }
  let turn = 0;
  const warmUp = await settleJit([plan.on.pid, plan.off.pid], async () => {
    for (const side of turn++ % 2 === 0 ? (["on", "off"] as const) : (["off", "on"] as const)) {
      await burst(side, small, 64, { count: WARM_WINDOW.small });
      await burst(side, large, 2, { count: WARM_WINDOW.large });
    }
    // Every window holds a batch of the writer, whose code runs once a second: without it the JIT looked settled
    // while it was still compiling the batch's code, and the rounds charged that to recording (5–8 µs a hello).
    await Bun.sleep(WRITER_TICK_MS);
  });
  // The warm-up's last requests written before the first round counts.
  await Bun.sleep(WRITER_TICK_MS);

  process.stderr.write(`  · round ${plan.round} of ${plan.rounds}: recording on, off and the proxy in turns\n`);
  const rounds = {
    large: [await cpuRound(large, 2, { count: slicePerCollection(large.bytes) }, 4)],
    small: [await cpuRound(small, 64, { seconds: Math.max(0.25, 0.5 * plan.scale) }, 4)],
  };

  // Every round ended after a writer tick: the gateway recording has rows now, the other none.
  const logged = async (g: Gateway) => {
    const res = await fetch(`${g.url}/admin/requests?limit=1`, { headers: { "x-api-key": g.adminKey } });
    return ((await res.json()) as { data?: { items?: unknown[] } }).data?.items?.length ?? -1;
  };
  const result = { bodyBytes: large.bytes, ...rounds, warmUp: { ...warmUp, window: WARM_WINDOW }, logged: { on: await logged(plan.on), off: await logged(plan.off) }, errors };
  if (result.logged.on !== 1) failed("on", "nothing in the request log");
  if (result.logged.off !== 0) failed("off", "requests in the request log");
  return result;
}

if (import.meta.main) {
  const plan = (await Bun.file(Bun.argv[2]!).json()) as RecordingPlan;
  process.stdout.write(JSON.stringify(await drive(plan)) + "\n");
  process.exit(0);
}

/**
 * `bun run bench [--quick] [--source] [--profile] [--binary PATH]`
 *
 * Starts the Kiro simulator, the bare pass-through proxy (the control) and the gateway as separate processes — the
 * gateway from the compiled binary when dist/kiro-ts exists, else `bun run src/main.ts` — measures how fast the
 * gateway starts and how much memory it holds idle, then drives load from a fourth process (scripts/bench/load.ts),
 * then sets two fresh gateways, recording requests and not, beside the same proxy (scripts/bench/recording.ts), then
 * (where the valgrind that runs Bun has been built: scripts/bench/valgrind.ts) counts the instructions of a request
 * in process, from the sources, against their record (scripts/bench/instruction-count.ts). Prints a table of every
 * figure beside its target and writes the same to .bench/latest.json (and a dated copy).
 * --quick: a fifth of the samples. --source: run src/main.ts even when the binary exists. --profile: the gateway
 * from source under the CPU profiler, profiles in .bench/profile/. --binary: that executable instead of dist/kiro-ts.
 */
import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Subprocess } from "bun";
import { keepsFreedMemory } from "../src/startup";
import { clusterBench, clusterTable } from "./bench/cluster";
import type { LoadPlan, LoadResults } from "./bench/load";
import { freePort, readyLine } from "./bench/ports";
import { environValue, evictFromPageCache, MB, rssBytes } from "./bench/proc";
import { recordingBench, recordingRows } from "./bench/recording";
import { compare, countInstructions, type Counts, readRecord } from "./bench/instruction-count";
import { hello } from "./bench/requests";
import { rows, table, type BenchResults, type StartResults } from "./bench/report";
import { describeSettling } from "./bench/settle";
import { round } from "./bench/stats";
import { builtValgrind } from "./bench/valgrind";

const ROOT = resolve(import.meta.dir, "..");
const BINARY = join(ROOT, "dist", "kiro-ts");
const OUT = join(ROOT, ".bench");
/** The gateway's warnings and errors, kept out of the table. */
const GATEWAY_LOG = join(OUT, "gateway.log");
const PROFILES = join(OUT, "profile");
/**
 * Starts of the binary; the start and idle RSS rows are their medians. The first reads the binary from disk (its
 * pages dropped before it), the rest find it cached, so of three starts the start row was the slower of two warm
 * ones: on one machine (the fortieth pass, an AMD EPYC) 48 warm starts of one binary took 35.7–66.1 ms, each dozen's
 * median 38.2–50.7. Of five, it was the middle of the cold one and four warm ones, the third of the four: on the next
 * machine (the forty-first pass, another AMD EPYC) nine warm starts took 34.1–48.8 ms and a run's five read 234.4,
 * 51.8, 54.7, 44.5, 50.7, a miss by the third warm one. Of nine, it is the fifth of eight warm ones: a middle that
 * one start more or less moves less. Each start adds ~1.3 s.
 */
const STARTS = 9;
/**
 * Long replies: frames of 1 KiB of text (a tool input or a fast model's chunk), and of 40 characters, the size Kiro
 * usually streams text in, where the cost per frame rather than per byte decides.
 */
const LONG_REPLIES = [
  { bytes: 64 * MB, chars: 1024 },
  { bytes: 16 * MB, chars: 40 },
];
const OPEN_STREAMS = 1000;
/** Rounds of every gated ratio: the report gives their median, least and most. */
const ROUNDS = 3;
/**
 * Rounds of the recording rows, each a fresh pair of gateways: two processes of one binary differ by up to ±5 % for
 * as long as they live, as much as that gate, so three pairs made its verdict a draw (the thirty-fourth pass: a 1 MB
 * request, which writes one row, read 0.96–1.05 by run). The median of five was steadier, but still a draw for hello:
 * its pairs read 0.97–1.14 over the fortieth pass's three runs and 0.98–1.20 in one of the forty-first (A/A, both
 * gateways not recording: 0.96–1.09), and with recording costing 2–4 % (measured in one process too), the median of
 * five landed on either side of 1.05. Nine: ~35 s a pair.
 */
const RECORDING_PAIRS = 9;
/**
 * Rounds of the OpenAI fronts' rows. Their rounds spread as widely (the thirty-fifth pass: Responses ÷ /v1/messages
 * 0.94–1.28 in one run, every front in one process, so it is the machine's minutes, not the process) and are cheap
 * (~15 s each), so they take five, as the recording rows do.
 */
const FRONTS_ROUNDS = 5;
/**
 * With taskset and two cores or more: the gateway and the proxy share core 0, the simulator and the load driver
 * core 1, so the two processes compared compete for the same core alike and the far end never takes theirs.
 */
const TASKSET = cpus().length >= 2 ? Bun.which("taskset") : null;
const pin = (cmd: string[], core: 0 | 1) => (TASKSET ? [TASKSET, "-c", String(core), ...cmd] : cmd);
/**
 * Bun's fetch runs at most 256 requests at once unless told otherwise at start-up: without this, the gateway's
 * 257th upstream stream waits for one of the first 256 to end.
 */
const FETCH_LIMIT_ENV = { BUN_CONFIG_MAX_HTTP_REQUESTS: "4096" };
/**
 * The controls — the proxy, and the load driver, in which the parse + stringify reference is measured — run with the
 * allocator setting the gateway chose at start-up (src/startup.ts; read from its environment, so they start after it):
 * giving freed memory back costs a process page faults, so a control doing one beside a gateway doing the other would
 * put the allocator's policy into every CPU ratio (README, Performance: the thirteenth and fourteenth passes).
 */
const controlEnv = (purgeDelay: string | undefined): Record<string, string> => ({ ...FETCH_LIMIT_ENV, ...(purgeDelay === undefined ? {} : { MIMALLOC_PURGE_DELAY: purgeDelay }) });

const { values: args } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    quick: { type: "boolean", default: false },
    source: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    binary: { type: "string" },
  },
  strict: true,
});

const children: Subprocess[] = [];
const say = (text: string) => process.stderr.write(`${text}\n`);
// Interrupted: take the simulator, the proxy and the gateway down too, rather than leave them listening.
process.on("SIGINT", () => {
  for (const child of children) child.kill("SIGKILL");
  process.exit(130);
});

/** Spawns a process and resolves with it and its first stdout line (its "ready" announcement). */
async function spawnReady(cmd: string[], env: Record<string, string> = {}): Promise<{ proc: Subprocess<"ignore", "pipe", "inherit">; line: string }> {
  const proc = Bun.spawn(cmd, { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "inherit", env: { ...process.env, ...env } });
  children.push(proc);
  return { proc, line: await readyLine(proc.stdout, cmd.join(" ")) };
}

async function stopProcess(proc: Subprocess): Promise<void> {
  proc.kill("SIGTERM");
  const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(3000).then(() => false)]);
  if (!exited) proc.kill("SIGKILL");
  await proc.exited;
}

/**
 * The gateway command: the binary when it exists (unless --source or --profile), else the sources through bun;
 * with --profile, under Bun's CPU profiler (a .cpuprofile and a Markdown summary per gateway start).
 */
function gatewayCommand(configPath: string): { kind: "binary" | "source"; cmd: string[] } {
  const main = join(ROOT, "src", "main.ts");
  if (args.profile) return { kind: "source", cmd: ["bun", "--cpu-prof", "--cpu-prof-md", "--cpu-prof-dir", PROFILES, main, "--config", configPath] };
  if (args.binary) return { kind: "binary", cmd: [resolve(args.binary), "--config", configPath] };
  if (!args.source && existsSync(BINARY)) return { kind: "binary", cmd: [BINARY, "--config", configPath] };
  return { kind: "source", cmd: ["bun", "run", main, "--config", configPath] };
}

/** Newest modification time of the gateway's sources, to warn about a binary built before them. */
function newestSource(): number {
  let newest = 0;
  for (const file of new Bun.Glob("src/**/*.ts").scanSync({ cwd: ROOT })) {
    // The build restores the empty asset table after compiling, so that file is always newer than the binary.
    if (file.endsWith(".test.ts") || file.startsWith("src/e2e/") || file.endsWith(".gen.ts")) continue;
    newest = Math.max(newest, statSync(join(ROOT, file)).mtimeMs);
  }
  return newest;
}

/** Starts the gateway, polls until a POST /v1/messages is answered; returns the process and the time it took. */
async function startGateway(cmd: string[], port: number, apiKey: string): Promise<{ proc: Subprocess; ms: number }> {
  const body = JSON.stringify(hello());
  const t0 = performance.now();
  const proc = Bun.spawn(pin(cmd, 0), { cwd: ROOT, stdin: "ignore", stdout: "ignore", stderr: Bun.file(GATEWAY_LOG), env: { ...process.env, LOG_LEVEL: "warn", ...FETCH_LIMIT_ENV } });
  children.push(proc);
  const deadline = t0 + 15_000;
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": apiKey },
        body,
      });
      await res.arrayBuffer();
      if (res.status === 200) return { proc, ms: performance.now() - t0 };
      throw new Error(`the gateway answered ${res.status} to its first request`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("the gateway answered")) throw e;
      if (proc.exitCode !== null) throw new Error(`the gateway exited with ${proc.exitCode} before answering`);
      await Bun.sleep(1);
    }
  }
  throw new Error("the gateway did not answer within 15 s");
}

async function git(...argv: string[]): Promise<string> {
  const p = Bun.spawn(["git", ...argv], { cwd: ROOT, stdout: "pipe", stderr: "ignore" });
  return (await new Response(p.stdout).text()).trim();
}

async function main(): Promise<void> {
  const started = performance.now();
  const scale = args.quick ? 0.2 : 1;
  const work = await mkdtemp(join(tmpdir(), "kiro-bench-"));
  await mkdir(OUT, { recursive: true });
  const credentials = join(work, "credentials");
  try {
    say("Starting the simulator…");
    const sim = await spawnReady(pin(["bun", "run", join(ROOT, "src", "simulator", "main.ts"), "--credentials-dir", credentials, "--accounts", "3"], 1), FETCH_LIMIT_ENV);
    const simInfo = JSON.parse(sim.line) as { url: string; accounts: Array<{ name: string; file: string }> };

    const port = freePort();
    const apiKey = `sk-bench-${crypto.randomUUID()}`;
    const configPath = join(work, "config.json");
    const config = {
      host: "127.0.0.1",
      port,
      apiKey,
      adminApiKey: `admin-bench-${crypto.randomUUID()}`,
      credentialsDir: credentials,
      kiroApiBaseUrl: simInfo.url,
      kiroEndpoint: "q",
      kiroAuthBaseUrl: simInfo.url,
      oidcBaseUrl: simInfo.url,
      ssoPortalBaseUrl: simInfo.url,
    };
    await writeFile(configPath, JSON.stringify(config));

    const gateway = gatewayCommand(configPath);
    const notes = [
      `gateway and proxy started with BUN_CONFIG_MAX_HTTP_REQUESTS=${FETCH_LIMIT_ENV.BUN_CONFIG_MAX_HTTP_REQUESTS} (Bun's default lets fetch hold 256 requests at once)`,
      TASKSET ? "pinned with taskset: gateway and proxy on core 0, simulator and load driver on core 1" : "not pinned (no taskset, or one core)",
      `CPU is thread CPU time from /proc/PID/task/*/schedstat; each gated ratio is measured in ${ROUNDS} rounds of slices taken in turns (the OpenAI fronts' in ${FRONTS_ROUNDS}, the recording rows' in ${RECORDING_PAIRS} pairs of gateways)`,
      `simulator writes replies in 16 KiB pieces; long replies: ${LONG_REPLIES.map((r) => `${r.bytes / MB} MB in frames of ${r.chars} characters`).join(", ")}`,
    ];
    const binary = gateway.kind === "binary" ? gateway.cmd[0]! : undefined;
    if (binary && statSync(binary).mtimeMs < newestSource()) {
      notes.push(`${binary.replace(ROOT + "/", "")} is older than src/: it measures the code of its build (run \`bun run build\`, or pass --source)`);
    }
    // The binary's pages come in as a service's first start brings them: by its own faults, not as the build wrote them.
    if (binary) {
      notes.push(
        evictFromPageCache(binary)
          ? "the binary's pages dropped from the page cache before its first start (the build's writes leave them in large folios, and the binary then idles 4–5 MB higher)"
          : "the binary's pages could not be dropped from the page cache (no dd): its idle RSS depends on how they got there",
      );
    }
    say(`Gateway: ${gateway.cmd.join(" ")}`);
    for (const n of notes) say(`  note: ${n}`);

    const start: StartResults = { firstAnswerMs: [], idleRssMB: [] };
    let running: Subprocess | undefined;
    for (let i = 0; i < STARTS; i++) {
      if (running) await stopProcess(running);
      const { proc, ms } = await startGateway(gateway.cmd, port, apiKey);
      await Bun.sleep(1000);
      start.firstAnswerMs.push(round(ms, 1));
      start.idleRssMB.push(round(rssBytes(proc.pid) / MB, 1));
      running = proc;
    }
    say(`Start to first answer: ${start.firstAnswerMs.join(", ")} ms; idle RSS ${start.idleRssMB.join(", ")} MB`);
    const chosen = environValue(running!.pid, "MIMALLOC_PURGE_DELAY");
    notes.push(
      chosen === undefined
        ? "gateway, proxy and reference with Bun's allocator settings (the gateway set no MIMALLOC_PURGE_DELAY)"
        : `gateway, proxy and reference with MIMALLOC_PURGE_DELAY=${chosen} (freed memory ${keepsFreedMemory({ MIMALLOC_PURGE_DELAY: chosen }) ? "kept" : "given back"}: the gateway's choice at start-up, src/startup.ts)`,
    );
    say("Starting the pass-through proxy…");
    const control = controlEnv(chosen);
    const proxy = await spawnReady(pin(["bun", "run", join(ROOT, "scripts", "bench", "passthrough.ts"), "--upstream", simInfo.url], 0), control);
    const proxyUrl = (JSON.parse(proxy.line) as { url: string }).url;

    const account = (await Bun.file(simInfo.accounts[0]!.file).json()) as { accessToken: string; profileArn: string };
    const plan: LoadPlan = {
      gateway: { url: `http://127.0.0.1:${port}`, pid: running!.pid, apiKey },
      simulator: { url: simInfo.url, pid: sim.proc.pid },
      proxy: { url: proxyUrl, pid: proxy.proc.pid },
      account: { accessToken: account.accessToken, profileArn: account.profileArn },
      scale,
      longReplies: LONG_REPLIES,
      openStreams: OPEN_STREAMS,
      rounds: ROUNDS,
      frontsRounds: FRONTS_ROUNDS,
    };
    const planPath = join(work, "plan.json");
    await writeFile(planPath, JSON.stringify(plan));
    const controlIdleRssMB = { proxy: round(rssBytes(proxy.proc.pid) / MB, 1), simulator: round(rssBytes(sim.proc.pid) / MB, 1) };

    say("Driving load from a separate process…");
    const loader = Bun.spawn(pin(["bun", "run", join(ROOT, "scripts", "bench", "load.ts"), planPath], 1), {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "inherit",
      env: { ...process.env, ...control },
    });
    children.push(loader);
    const output = await new Response(loader.stdout).text();
    if ((await loader.exited) !== 0) throw new Error(`the load driver failed (exit ${loader.exitCode})`);
    const load = JSON.parse(output) as LoadResults;
    const w = load.warmUp.window;
    notes.push(describeSettling("gateway", load.warmUp, `${w.small} hello at concurrency 64, ${w.large} 1 MB requests and ${w.chat} each as Chat Completions and as a Responses request, then the same through the proxy`));
    await stopProcess(running!);

    say("Measuring what recording requests costs: a fresh pair of gateways each round, recordRequests true and false, beside the proxy…");
    const recordingStarted = performance.now();
    const recording = await recordingBench({
      work,
      config,
      credentialFiles: simInfo.accounts.map((a) => a.file),
      proxy: { url: proxyUrl, pid: proxy.proc.pid },
      account: { accessToken: account.accessToken, profileArn: account.profileArn },
      freePort,
      start: async (path, at) => {
        const { proc } = await startGateway(gatewayCommand(path).cmd, at, apiKey);
        return { pid: proc.pid, stop: () => stopProcess(proc) };
      },
      drive: async (cmd) => {
        const driver = Bun.spawn(pin(cmd, 1), { cwd: ROOT, stdout: "pipe", stderr: "inherit", env: { ...process.env, ...FETCH_LIMIT_ENV } });
        children.push(driver);
        const out = await new Response(driver.stdout).text();
        if ((await driver.exited) !== 0) throw new Error(`the recording driver failed (exit ${driver.exitCode})`);
        return out;
      },
      scale,
      rounds: RECORDING_PAIRS,
    });
    const recordingVerdict = recordingRows(recording);
    const rw = recording.warmUp.window;
    notes.push(describeSettling("recording row's pairs of gateways (the one slowest to settle)", recording.warmUp, `${rw.small} hello at concurrency 64 and ${rw.large} 1 MB requests each`));
    say(`  recording row: ${((performance.now() - recordingStarted) / 1000).toFixed(0)} s`);

    say("Measuring a cluster: one gateway, then with Redis, then two behind a round-robin proxy…");
    const cluster = await clusterBench({
      simUrl: simInfo.url,
      credentialFiles: simInfo.accounts.map((a) => a.file),
      work,
      command: (config) => gatewayCommand(config).cmd,
      spawnReady: (cmd) => spawnReady(cmd, FETCH_LIMIT_ENV),
      spawn: (cmd) => {
        const proc = Bun.spawn(cmd, { cwd: ROOT, stdin: "ignore", stdout: "ignore", stderr: Bun.file(GATEWAY_LOG), env: { ...process.env, LOG_LEVEL: "warn", ...FETCH_LIMIT_ENV } });
        children.push(proc);
        return proc;
      },
      freePort,
      scale,
    });

    let instructions: Counts | undefined;
    if (builtValgrind()) {
      say("Counting instructions per request under valgrind (in process, from the sources)…");
      instructions = await countInstructions(say);
    } else {
      notes.push("no instruction counts: `bun run scripts/bench/valgrind.ts` builds, once, the valgrind that runs Bun (README, Performance)");
    }

    const dirty = (await git("status", "--porcelain", "--untracked-files=no", "--", "src", "scripts")) !== "";
    const results: BenchResults = {
      meta: {
        date: new Date().toISOString(),
        commit: `${await git("rev-parse", "--short", "HEAD")}${dirty ? "+dirty" : ""}`,
        gateway: gateway.kind,
        command: gateway.cmd.map((c) => c.replace(ROOT + "/", "")).join(" ").replace(configPath, "config.json"),
        bun: Bun.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
        notes: args.quick ? [...notes, "quick run: a fifth of the samples"] : notes,
      },
      start,
      controlIdleRssMB,
      binaryBytes: gateway.kind === "binary" ? statSync(gateway.cmd[0]!).size : existsSync(BINARY) ? statSync(BINARY).size : null,
      load,
    };
    const verdict = rows(results);
    const json = JSON.stringify({ ...results, recording: { ...recording, rows: recordingVerdict }, cluster, instructions, rows: verdict }, null, 2);
    await writeFile(join(OUT, "latest.json"), json);
    await writeFile(join(OUT, `bench-${results.meta.date.replace(/[:.]/g, "-")}.json`), json);

    console.log(`\nkiro-ts bench — ${results.meta.date}, ${results.meta.commit}, ${gateway.kind} (${results.meta.command}), Bun ${Bun.version}, ${results.meta.cpus} × ${results.meta.cpuModel}\n`);
    console.log(table(verdict));
    console.log(`\n${table(recordingVerdict)}`);
    console.log(`\n${clusterTable(cluster)}\n`);
    if (instructions) {
      for (const line of compare(instructions, await readRecord(), Bun.version).lines) console.log(line);
      console.log("");
    }
    for (const n of results.meta.notes) console.log(`note: ${n}`);
    const errors = [...load.errors, ...recording.errors];
    if (errors.length) console.log(`\nERRORS (the figures above are not valid):\n  ${errors.join("\n  ")}`);
    console.log(`\nWritten to .bench/latest.json in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
    if (errors.length) process.exitCode = 1;
  } finally {
    for (const child of children.reverse()) if (child.exitCode === null) await stopProcess(child);
    await rm(work, { recursive: true, force: true });
  }
}

await main();

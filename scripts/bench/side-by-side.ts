/**
 * Two gateway executables compared at the same time on one simulator: before and after a change, in one run.
 * `bun run scripts/bench/side-by-side.ts [--request large|hello] [--rounds N] BINARY_A BINARY_B`
 *
 * Both gateways are pinned to core 0 (simulator and this driver to core 1, where taskset exists), warmed alike, then
 * given the same slices in turns — the 1 MB Claude Code request two at a time, or hello 64 at a time — each slice
 * ending once its process is quiet (settle.ts). Prints each one's CPU per request (median and every slice) and its
 * peak RSS during the slices. The full bench compares the gateway with the proxy; runs of it with one binary then the other are minutes
 * apart on a machine whose speed drifts by more than most changes, which this takes out.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Subprocess } from "bun";
import { closedLoop } from "./closed-loop";
import { freePort, readyLine } from "./ports";
import { MB, peakRssBytes, processCpuNs } from "./proc";
import { claudeCode, hello } from "./requests";
import { untilQuiet } from "./settle";
import { median, round } from "./stats";

const { values, positionals } = parseArgs({
  args: Bun.argv.slice(2),
  options: { request: { type: "string", default: "large" }, rounds: { type: "string", default: "10" } },
  allowPositionals: true,
  strict: true,
});
if (positionals.length !== 2) throw new Error("name two gateway executables to compare");
if (values.request !== "large" && values.request !== "hello") throw new Error(`--request takes large or hello, not ${values.request}`);
const rounds = Number(values.rounds);
const ROOT = resolve(import.meta.dir, "../..");
const TASKSET = cpus().length >= 2 ? Bun.which("taskset") : null;
const pin = (cmd: string[], core: 0 | 1) => (TASKSET ? [TASKSET, "-c", String(core), ...cmd] : cmd);
const env = { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "4096", LOG_LEVEL: "warn" };
const large = JSON.stringify(claudeCode({ bytes: 1_000_000, tools: 20, history: 200 }));
const small = JSON.stringify(hello());
const slice = values.request === "large" ? { body: large, count: 40, workers: 2 } : { body: small, count: 3000, workers: 64 };

const children: Subprocess[] = [];
const work = await mkdtemp(join(tmpdir(), "kiro-side-by-side-"));
try {
  const simulator = Bun.spawn(pin(["bun", "run", join(ROOT, "src/simulator/main.ts"), "--credentials-dir", join(work, "credentials"), "--accounts", "3"], 1), { stdout: "pipe", stderr: "inherit", env });
  children.push(simulator);
  const sim = JSON.parse(await readyLine(simulator.stdout, "the simulator")) as { url: string };
  const apiKey = `sk-side-by-side-${crypto.randomUUID()}`;
  const gateways = [];
  for (const [i, binary] of positionals.entries()) {
    const port = freePort();
    const config = join(work, `config-${i}.json`);
    await writeFile(config, JSON.stringify({ host: "127.0.0.1", port, apiKey, adminApiKey: `${apiKey}-admin`, credentialsDir: join(work, "credentials"), kiroApiBaseUrl: sim.url, kiroEndpoint: "q", kiroAuthBaseUrl: sim.url, oidcBaseUrl: sim.url, ssoPortalBaseUrl: sim.url }));
    const proc = Bun.spawn(pin([resolve(binary), "--config", config], 0), { stdout: "ignore", stderr: "inherit", env });
    children.push(proc);
    gateways.push({ name: `${basename(binary)} (${i === 0 ? "A" : "B"})`, url: `http://127.0.0.1:${port}/v1/messages`, pid: proc.pid, perRequestMs: [] as number[] });
    await until(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok);
  }
  const send = async (url: string, body: string) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-api-key": apiKey }, body });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  };
  // Both request kinds in the warm-up, as the bench's gateway serves both.
  for (const g of gateways) {
    await closedLoop(4, { count: 300 }, () => send(g.url, large));
    await closedLoop(64, { count: 10_000 }, () => send(g.url, small));
  }
  // The peak the slices reach, not the warm-up's (Linux: writing 5 to clear_refs resets VmHWM).
  for (const g of gateways) await writeFile(`/proc/${g.pid}/clear_refs`, "5").catch(() => {});
  for (let r = 0; r < rounds; r++) {
    for (const g of r % 2 === 0 ? gateways : [...gateways].reverse()) {
      await untilQuiet(g.pid);
      const before = processCpuNs(g.pid);
      await closedLoop(slice.workers, { count: slice.count }, () => send(g.url, slice.body));
      await untilQuiet(g.pid);
      g.perRequestMs.push((processCpuNs(g.pid) - before) / slice.count / 1e6);
    }
  }
  console.log(`${values.request === "large" ? "the 1 MB request, two at a time" : "hello, 64 at a time"}; ${rounds} slices each, in turns${TASKSET ? ", pinned" : ""}`);
  for (const g of gateways) {
    console.log(`${g.name}: ${round(median(g.perRequestMs))} ms CPU a request (${g.perRequestMs.map((x) => round(x)).join(", ")}); peak RSS ${round(peakRssBytes(g.pid) / MB, 1)} MB`);
  }
} finally {
  for (const child of children) child.kill();
  await Promise.all(children.map((c) => c.exited));
  await rm(work, { recursive: true, force: true });
}

async function until(ready: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await ready().catch(() => false)) return;
    await Bun.sleep(50);
  }
  throw new Error("a gateway did not answer /health within 10 s");
}

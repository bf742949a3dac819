/**
 * Instructions per request, counted by valgrind inside one process — a regression check that, unlike CPU time, does
 * not depend on the neighbours. `bun run scripts/bench/instruction-count.ts [--check] [--write]`
 *
 * Each case is one of the in-process scripts (instructions.ts: hello against a stubbed upstream; large-request.ts:
 * the 1 MB Claude Code request, the same with a dash in its system prompt, the same conversation as Chat Completions
 * and as a Responses request, and the reference "JSON.parse the client's body + JSON.stringify the Kiro object")
 * run twice under cachegrind, with the same warm-up and two numbers of measured requests: the difference in
 * instructions over the difference in requests is one request's, the start and the warm-up cancelling out. The JIT
 * compiles on the main thread and no collector runs on a clock (below), so little depends on time: the same Bun,
 * code and inputs count the same within a few % (five whole runs of this script here: 0.4–2.9 % apart a case; CPU
 * time moves by 10–30 % between runs on the same machine). Runs go one per core (a count does not care what the
 * other core does). valgrind comes from valgrind.ts (built once, ~3.5 minutes).
 *
 * --write records the counts in instruction-counts.json beside this script, with the Bun version they were taken on
 * (the record there is the median of five runs of 2026-12-04, each case's own; the case with a dash, the median of
 * the three runs of the thirty-second pass's final series, added by hand);
 * --check exits 1 when a case counts more than TOLERANCE above its record (a record from another Bun is only shown).
 */
import { readFile, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { closedLoop } from "./closed-loop";
import { patchedValgrind, run } from "./valgrind";

const ROOT = resolve(import.meta.dir, "../..");
const RECORD = join(import.meta.dir, "instruction-counts.json");
/** How far above its record a count may go before --check fails: a few times the runs' spread. */
export const TOLERANCE = 0.05;

/**
 * The JIT on the main thread (its compilations then fall at the same instruction every run), no collection on
 * Bun's timer or the collector's own threads, and freed memory never given back on mimalloc's delay: each of those
 * runs at moments a clock decides, and under valgrind the clock runs ~50 times slower than the code.
 */
const DETERMINISTIC = { BUN_JSC_useConcurrentJIT: "0", BUN_JSC_useConcurrentGC: "0", BUN_GC_TIMER_DISABLE: "1", MIMALLOC_PURGE_DELAY: "-1" };

interface Case {
  name: string;
  script: string;
  args: string[];
  /** The two numbers of measured requests. */
  requests: [number, number];
}

const CASES: Case[] = [
  { name: "hello", script: "instructions.ts", args: ["--only", "plain", "--no-records", "--warmup", "2000"], requests: [200, 4200] },
  { name: "hello, streamed", script: "instructions.ts", args: ["--only", "stream", "--no-records", "--warmup", "2000"], requests: [200, 4200] },
  { name: "1 MB request", script: "large-request.ts", args: ["--only", "gateway", "--rounds", "1", "--warmup", "60"], requests: [10, 130] },
  // Claude Code's own system prompt holds a dash (text past Latin-1), which the bench's words do not.
  { name: "1 MB request, a dash in its system prompt", script: "large-request.ts", args: ["--only", "gateway", "--dash", "--rounds", "1", "--warmup", "60"], requests: [10, 130] },
  { name: "1 MB as Chat Completions", script: "large-request.ts", args: ["--only", "chat", "--rounds", "1", "--warmup", "60"], requests: [10, 130] },
  { name: "1 MB as a Responses request", script: "large-request.ts", args: ["--only", "responses", "--rounds", "1", "--warmup", "60"], requests: [10, 130] },
  { name: "1 MB reference", script: "large-request.ts", args: ["--only", "reference", "--rounds", "1", "--warmup", "60"], requests: [10, 130] },
];

/** Total instructions of one run of a case's script. */
async function countRun(valgrind: string, c: Case, requests: number): Promise<number> {
  const cmd = [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", process.execPath, "run", join(import.meta.dir, c.script), ...c.args, "--requests", String(requests)];
  const { err } = await run(cmd, ROOT, { ...process.env, ...DETERMINISTIC, LOG_LEVEL: "warn" });
  const refs = /I\s+refs:\s+([\d,]+)/.exec(err)?.[1];
  if (refs === undefined) throw new Error(`${c.name} (${requests} requests): valgrind printed no instruction count:\n${err.slice(-1500)}`);
  return Number(refs.replaceAll(",", ""));
}

export type Counts = Record<string, number>;

export async function countInstructions(say: (line: string) => void = () => {}): Promise<Counts> {
  const valgrind = await patchedValgrind(say);
  const runs = CASES.flatMap((c) => c.requests.map((n) => ({ c, n })));
  say(`counting ${CASES.length} cases, ${runs.length} runs under ${valgrind}, ${cpus().length} at a time…`);
  const totals: number[] = [];
  let next = 0;
  await closedLoop(cpus().length, { count: runs.length }, async () => {
    const i = next++;
    totals[i] = await countRun(valgrind, runs[i]!.c, runs[i]!.n);
  });
  const counts: Counts = {};
  CASES.forEach((c, i) => {
    const [few, many] = c.requests;
    counts[c.name] = Math.round((totals[2 * i + 1]! - totals[2 * i]!) / (many - few));
  });
  return counts;
}

interface Recorded {
  bun: string;
  date: string;
  counts: Counts;
}

/** Lines comparing `counts` with the record, and whether any case is over its tolerance. */
export function compare(counts: Counts, recorded: Recorded | undefined, bun: string): { lines: string[]; over: string[] } {
  const lines: string[] = [];
  const over: string[] = [];
  const comparable = recorded?.bun === bun;
  for (const [name, count] of Object.entries(counts)) {
    const before = recorded?.counts[name];
    const change = before === undefined ? "" : ` (${count >= before ? "+" : ""}${(((count - before) / before) * 100).toFixed(1)} % against ${before.toLocaleString("en")} recorded with Bun ${recorded!.bun})`;
    lines.push(`${name}: ${count.toLocaleString("en")} instructions a request${change}`);
    if (comparable && before !== undefined && count > before * (1 + TOLERANCE)) over.push(name);
  }
  const reference = counts["1 MB reference"];
  const large = counts["1 MB request"];
  if (reference && large) lines.push(`1 MB request ÷ its reference: ${(large / reference).toFixed(2)}× in instructions`);
  const dash = counts["1 MB request, a dash in its system prompt"];
  if (dash && large) lines.push(`1 MB request with a dash in its system prompt ÷ without: ${(dash / large).toFixed(2)}× in instructions`);
  const chat = counts["1 MB as Chat Completions"];
  if (chat && large) lines.push(`1 MB as Chat Completions ÷ through /v1/messages: ${(chat / large).toFixed(2)}× in instructions`);
  const responses = counts["1 MB as a Responses request"];
  if (responses && large) lines.push(`1 MB as a Responses request ÷ through /v1/messages: ${(responses / large).toFixed(2)}× in instructions`);
  if (recorded && !comparable) lines.push(`the record was taken with Bun ${recorded.bun}, this is ${bun}: not checked`);
  return { lines, over };
}

/** The counts recorded with --write, if any. */
export const readRecord = (): Promise<Recorded | undefined> => readFile(RECORD, "utf8").then((t) => JSON.parse(t) as Recorded, () => undefined);

if (import.meta.main) {
  const { values } = parseArgs({ args: Bun.argv.slice(2), options: { check: { type: "boolean", default: false }, write: { type: "boolean", default: false } }, strict: true });
  const counts = await countInstructions((line) => console.error(line));
  const recorded = await readRecord();
  const { lines, over } = compare(counts, recorded, Bun.version);
  for (const line of lines) console.log(line);
  if (values.write) {
    await writeFile(RECORD, `${JSON.stringify({ bun: Bun.version, date: new Date().toISOString().slice(0, 10), counts }, null, 2)}\n`);
    console.log(`recorded in ${RECORD.replace(ROOT + "/", "")}`);
  }
  if (values.check && over.length) {
    console.log(`over the record by more than ${TOLERANCE * 100} %: ${over.join(", ")}`);
    process.exitCode = 1;
  }
}

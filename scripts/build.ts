/**
 * `bun run build [-- --target=bun-linux-arm64] [--outfile=dist/name]`
 *
 * Builds the admin UI with Vite, precompresses it, writes src/admin/ui-assets.gen.ts so that every file is
 * imported `with { type: "file" }`, and compiles one executable with `bun build --compile` — twice where it runs here:
 * the first, started as the demo, records the order its start runs the bytecode in, for the second. The generated
 * module is restored to its committed (empty) version afterwards, whatever happens, so the working tree
 * stays clean and server-only builds and tests keep compiling.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROUTES } from "../ui/src/routes";
import { collectUiAssets, renderAssetModule } from "./ui-assets";
import { buildUiDist } from "./ui-assets-checkout";

const ROOT = resolve(import.meta.dir, "..");
const UI_DIST = join(ROOT, "ui", "dist");
const GENERATED = join(ROOT, "src", "admin", "ui-assets.gen.ts");
const ENTRY = join(ROOT, "src", "main.ts");
const DEFAULT_TARGET = "bun-linux-x64";

/** dist/kiro-ts for the default target, dist/kiro-ts-{os}-{arch}[.exe] for the others. */
export function outfileFor(target: string): string {
  if (target === DEFAULT_TARGET) return join("dist", "kiro-ts");
  const platform = target.replace(/^bun-/, "").replace(/-v?\d+(\.\d+)*$/, "");
  return join("dist", `kiro-ts-${platform}${platform.startsWith("windows") ? ".exe" : ""}`);
}

async function compile(target: string, outfile: string, order?: string): Promise<void> {
  // --bytecode defaults to CommonJS, where main.ts's top-level await is a syntax error; ESM bytecode works.
  // --splitting: each dynamically imported module (the command line, the app, the demo's simulator, the OpenAPI
  // plugin, the PostgreSQL and Redis stores) is a chunk of its own, loaded when imported; in one file, the whole
  // bundle's bytecode was loaded before main.ts's first line (~10 ms and ~10 MB at every start).
  // --compile-jit-policy: the JIT a thousand times slower to tier up until the server has work (src/jit.ts sets it
  // back): start-up code runs once, and compiling it, on the one core a pinned gateway has, took a quarter of the start or more.
  // --bytecode-order: the bytecode laid out in the order a start ran it (recordStartOrder).
  const command = ["bun", "build", "--compile", "--minify", "--bytecode", "--format=esm", "--splitting", "--compile-jit-policy=1000", ...(order ? [`--bytecode-order=${order}`] : []), `--target=${target}`, "--outfile", outfile, ENTRY];
  console.log(`$ ${command.join(" ")}`);
  const child = Bun.spawn(command, { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
  const code = await child.exited;
  if (code !== 0) throw new Error(`bun build --compile exited with ${code}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { target: { type: "string", default: DEFAULT_TARGET }, outfile: { type: "string" } },
    strict: true,
  });
  const target = values.target ?? DEFAULT_TARGET;
  const outfile = values.outfile ?? outfileFor(target);

  console.log("Building the admin UI…");
  await buildUiDist(ROOT);
  const table = await collectUiAssets(UI_DIST, Object.values(ROUTES));
  const files = new Set(Object.values(table).flatMap((a) => [a.file, a.encodings?.br, a.encodings?.gzip].filter(Boolean)));
  console.log(`Embedding ${files.size} files (${Object.keys(table).length} paths) from ${relative(ROOT, UI_DIST)}`);

  const committed = await Bun.file(GENERATED).text();
  const restore = () => Bun.write(GENERATED, committed);
  // An interrupted build must not leave the generated table pointing at ui/dist in the working tree.
  const onSignal = async () => {
    await restore();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await Bun.write(GENERATED, renderAssetModule(table, join(ROOT, "src", "admin")));
    await compile(target, outfile);
    if (runsHere(target)) {
      const dir = await mkdtemp(join(tmpdir(), "kiro-ts-order-"));
      try {
        // The order only saves a start some page reads: where the demo cannot answer here (no loopback, a sandbox),
        // the first executable is kept, and the build says why.
        const recorded = await recordStartOrder(resolve(ROOT, outfile), join(dir, "order")).then(
          () => true,
          (error: unknown) => {
            console.warn(`warning: the start's bytecode order was not recorded (${error instanceof Error ? error.message : error}); ${outfile} keeps the bundle's order`);
            return false;
          },
        );
        if (recorded) await compile(target, outfile, join(dir, "order"));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await restore();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const size = Bun.file(resolve(ROOT, outfile)).size;
  console.log(`Built ${outfile} (${(size / 1024 / 1024).toFixed(1)} MB, ${target})`);
}

/** Whether a binary built for `target` runs on this machine (a cross-built one cannot record its start). */
function runsHere(target: string): boolean {
  return target === `bun-${process.platform}-${process.arch}`;
}

/**
 * Writes to `orderFile` which functions a start runs, in the order it runs them (Bun's BUN_BYTECODE_ORDER_OUT), from
 * `binary` started as the demo and answering one request. The final build lays its bytecode out in that order, so that
 * a start reads fewer of the binary's pages: idle after its first answer, 38.9–39.0 MB against 39.9–40.0 (five starts
 * each, twice, the page cache dropped before each five; the thirtieth pass, README Performance).
 */
export async function recordStartOrder(binary: string, orderFile: string, deadlineMs = 60_000): Promise<void> {
  const demo = Bun.spawn([binary, "demo", "--port", "0"], { env: { ...process.env, BUN_BYTECODE_ORDER_OUT: orderFile, LOG_LEVEL: "warn" }, stdout: "pipe", stderr: "inherit" });
  // A demo that never answers must not hold the build: it is stopped, and what it was waiting for says so.
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    demo.kill("SIGKILL");
  }, deadlineMs);
  try {
    let shown = "";
    const reader = demo.stdout.getReader();
    const decoder = new TextDecoder();
    while (!/API key +\S+/.test(shown)) {
      const { done, value } = await reader.read();
      if (done) throw new Error(late ? `the demo did not say where it listens within ${deadlineMs / 1000} s` : "the demo ended before it said where it listens");
      shown += decoder.decode(value, { stream: true });
    }
    reader.releaseLock();
    const url = /URL +(\S+)/.exec(shown)![1]!.replace(/\/$/, "");
    const key = /API key +(\S+)/.exec(shown)![1]!;
    const answer = await fetch(`${url}/v1/messages`, {
      method: "POST",
      signal: AbortSignal.timeout(deadlineMs),
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "hello" }] }),
    });
    await answer.arrayBuffer();
    if (answer.status !== 200) throw new Error(`the demo answered ${answer.status} to the request that records the start's order`);
  } finally {
    clearTimeout(timer);
    // The order is written as the process ends.
    demo.kill("SIGTERM");
    await demo.exited;
  }
  if (!(await Bun.file(orderFile).exists())) throw new Error("the demo wrote no bytecode order (BUN_BYTECODE_ORDER_OUT)");
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

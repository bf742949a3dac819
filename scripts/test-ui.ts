/**
 * `bun run test:ui [-- --docs]`: the UI's tests. Builds dist/kiro-ts when it is missing or older than the
 * sources, then runs the UI unit tests, the asset-table tests and the browser tests (headless Chromium
 * against the binary in demo mode, and against the mock admin server for the 1,000-account table).
 * Screenshots land in test-artifacts/ui/; with --docs the README's screenshots in docs/ are refreshed too.
 */
import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildUiDist, uiDistState } from "./ui-assets-checkout";

const ROOT = resolve(import.meta.dir, "..");
const BINARY = join(ROOT, "dist", "kiro-ts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SOURCES = ["src", "ui/src", "ui/index.html", "ui/vite.config.ts", "scripts/build.ts", "scripts/ui-assets.ts", "scripts/ui-assets-checkout.ts", "package.json", "bun.lock"];

async function newestSource(): Promise<number> {
  let newest = 0;
  for (const source of SOURCES) {
    const path = join(ROOT, source);
    const info = await stat(path).catch(() => null);
    if (!info) continue;
    if (info.isFile()) newest = Math.max(newest, info.mtimeMs);
    else {
      for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
      }
    }
  }
  return newest;
}

async function run(command: string[], env: Record<string, string> = {}): Promise<number> {
  const child = Bun.spawn(command, { cwd: ROOT, stdout: "inherit", stderr: "inherit", env: { ...process.env, ...env } });
  return child.exited;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: Bun.argv.slice(2), options: { docs: { type: "boolean", default: false } }, strict: true });

  const binary = await stat(BINARY).catch(() => null);
  if (!binary || binary.mtimeMs < (await newestSource())) {
    console.log(binary ? "dist/kiro-ts is older than the sources: rebuilding" : "dist/kiro-ts is missing: building");
    const code = await run(["bun", "run", "scripts/build.ts"]);
    if (code !== 0) return code;
  }
  // The mock admin server of the many-accounts test serves ui/dist.
  if ((await uiDistState()) !== "fresh") await buildUiDist();
  if (!existsSync(CHROMIUM)) {
    console.error(`No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.`);
    return 1;
  }
  return run(["bun", "test", "--timeout", "120000", "./ui", "./scripts"], values.docs ? { KIRO_UI_DOCS: "1" } : {});
}

process.exit(await main());

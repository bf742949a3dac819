/**
 * The admin UI of a checkout. `bun run demo` must show the whole product, but the committed
 * src/admin/ui-assets.gen.ts is an empty table (scripts/build.ts fills it only while compiling the binary).
 * So, from a checkout, ui/dist is built when it is missing or older than the UI's sources, and the generated
 * module is given, as it loads, a table of ui/dist's files on disk. The binary never loads this module.
 */
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { build as viteBuild } from "vite";
import { ROUTES } from "../ui/src/routes";
import { collectUiAssets, precompress } from "./ui-assets";

const ROOT = resolve(import.meta.dir, "..");

/** What ui/dist is made of: the UI's code, its page, its build settings and the locked dependency versions. */
const UI_SOURCES = ["ui/src", "ui/index.html", "ui/vite.config.ts", "bun.lock"];

export type UiDistState = "fresh" | "missing" | "stale";

async function newestChange(root: string, paths: readonly string[]): Promise<number> {
  let newest = 0;
  for (const path of paths) {
    const info = await stat(join(root, path)).catch(() => null);
    if (!info) continue;
    if (info.isFile()) newest = Math.max(newest, info.mtimeMs);
    else {
      for (const entry of await readdir(join(root, path), { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
      }
    }
  }
  return newest;
}

/** Whether `root`'s ui/dist can be served as it is. Vite writes index.html on every build, so it dates the build. */
export async function uiDistState(root = ROOT): Promise<UiDistState> {
  const built = await stat(join(root, "ui", "dist", "index.html")).catch(() => null);
  if (!built) return "missing";
  return (await newestChange(root, UI_SOURCES)) > built.mtimeMs ? "stale" : "fresh";
}

/** Vite's production build of the UI into ui/dist, with `.br` and `.gz` siblings. */
export async function buildUiDist(root = ROOT): Promise<void> {
  await viteBuild({ configFile: join(root, "ui", "vite.config.ts"), logLevel: "warn" });
  await precompress(join(root, "ui", "dist"));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Builds ui/dist if needed (telling `say` why), then has Bun load src/admin/ui-assets.gen.ts as the table of
 * ui/dist's files. Call it before anything imports the server's modules: a module loaded already stays as it is.
 */
export async function serveCheckoutUi(say: (line: string) => void, root = ROOT): Promise<void> {
  const state = await uiDistState(root);
  if (state !== "fresh") {
    say(`Building the admin UI (ui/dist is ${state === "missing" ? "missing" : "older than the UI's sources"})…`);
    const started = performance.now();
    await buildUiDist(root);
    say(`Built the admin UI in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  }
  const table = await collectUiAssets(join(root, "ui", "dist"), Object.values(ROUTES));
  const generated = join(root, "src", "admin", "ui-assets.gen.ts");
  Bun.plugin({
    name: "kiro-ts checkout UI",
    setup(build) {
      build.onLoad({ filter: new RegExp(`^${escapeRegExp(generated)}$`) }, () => ({
        contents: `export const uiAssets = ${JSON.stringify(table)};`,
        loader: "js",
      }));
    },
  });
}

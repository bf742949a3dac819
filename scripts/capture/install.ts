/**
 * Real clients come from the npm registry, installed outside the repository (one folder per package and release
 * under the system's temporary folder, kept for the next capture), never into the project's node_modules.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CLIENTS_DIR = join(tmpdir(), "kiro-ts-capture-clients");

/** Installs `pkg@version` once and returns the path of its `bin` command. */
export async function installClient(pkg: string, version: string, bin: string): Promise<string> {
  const dir = join(CLIENTS_DIR, `${pkg.replace(/[@/]/g, "_")}-${version}`);
  const path = join(dir, "node_modules", ".bin", bin);
  if (existsSync(path)) return path;
  await mkdir(dir, { recursive: true });
  await Bun.write(join(dir, "package.json"), "{}\n");
  console.log(`installing ${pkg}@${version} into ${dir}`);
  const npm = Bun.spawn(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", `${pkg}@${version}`], {
    cwd: dir,
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await npm.exited) !== 0 || !existsSync(path)) throw new Error(`npm could not install ${pkg}@${version}`);
  return path;
}

/** The newest release of a package, as the registry says. */
export async function latestVersion(pkg: string): Promise<string> {
  const npm = Bun.spawn(["npm", "view", pkg, "version"], { stdout: "pipe", stderr: "inherit" });
  const version = (await new Response(npm.stdout).text()).trim();
  if ((await npm.exited) !== 0 || version === "") throw new Error(`npm view ${pkg} failed`);
  return version;
}

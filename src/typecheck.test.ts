/**
 * The whole tree type-checks, the server (`tsconfig.json`, tests included) and the admin UI (`ui/tsconfig.json`):
 * Bun runs TypeScript without checking it, so without this a wrong type lands unseen until it fails at run time.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const TSC = join(ROOT, "node_modules", ".bin", "tsc");

for (const project of ["tsconfig.json", "ui/tsconfig.json"]) {
  test(`${project} type-checks`, () => {
    const run = Bun.spawnSync([TSC, "--noEmit", "-p", project], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const errors = (run.stdout.toString() + run.stderr.toString()).trim();
    expect(errors).toBe("");
    expect(run.exitCode).toBe(0);
  }, 120_000);
}

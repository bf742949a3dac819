import { expect, test } from "bun:test";
import { mkdir, mkdtemp, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { uiDistState } from "./ui-assets-checkout";

async function checkout(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "kiro-ui-dist-"));
  await mkdir(join(root, "ui", "src", "pages"), { recursive: true });
  await writeFile(join(root, "ui", "src", "pages", "Accounts.tsx"), "export {};");
  await writeFile(join(root, "ui", "index.html"), "<!doctype html>");
  await writeFile(join(root, "bun.lock"), "{}");
  return root;
}

const at = (root: string, path: string, seconds: number) => utimes(join(root, path), seconds, seconds);

test("ui/dist is built when missing, rebuilt when a UI source or the lockfile is newer, kept otherwise", async () => {
  const root = await checkout();
  expect(await uiDistState(root)).toBe("missing");

  await mkdir(join(root, "ui", "dist"));
  await writeFile(join(root, "ui", "dist", "index.html"), "<!doctype html>");
  for (const path of ["ui/src/pages/Accounts.tsx", "ui/index.html", "bun.lock"]) await at(root, path, 1_000);
  await at(root, "ui/dist/index.html", 2_000);
  expect(await uiDistState(root)).toBe("fresh");

  await at(root, "ui/src/pages/Accounts.tsx", 3_000);
  expect(await uiDistState(root)).toBe("stale");
  await at(root, "ui/src/pages/Accounts.tsx", 1_000);
  await at(root, "bun.lock", 3_000);
  expect(await uiDistState(root)).toBe("stale");
});

/**
 * A refresh token is never lost: a process refreshing in a loop is killed with SIGKILL at random moments, and
 * after every kill the credential file parses and holds a refresh token Kiro (the simulator) still accepts.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KiroSimulator } from "../simulator/simulator";

const KILLS = 200;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test(`SIGKILL during refresh, ${KILLS} times: the file always parses and its refresh token still works`, async () => {
  const sim = await KiroSimulator.start({ chunking: "whole", seed: 11, refreshGrace: true });
  const dir = await mkdtemp(join(tmpdir(), "kiro-crash-"));
  dirs.push(dir);
  const path = join(dir, "crash.json");
  const account = sim.addAccount({ name: "crash", authMethod: "social" });
  await writeFile(path, JSON.stringify({ ...account.credentialJson(), keepMe: "unknown key" }, null, 2), { mode: 0o600 });
  const script = join(import.meta.dir, "fixtures", "refresh-loop.ts");
  let refreshesSeen = 0;
  try {
    for (let i = 0; i < KILLS; i++) {
      const child = Bun.spawn([process.execPath, script, sim.url, path], { stdout: "pipe", stderr: "inherit" });
      // Wait until it runs, then let it refresh for a random while (0–25 ms ≈ 0–several refreshes).
      const reader = child.stdout.getReader();
      await reader.read();
      await Bun.sleep(Math.random() * 25);
      child.kill("SIGKILL");
      await child.exited;
      const file = JSON.parse(await Bun.file(path).text()) as { refreshToken: string; keepMe: string };
      expect(file.keepMe).toBe("unknown key");
      expect(account.holdsRefreshToken(file.refreshToken)).toBe(true);
      refreshesSeen = account.refreshCount;
    }
  } finally {
    await sim.stop();
  }
  // The kills landed while refreshes were happening, not only before the first one.
  expect(refreshesSeen).toBeGreaterThan(KILLS);
}, 120_000);

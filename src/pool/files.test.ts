import { expect, test } from "bun:test";
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sweepTempFiles, writeAtomic } from "./files";

test("writes the whole text with mode 0600, and leaves no temp file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kiro-files-"));
  await writeAtomic(join(dir, "a.json"), '{"refreshToken":"x"}');
  expect(await readFile(join(dir, "a.json"), "utf8")).toBe('{"refreshToken":"x"}');
  expect((await stat(join(dir, "a.json"))).mode & 0o777).toBe(0o600);
  expect(await readdir(dir)).toEqual(["a.json"]);
});

test("a write that fails leaves no temp file holding the secret behind", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kiro-files-"));
  // A folder where the file should go: the rename fails.
  await mkdir(join(dir, "b.json"));
  await mkdir(join(dir, "b.json", "inside"));
  expect(writeAtomic(join(dir, "b.json"), '{"refreshToken":"secret"}')).rejects.toThrow();
  await Bun.sleep(20);
  expect(await readdir(dir)).toEqual(["b.json"]);
});

test("temp files of writers that died are swept; a living writer's are left alone", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kiro-files-"));
  const dead = `.a.json.${2 ** 22 + 17}.0123abcd.tmp`;
  const mine = `.a.json.${process.pid}.0123abcd.tmp`;
  for (const f of [dead, mine, "a.json", ".kiro-ts-state.json"]) await writeFile(join(dir, f), "{}");
  expect(await sweepTempFiles(dir)).toEqual([join(dir, dead)]);
  expect((await readdir(dir)).sort()).toEqual([mine, ".kiro-ts-state.json", "a.json"].sort());
});

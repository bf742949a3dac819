/**
 * The one way kiro-ts writes a file it must not lose (credentials, the pool's state): a temp file in the same
 * folder, fsync, rename over the old file, fsync of the folder. Readers see the old file or the new one, never
 * half; a power cut keeps the rename; a failed write leaves no temp file (it would hold the same secrets).
 */
import { open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** `.{file}.{pid}.{random}.tmp`: the pid tells whether the writer still lives. */
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

export async function writeAtomic(path: string, text: string, mode = 0o600): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  try {
    const file = await open(tmp, "w", mode);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
  const folder = await open(dirname(path), "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/**
 * Deletes the temp files of writers that died mid-write (kill -9 cannot clean up after itself): each holds a whole
 * credential, secrets included, that nobody will ever rename into place.
 */
export async function sweepTempFiles(dir: string): Promise<string[]> {
  const swept: string[] = [];
  for (const name of await readdir(dir).catch(() => [])) {
    const pid = TEMP_FILE.exec(name)?.[1];
    if (pid === undefined || alive(Number(pid))) continue;
    await rm(join(dir, name), { force: true }).catch(() => {});
    swept.push(join(dir, name));
  }
  return swept;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

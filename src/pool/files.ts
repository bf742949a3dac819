/**
 * The one way kiro-ts writes a file it must not lose (credentials, the pool's state): a temp file in the same
 * folder, fsync, rename over the old file, fsync of the folder. Readers see the old file or the new one, never
 * half; a power cut keeps the rename; a failed write leaves no temp file (it would hold the same secrets).
 */
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

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

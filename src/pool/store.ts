/**
 * Credential files on disk (design.md "Credential files"): read them, and write a credential back merged into
 * what the file holds (unknown keys kept), atomically (temp file, fsync, rename) with mode 0600. Reads and writes
 * of one file take turns, and the store remembers what it last read or wrote of each file, so a reload can tell a
 * file replaced by hand from one kiro-ts wrote itself. A refresh token is never lost: a crash leaves either the
 * old file or the new one, never half.
 */
import { lstat, mkdir, readdir, realpath, rm, stat } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { authKind, type Credential, endpointProblem } from "../kiro/credential";
import { sweepTempFiles, writeAtomic } from "./files";

/** Where one account's credential lives: a whole file, or one element of a kiro.rs array file. */
export interface CredentialSource {
  path: string;
  index?: number;
  /** The credential came from this environment variable (kiro-rs's KIRO_API_KEY): there is no file to write. */
  environment?: string;
}

export interface LoadedCredential {
  name: string;
  source: CredentialSource;
  credential: Credential;
  /** The file differs from what kiro-ts last read or wrote of it: someone else changed it. */
  changed: boolean;
}

export interface LoadResult {
  credentials: LoadedCredential[];
  /** One line per file (or array element) skipped, naming it and why. */
  skipped: string[];
  /** Files other users can read: tokens in them are exposed. */
  exposed: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** The file changed under kiro-ts's feet: read it again rather than write over it. */
export class CredentialConflict extends Error {
  override name = "CredentialConflict";
  constructor(readonly path: string) {
    super(`${path} was changed by someone else since kiro-ts last read it`);
  }
}

export class CredentialStore {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** What kiro-ts last read or wrote of each file. */
  private readonly known = new Map<string, string>();
  /** Files removed with their account: a refresh that ends later must not bring them back. */
  private readonly removed = new Set<string>();

  /** Every `*.json` of a directory, one account each, named by the file's stem (the seed's multi-account mode). */
  async loadDir(dir: string): Promise<LoadResult> {
    await mkdir(dir, { recursive: true });
    await sweepTempFiles(dir);
    const files = (await readdir(dir)).filter((f) => f.endsWith(".json") && !f.startsWith(".")).sort();
    const result: LoadResult = { credentials: [], skipped: [], exposed: [] };
    for (const f of files) await this.loadInto(join(dir, f), result);
    return result;
  }

  /** One credentials file: an object (one account) or a kiro.rs array (one account per element). */
  async loadFile(path: string): Promise<LoadResult> {
    await sweepTempFiles(dirname(path));
    const result: LoadResult = { credentials: [], skipped: [], exposed: [] };
    await this.loadInto(path, result);
    return result;
  }

  /** The credential at `source` as the file holds it now, if it can be read (another process may have written it). */
  read(source: CredentialSource): Promise<{ credential: Credential; changed: boolean } | undefined> {
    if (source.environment) return Promise.resolve(undefined);
    return this.inTurn(source.path, async () => {
      const text = await Bun.file(source.path).text().catch(() => undefined);
      if (text === undefined) return undefined;
      const changed = this.known.get(source.path) !== text;
      this.known.set(source.path, text);
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        return undefined;
      }
      const item = source.index === undefined ? raw : Array.isArray(raw) ? raw[source.index] : undefined;
      return isObject(item) && !credentialProblem(item) ? { credential: item as Credential, changed } : undefined;
    });
  }

  private async loadInto(path: string, result: LoadResult): Promise<void> {
    const stem = basename(path, extname(path));
    const text = await this.inTurn(path, () => Bun.file(path).text().then(
      (t) => t,
      (e: NodeJS.ErrnoException) => e,
    ));
    if (text instanceof Error) {
      result.skipped.push(`${path}: ${text.code === "ENOENT" ? "no such file" : text.message}`);
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      result.skipped.push(`${path}: not valid JSON (${(e as Error).message})`);
      return;
    }
    const changed = this.known.get(path) !== text;
    this.known.set(path, text);
    if ((await stat(path)).mode & 0o077) result.exposed.push(path);
    const add = (name: string, source: CredentialSource, credential: Credential, where: string) => {
      // Two accounts of one name would write each other's tokens: the second is refused, by name.
      if (result.credentials.some((c) => c.name === name)) result.skipped.push(`${where}: a second account named "${name}"; give it another id`);
      else result.credentials.push({ name, source, credential, changed });
    };
    if (isObject(raw)) {
      const problem = credentialProblem(raw);
      if (problem) result.skipped.push(`${path}: ${problem}`);
      else add(stem, { path }, raw as Credential, path);
      return;
    }
    if (Array.isArray(raw)) {
      raw.forEach((item, index) => {
        const problem = isObject(item) ? credentialProblem(item) : "not a JSON object";
        const id = isObject(item) && (typeof item.id === "number" || typeof item.id === "string") ? item.id : index + 1;
        if (problem) result.skipped.push(`${path}[${index}]: ${problem}`);
        else add(`${stem}-${id}`, { path, index }, item as Credential, `${path}[${index}]`);
      });
      return;
    }
    result.skipped.push(`${path}: expected a JSON object or array`);
  }

  /**
   * Merges `update` into the credential at `source` and writes the file atomically. Reads and writes of one file
   * take turns, so two accounts of one array file cannot overwrite each other's changes, and a reload never reads
   * a file halfway through kiro-ts's own change to it.
   */
  save(source: CredentialSource, update: Partial<Credential>): Promise<void> {
    if (source.environment) return Promise.resolve();
    return this.inTurn(source.path, () => (this.removed.has(source.path) ? undefined : this.write(source, update)));
  }

  /** Writes a new credential file; refuses to overwrite one that exists. */
  async create(path: string, credential: Credential): Promise<void> {
    if (await Bun.file(path).exists()) throw new Error(`${basename(path)} already exists`);
    await mkdir(dirname(path), { recursive: true });
    await this.inTurn(path, async () => {
      const text = JSON.stringify(credential, null, 2) + "\n";
      await writeAtomic(path, text);
      this.removed.delete(path);
      this.known.set(path, text);
    });
  }

  /** Deletes a file for good: writes still queued or started later for it are dropped. */
  remove(path: string): Promise<void> {
    this.removed.add(path);
    return this.inTurn(path, async () => {
      await rm(path, { force: true });
      this.known.delete(path);
    });
  }

  /** Runs `work` after every earlier read or write of `path` has settled. */
  private inTurn<T>(path: string, work: () => Promise<T> | T): Promise<T> {
    const previous = this.queues.get(path) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.queues.set(path, next);
    void next.finally(() => this.queues.get(path) === next && this.queues.delete(path)).catch(() => {});
    return next;
  }

  private async write(source: CredentialSource, update: Partial<Credential>): Promise<void> {
    let current: unknown = source.index === undefined ? {} : [];
    const onDisk = await Bun.file(source.path).text().catch(() => undefined);
    // Someone else wrote the file since kiro-ts last read or wrote it (a new sign-in, the IDE whose token file it
    // is): their credential wins, and merging ours over it would mix two.
    const known = this.known.get(source.path);
    if (onDisk !== undefined && known !== undefined && onDisk !== known) throw new CredentialConflict(source.path);
    try {
      current = JSON.parse(onDisk ?? "");
    } catch {
      // A missing or broken file is replaced by what we know; nothing in it could be merged anyway.
    }
    let next: unknown;
    if (source.index === undefined) {
      next = { ...(isObject(current) ? current : {}), ...update };
    } else {
      const list = Array.isArray(current) ? [...current] : [];
      list[source.index] = { ...(isObject(list[source.index]) ? list[source.index] : {}), ...update };
      next = list;
    }
    const text = JSON.stringify(next, null, 2) + "\n";
    await writeAtomic(await writeTarget(source.path), text);
    this.known.set(source.path, text);
  }
}

/**
 * Where a credential file is written: through a symbolic link to the regular file it names (an IDE's token file
 * linked into the folder stays the one file both use), else the path itself.
 */
async function writeTarget(path: string): Promise<string> {
  const link = await lstat(path).catch(() => undefined);
  if (!link?.isSymbolicLink()) return path;
  const target = await realpath(path).catch(() => undefined);
  return target && (await stat(target)).isFile() ? target : path;
}

function credentialProblem(c: Record<string, unknown>): string | undefined {
  const endpoints = endpointProblem(c);
  if (endpoints) return endpoints;
  if (authKind(c) === "api_key") {
    return typeof c.kiroApiKey === "string" && c.kiroApiKey.trim() !== "" ? undefined : "authMethod is api_key but there is no kiroApiKey";
  }
  if (typeof c.refreshToken === "string" && c.refreshToken.trim() !== "") return undefined;
  return "no refreshToken";
}

/**
 * Credential files on disk (design.md "Credential files"): read them, and write a credential back merged into
 * what the file holds (unknown keys kept), atomically (temp file, fsync, rename) with mode 0600, one write at a
 * time per file. A refresh token is never lost: a crash leaves either the old file or the new one, never half.
 */
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { authKind, type Credential } from "../kiro/credential";
import { writeAtomic } from "./files";

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
}

export interface LoadResult {
  credentials: LoadedCredential[];
  /** One line per file (or array element) skipped, naming it and why. */
  skipped: string[];
  /** Files other users can read: tokens in them are exposed. */
  exposed: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export class CredentialStore {
  private readonly queues = new Map<string, Promise<void>>();

  /** Every `*.json` of a directory, one account each, named by the file's stem (the seed's multi-account mode). */
  async loadDir(dir: string): Promise<LoadResult> {
    await mkdir(dir, { recursive: true });
    const files = (await readdir(dir)).filter((f) => f.endsWith(".json") && !f.startsWith(".")).sort();
    const result: LoadResult = { credentials: [], skipped: [], exposed: [] };
    for (const f of files) await this.loadInto(join(dir, f), result);
    return result;
  }

  /** One credentials file: an object (one account) or a kiro.rs array (one account per element). */
  async loadFile(path: string): Promise<LoadResult> {
    const result: LoadResult = { credentials: [], skipped: [], exposed: [] };
    await this.loadInto(path, result);
    return result;
  }

  private async loadInto(path: string, result: LoadResult): Promise<void> {
    const stem = basename(path, extname(path));
    let raw: unknown;
    try {
      raw = JSON.parse(await Bun.file(path).text());
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `not valid JSON (${(e as Error).message})`;
      result.skipped.push(`${path}: ${why}`);
      return;
    }
    if ((await stat(path)).mode & 0o077) result.exposed.push(path);
    if (isObject(raw)) {
      const problem = credentialProblem(raw);
      if (problem) result.skipped.push(`${path}: ${problem}`);
      else result.credentials.push({ name: stem, source: { path }, credential: raw as Credential });
      return;
    }
    if (Array.isArray(raw)) {
      raw.forEach((item, index) => {
        const problem = isObject(item) ? credentialProblem(item) : "not a JSON object";
        const id = isObject(item) && (typeof item.id === "number" || typeof item.id === "string") ? item.id : index + 1;
        if (problem) result.skipped.push(`${path}[${index}]: ${problem}`);
        else result.credentials.push({ name: `${stem}-${id}`, source: { path, index }, credential: item as Credential });
      });
      return;
    }
    result.skipped.push(`${path}: expected a JSON object or array`);
  }

  /**
   * Merges `update` into the credential at `source` and writes the file atomically. Writes to one file are
   * queued, so two accounts of one array file cannot overwrite each other's changes.
   */
  save(source: CredentialSource, update: Partial<Credential>): Promise<void> {
    if (source.environment) return Promise.resolve();
    const previous = this.queues.get(source.path) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.write(source, update));
    this.queues.set(source.path, next);
    return next;
  }

  /** Writes a new credential file; refuses to overwrite one that exists. */
  async create(path: string, credential: Credential): Promise<void> {
    if (await Bun.file(path).exists()) throw new Error(`${basename(path)} already exists`);
    await mkdir(dirname(path), { recursive: true });
    await writeAtomic(path, JSON.stringify(credential, null, 2) + "\n");
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  private async write(source: CredentialSource, update: Partial<Credential>): Promise<void> {
    let current: unknown = source.index === undefined ? {} : [];
    try {
      current = JSON.parse(await Bun.file(source.path).text());
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
    await writeAtomic(source.path, JSON.stringify(next, null, 2) + "\n");
  }
}

function credentialProblem(c: Record<string, unknown>): string | undefined {
  if (authKind(c) === "api_key") {
    return typeof c.kiroApiKey === "string" && c.kiroApiKey.trim() !== "" ? undefined : "authMethod is api_key but there is no kiroApiKey";
  }
  if (typeof c.refreshToken === "string" && c.refreshToken.trim() !== "") return undefined;
  return "no refreshToken";
}

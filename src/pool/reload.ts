/**
 * Where the pool's accounts come from, and how it follows changes to them: the credential files (credentialsDir,
 * or the single file) plus kiro-rs's KIRO_API_KEY variable, read at start and again on SIGHUP or POST
 * /admin/reload.
 */
import type { Credential } from "../kiro/credential";
import type { Logger } from "../log";
import { Account, type AccountDeps } from "./account";
import type { Pool } from "./pool";
import type { CredentialStore, LoadResult } from "./store";

/** kiro-rs reads a Kiro API key from this variable too, as one more account. */
export const API_KEY_VARIABLE = "KIRO_API_KEY";

export interface SourceSettings {
  store: CredentialStore;
  log: Logger;
  /** A folder of credential files, one account each; when absent, `credentialsFile` is read. */
  credentialsDir?: string;
  credentialsFile: string;
  /** KIRO_API_KEY's value, if set. */
  apiKey?: string;
}

/** Reads every credential there is, warning about each one skipped and each file others can read. */
export async function loadCredentials({ store, log, credentialsDir, credentialsFile, apiKey }: SourceSettings): Promise<LoadResult> {
  const loaded = credentialsDir ? await store.loadDir(credentialsDir) : await store.loadFile(credentialsFile);
  if (apiKey) {
    if (loaded.credentials.some((c) => c.name === API_KEY_VARIABLE)) {
      loaded.skipped.push(`${API_KEY_VARIABLE}: a credential file is already named ${API_KEY_VARIABLE}`);
    } else {
      loaded.credentials.unshift({
        name: API_KEY_VARIABLE,
        source: { path: `$${API_KEY_VARIABLE}`, environment: API_KEY_VARIABLE },
        credential: { kiroApiKey: apiKey, authMethod: "api_key" },
        changed: false,
      });
    }
  }
  for (const line of loaded.skipped) log.warn(`credential skipped: ${line}`);
  for (const path of loaded.exposed) log.warn(`credential file is readable by other users; run: chmod 600 ${path}`);
  return loaded;
}

/** What a new sign-in changes in a credential file: the refresh token, or the API key. */
const signInSecret = (c: Readonly<Credential>) => c.refreshToken ?? c.kiroApiKey;

export interface ReloadResult {
  added: string[];
  removed: string[];
  updated: string[];
}

export class AccountReloader {
  private running: Promise<ReloadResult> | undefined;
  private next: Promise<ReloadResult> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly sources: SourceSettings,
    private readonly deps: AccountDeps,
    /** Told of what each reload changed (new accounts may be the first that can ask Kiro for its models). */
    private readonly onReloaded: (result: ReloadResult) => void,
  ) {}

  /**
   * One reload at a time: asked for during one, it runs once more after it (however often it was asked), so a
   * change made while files were being read is never missed.
   */
  reload(): Promise<ReloadResult> {
    if (!this.running) return this.start();
    this.next ??= this.running.catch(() => {}).then(() => {
      this.next = undefined;
      return this.start();
    });
    return this.next;
  }

  private start(): Promise<ReloadResult> {
    const run = this.readAgain().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /**
   * Re-reads the credentials: new files become accounts, accounts whose file is gone leave the pool, a file
   * replaced by hand replaces the credential. A file counts as replaced only if it differs from what kiro-ts last
   * read or wrote of it: the token kiro-ts itself just rotated is never taken back. Requests in flight keep the
   * account they hold, so none is harmed.
   */
  private async readAgain(): Promise<ReloadResult> {
    const loaded = await loadCredentials(this.sources);
    const result: ReloadResult = { added: [], removed: [], updated: [] };
    const seen = new Set<string>();
    for (const c of loaded.credentials) {
      seen.add(c.name);
      const existing = this.pool.get(c.name);
      if (!existing) {
        this.pool.add(new Account(c.name, c.source, c.credential, this.deps));
        result.added.push(c.name);
      } else if (c.changed && signInSecret(c.credential) !== signInSecret(existing.credential)) {
        await existing.replaceCredential(c.credential);
        result.updated.push(c.name);
      }
    }
    for (const a of [...this.pool.accounts]) {
      if (!seen.has(a.name)) {
        this.pool.remove(a.name);
        result.removed.push(a.name);
      }
    }
    this.onReloaded(result);
    this.sources.log.info("credentials reloaded", {
      added: result.added.join(",") || "-",
      removed: result.removed.join(",") || "-",
      updated: result.updated.join(",") || "-",
    });
    return result;
  }
}

/**
 * What the soak and the fuzz share: the gateway as a separate process (so a crash is seen as a crash and its
 * memory is its own), requests sent with a deadline, a fixed number of them in flight, and counts.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KiroSimulator, SimAccountInit } from "../simulator/simulator";

/** Where requests go, and the two keys. */
export interface Target {
  url: string;
  apiKey: string;
  adminKey: string;
}

export interface GatewayProcess extends Target {
  pid: number;
  /** The folder of its credential files, one per account, named `{account}.json`. */
  credentialsDir: string;
  /** True until the process exits, whatever the reason. */
  alive(): boolean;
  exitCode(): number | null;
  /** Resident memory now, in bytes (from /proc; undefined where there is none). */
  rss(): Promise<number | undefined>;
  /** The last lines the process wrote (stdout and stderr), for a report after a crash. */
  lastLines(): string[];
  /** How many lines of everything the process wrote contain one of `secrets`. */
  linesWithSecrets(secrets: readonly string[]): Promise<number>;
  /**
   * Everything that must never reach a client or a log line: both keys, the tokens in the credential files now,
   * and every access token and the current refresh token the simulator issued to these accounts.
   */
  secrets(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  sim: KiroSimulator;
  accounts: SimAccountInit[];
  /** Merged over the generated config.json (e.g. failureCooldownSecs). */
  config?: Record<string, unknown>;
  /** Credential files written as given, for accounts the simulator already has (several gateways on one pool). */
  files?: Record<string, Record<string, unknown>>;
}

const MAIN = join(import.meta.dir, "..", "main.ts");
const KEPT_LINES = 40;

/** Starts `bun run src/main.ts -c <tmp>/config.json` with the simulator as Kiro and one credential file per account. */
export async function spawnGateway(opts: GatewayProcessOptions): Promise<GatewayProcess> {
  const dir = await mkdtemp(join(tmpdir(), "kiro-drive-"));
  const credentials = join(dir, "credentials");
  await mkdir(credentials);
  for (const init of opts.accounts) {
    const file = join(credentials, `${init.name}.json`);
    await writeFile(file, JSON.stringify(opts.sim.addAccount(init).credentialJson(), null, 2));
    await chmod(file, 0o600);
  }
  for (const [name, credential] of Object.entries(opts.files ?? {})) {
    await writeFile(join(credentials, `${name}.json`), JSON.stringify(credential, null, 2), { mode: 0o600 });
  }
  const apiKey = `sk-drive-${crypto.randomUUID()}`;
  const adminKey = `admin-drive-${crypto.randomUUID()}`;
  const config = {
    host: "127.0.0.1",
    port: 0,
    apiKey,
    adminApiKey: adminKey,
    kiroApiBaseUrl: opts.sim.url,
    kiroEndpoint: "q",
    kiroAuthBaseUrl: opts.sim.url,
    oidcBaseUrl: opts.sim.url,
    ssoPortalBaseUrl: opts.sim.url,
    credentialsDir: "credentials",
    ...opts.config,
  };
  await writeFile(join(dir, "config.json"), JSON.stringify(config, null, 2));

  const child = Bun.spawn([process.execPath, "run", MAIN, "-c", join(dir, "config.json")], {
    env: { ...process.env, LOG_LEVEL: "info" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  // Everything goes to a file, so that a long run can be searched for secrets without holding its log in memory.
  const logPath = join(dir, "gateway.log");
  const log = Bun.file(logPath).writer();
  const keep = (line: string) => {
    log.write(`${line}\n`);
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
  };
  let announce: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => (announce = resolve));
  const drained = Promise.all([
    drain(child.stdout, (line) => {
      keep(line);
      const m = / listening on (http:\/\/\S+)/.exec(line);
      if (m?.[1]) announce(m[1].replace(/\/$/, ""));
    }),
    drain(child.stderr, keep),
  ]);
  const url = await Promise.race([
    listening,
    child.exited.then((code) => {
      throw new Error(`the gateway exited with code ${code} before listening:\n${lines.join("\n")}`);
    }),
  ]);

  return {
    url,
    apiKey,
    adminKey,
    pid: child.pid,
    credentialsDir: credentials,
    alive: () => child.exitCode === null && child.signalCode === null,
    exitCode: () => child.exitCode,
    rss: () => residentBytes(child.pid),
    lastLines: () => [...lines],
    async linesWithSecrets(secrets) {
      await log.flush();
      const all = (await Bun.file(logPath).text()).split("\n");
      return all.filter((line) => secrets.some((s) => s.length >= 8 && line.includes(s))).length;
    },
    async secrets() {
      const secrets = new Set([apiKey, adminKey]);
      for (const a of opts.accounts) {
        const text = await readFile(join(credentials, `${a.name}.json`), "utf8").catch(() => "{}");
        const c = JSON.parse(text) as Record<string, unknown>;
        for (const key of ["accessToken", "refreshToken", "clientSecret"]) if (typeof c[key] === "string") secrets.add(c[key]);
        const issued = opts.sim.account(a.name);
        if (issued) {
          secrets.add(issued.refreshToken);
          for (const token of issued.accessTokens.keys()) secrets.add(token);
        }
      }
      return [...secrets];
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await child.exited;
      }
      await drained;
      await log.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function drain(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of stream) {
    rest += decoder.decode(chunk, { stream: true });
    const parts = rest.split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) onLine(line);
  }
  if (rest) onLine(rest);
}

async function residentBytes(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

export interface OutgoingRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  ms: number;
}

/** An answer, or why there was none: the deadline passed ("hang") or the connection failed. */
export type Outcome = { answer: Answer } | { failure: "hang" | "connection"; detail: string; ms: number };

/** Sends one request and reads its whole answer, all within `deadlineMs`. */
export async function send(url: string, req: OutgoingRequest, deadlineMs: number): Promise<Outcome> {
  const started = performance.now();
  const signal = AbortSignal.timeout(deadlineMs);
  try {
    const res = await fetch(url + req.path, { method: req.method, headers: req.headers, body: req.body, signal });
    const text = await res.text();
    return { answer: { status: res.status, headers: res.headers, text, ms: performance.now() - started } };
  } catch (e) {
    const ms = performance.now() - started;
    if (signal.aborted) return { failure: "hang", detail: `no complete answer within ${deadlineMs / 1000} s`, ms };
    return { failure: "connection", detail: (e as Error).message || String(e), ms };
  }
}

/** Runs `work` on every item, `concurrency` at a time; items are drawn lazily, so a generator may build them as needed. */
export async function inParallel<T>(items: Iterable<T>, concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const source = items[Symbol.iterator]();
  const lane = async () => {
    for (let next = source.next(); !next.done; next = source.next()) await work(next.value);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** Counts by key, keeping the first example of each. */
export class Tally {
  private readonly counts = new Map<string, { n: number; example?: string }>();

  add(key: string, example?: string): void {
    const entry = this.counts.get(key);
    if (entry) entry.n++;
    else this.counts.set(key, { n: 1, example });
  }

  get(key: string): number {
    return this.counts.get(key)?.n ?? 0;
  }

  get total(): number {
    let n = 0;
    for (const e of this.counts.values()) n += e.n;
    return n;
  }

  /** Largest count first. */
  entries(): Array<{ key: string; n: number; example?: string }> {
    return [...this.counts].map(([key, e]) => ({ key, ...e })).sort((a, b) => b.n - a.n || a.key.localeCompare(b.key));
  }
}

export const megabytes = (bytes: number | undefined) => (bytes === undefined ? "n/a" : `${Math.round(bytes / 1024 / 1024)} MB`);

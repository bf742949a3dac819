/**
 * Removes what is secret or personal from a captured request before it is committed: the keys the clients were
 * given, the temporary folders they ran in, this machine's name and kernel, and every id that could tie a
 * capture to a machine or a person (UUIDs, 64-hex device ids, user ids). Ids become stable placeholders, the
 * same real id the same placeholder throughout one case, so a session id still matches across its requests.
 */
import { hostname, release } from "node:os";
import type { Captured } from "./server";

/** Headers that describe the connection rather than the client, or that vary on every run. */
const DROPPED_HEADERS = new Set(["host", "content-length", "connection", "accept-encoding", "x-stainless-retry-count"]);
const SECRET_HEADERS = new Set(["x-api-key", "authorization", "api-key", "chatgpt-account-id", "openai-organization", "openai-project"]);

export interface ScrubOptions {
  /** Literal text → what replaces it (keys, temporary paths); the longest is replaced first. */
  literals: Record<string, string>;
}

export class Scrubber {
  private readonly ids = new Map<string, string>();
  private readonly literals: [string, string][];

  constructor(opts: ScrubOptions) {
    const machine: Record<string, string> = { [release()]: "6.1.0-capture" };
    this.literals = Object.entries({ ...machine, ...opts.literals })
      .filter(([from]) => from.length > 0)
      .sort(([a], [b]) => b.length - a.length);
  }

  scrub(c: Captured): Captured {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(c.headers)) {
      if (DROPPED_HEADERS.has(name)) continue;
      headers[name] = SECRET_HEADERS.has(name) ? (name === "authorization" ? "Bearer REDACTED" : "REDACTED") : value;
    }
    return JSON.parse(this.text(JSON.stringify({ ...c, headers })));
  }

  private text(json: string): string {
    for (const [from, to] of this.literals) json = json.replaceAll(from, to);
    const host = hostname();
    // A short host name ("vm") would also match ordinary words; only a distinctive one is looked for.
    if (host.length >= 6) json = json.replaceAll(host, "capture-host");
    return json
      .replace(/(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])/gi, (id) => this.placeholder(id, "uuid"))
      .replace(/(?<![0-9a-z])[0-9a-f]{64}(?![0-9a-z])/gi, (id) => this.placeholder(id, "hex64"));
  }

  private placeholder(id: string, kind: "uuid" | "hex64"): string {
    const key = id.toLowerCase();
    let fake = this.ids.get(key);
    if (fake === undefined) {
      const n = (this.ids.size + 1).toString(16);
      fake = kind === "uuid" ? `00000000-0000-4000-8000-${n.padStart(12, "0")}` : n.padStart(64, "0");
      this.ids.set(key, fake);
    }
    return fake;
  }
}

/**
 * A small leveled logger writing one line per entry. Secrets are never passed to it on purpose; as a second
 * line of defence every token the process learns is registered with `secret()` and masked from every line.
 */
export type Level = "debug" | "info" | "warn" | "error";
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;
export type Sink = (line: string, level: Level) => void;

const stdoutSink: Sink = (line, level) => (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line + "\n");

export class Logger {
  private readonly threshold: number;
  private readonly secrets: Set<string>;

  constructor(
    readonly level: Level = "info",
    private readonly sink: Sink = stdoutSink,
    private readonly context: Fields = {},
    secrets?: Set<string>,
    /** A child's parent, whose context comes first; merged only when a line is written (children are made per attempt). */
    private readonly parent?: Logger,
  ) {
    this.threshold = RANK[level];
    this.secrets = secrets ?? new Set();
  }

  /** A logger whose lines all carry `fields`; shares level, sink and secrets. */
  child(fields: Fields): Logger {
    return new Logger(this.level, this.sink, fields, this.secrets, this);
  }

  /** Registers a value that must never appear in a log line (short values would mask ordinary words). */
  secret(value: string | undefined): void {
    if (value && value.length >= 8) this.secrets.add(value);
  }

  enabled(level: Level): boolean {
    return RANK[level] >= this.threshold;
  }

  debug(msg: string, fields?: Fields) { this.write("debug", msg, fields); }
  info(msg: string, fields?: Fields) { this.write("info", msg, fields); }
  warn(msg: string, fields?: Fields) { this.write("warn", msg, fields); }
  error(msg: string, fields?: Fields) { this.write("error", msg, fields); }

  private write(level: Level, msg: string, fields?: Fields): void {
    if (RANK[level] < this.threshold) return;
    let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}`;
    const context = this.fullContext();
    const all = fields ? { ...context, ...fields } : context;
    for (const [k, v] of Object.entries(all)) {
      if (v === undefined) continue;
      const text = typeof v === "string" ? v : v instanceof Error ? v.message : JSON.stringify(v);
      line += ` ${k}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
    }
    for (const s of this.secrets) if (line.includes(s)) line = line.replaceAll(s, "***");
    this.sink(line, level);
  }

  private fullContext(): Fields {
    return this.parent ? { ...this.parent.fullContext(), ...this.context } : this.context;
  }
}

/** LOG_LEVEL, or kiro-rs's RUST_LOG (e.g. "info" or "kiro_rs=debug,tower=warn"), so existing units keep working. */
export function levelFromEnv(env: Record<string, string | undefined> = process.env): Level {
  for (const raw of [env.LOG_LEVEL, env.RUST_LOG]) {
    if (!raw) continue;
    const words = raw.toLowerCase().split(/[,=\s]+/);
    const found = words.map((w) => (w === "trace" ? "debug" : w)).find((w): w is Level => w in RANK);
    if (found) return found;
  }
  return "info";
}

/**
 * A key as the log may show it: a fingerprint that tells two keys apart and says nothing of either. (kiro-rs prints
 * the first half of the key, which halves the work of guessing it.)
 */
export function keyFingerprint(key: string): string {
  return "sha256:" + new Bun.CryptoHasher("sha256").update(key).digest("hex").slice(0, 12);
}

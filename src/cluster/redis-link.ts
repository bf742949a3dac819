/**
 * The connection to Redis, and what its loss means: nothing stops. Commands fail at once while Redis is away
 * (no offline queue, so no request waits on it), the loss is logged once at warn, and when Redis answers again
 * the subscription is renewed and `onBack` runs (the cluster republishes what it knows: Redis may have come back
 * empty). Bun's own client (`RedisClient`); one connection for commands, one for the subscription, which a
 * subscribed connection cannot share.
 */
// A type only: the bundler turns a value import from "bun" into a read of Bun.RedisClient when the binary starts,
// which loads the client even where this module never does.
import type { RedisClient } from "bun";
import type { Logger } from "../log";

/** How often a lost connection is tried again, and health is looked at. */
const CHECK_MS = 500;

export class RedisUnreachable extends Error {
  override name = "RedisUnreachable";
}

export class RedisLink {
  private readonly commands: RedisClient;
  private readonly listener: RedisClient;
  private up = false;
  private downSince: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private connecting: Promise<void> | undefined;
  /** Before open, a command is not a loss worth a warning (changes made while loading are published at open). */
  private opened = false;
  private subscribed = false;

  constructor(
    private readonly url: string,
    /** The pub/sub channel of this cluster. */
    readonly channel: string,
    private readonly log: Logger,
    private readonly onMessage: (text: string) => void,
    /** Runs on the first connection and each one after a loss. */
    private readonly onBack: () => Promise<void>,
  ) {
    const options = { enableOfflineQueue: false, connectionTimeout: 2_000, autoReconnect: true, maxRetries: 1_000_000 };
    this.commands = new Bun.RedisClient(url, options);
    this.listener = new Bun.RedisClient(url, options);
  }

  /** Connects; a Redis that is not there yet is no error (the instance starts alone and joins when it answers). */
  async open(): Promise<void> {
    this.opened = true;
    await this.connect();
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref?.();
  }

  get connected(): boolean {
    return this.up;
  }

  get unreachableSince(): number | undefined {
    return this.downSince;
  }

  /** Runs a command; throws RedisUnreachable while Redis is away (and notes the loss). */
  async call<T>(work: (redis: RedisClient) => Promise<T>): Promise<T> {
    if (!this.up || !this.commands.connected) throw this.lost();
    try {
      return await work(this.commands);
    } catch (e) {
      if (!this.commands.connected) throw this.lost(e);
      throw e;
    }
  }

  /** A Lua script: one round trip, atomic on the server. */
  script(source: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    return this.call((r) => r.send("EVAL", [source, String(keys.length), ...keys, ...args.map(String)]));
  }

  publish(message: unknown): Promise<unknown> {
    return this.call((r) => r.publish(this.channel, JSON.stringify(message)));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.commands.close();
    this.listener.close();
  }

  private connect(): Promise<void> {
    this.connecting ??= this.tryConnect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async tryConnect(): Promise<void> {
    try {
      if (!this.commands.connected) await this.commands.connect();
      if (!this.listener.connected) await this.listener.connect();
      // A subscription does not outlive a Redis restart: renewed on each connection (once: unsubscribed first).
      if (this.subscribed) {
        try {
          await this.listener.unsubscribe(this.channel);
        } catch {
          // Not subscribed any more on this connection: nothing to undo.
        }
      }
      await this.listener.subscribe(this.channel, (text) => this.onMessage(text));
      this.subscribed = true;
    } catch (e) {
      this.lost(e);
      return;
    }
    const wasDown = !this.up;
    this.up = true;
    if (this.downSince !== undefined) {
      this.log.info("Redis answers again: sharing live state with the other instances", { downSecs: Math.round((Date.now() - this.downSince) / 1000) });
      this.downSince = undefined;
    }
    if (wasDown) await this.onBack().catch((e) => this.log.warn("could not share this instance's state through Redis", { error: (e as Error).message }));
  }

  private async check(): Promise<void> {
    if (this.closed) return;
    if (this.up && (!this.commands.connected || !this.listener.connected)) this.lost();
    if (!this.up) await this.connect();
  }

  private lost(cause?: unknown): RedisUnreachable {
    if (this.opened && this.downSince === undefined) {
      this.downSince = Date.now();
      this.log.warn("Redis is unreachable: serving with this instance's own state until it answers again", {
        redis: redacted(this.url),
        ...(cause ? { error: (cause as Error).message } : {}),
      });
    }
    this.up = false;
    return new RedisUnreachable("Redis is unreachable");
  }
}

/** The URL without its password, for the log. */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(redisUrl)";
  }
}

/**
 * Kiro's chat calls over HTTP/1.1 connections of the gateway's own, kept open per host and spoken on the main
 * thread (Bun.connect). fetch hands each request, and each chunk of its reply, to a thread of its own and back, and
 * gives the reply as a ReadableStream: side by side, a small request cost a quarter more CPU that way, a 1 MB one a
 * fifth (README, Performance: the twenty-second pass). Only what a chat needs is spoken: a POST of known length; a
 * reply of known length, in chunks or until the connection closes, in the identity encoding (no other is asked for).
 * A call through a proxy, and every call but the chat, goes through fetch.
 */
import type { Socket } from "bun";
import { joinedBytes } from "../http/body";

/** A reply's body, read as fetch's reader is read: plain Uint8Arrays (never Buffers, whose slice makes no copy). */
export interface ByteReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
}

/** What a chat reads of an answer, whether fetch or a connection of the gateway's own carried it. */
export interface Answer {
  readonly status: number;
  header(name: string): string | null;
  readonly body: ByteReader;
}

/** A body's text, at most `max` bytes of it: the rest is not read. */
export async function textOf(reader: ByteReader, max: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
    if (length >= max) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).toString("utf8", 0, Math.min(length, max));
}

/**
 * The whole request — the head given, then the body — as bytes, made when the connection can take them: a view
 * valid until anything else runs (request-bytes.ts's kept buffer), so only what the socket leaves is copied.
 */
export type Message = (head: string) => Uint8Array;

/** Unread reply bytes past which the connection stops reading until the reader catches up: no reply piles up. */
const HIGH_WATER = 1024 * 1024;
/** How long a kept connection may wait unused; Kiro's hosts keep theirs longer. */
const IDLE_SECS = 30;
/** Connections kept unused per host: after a burst, the rest are closed rather than left to their idle time. */
const KEPT_PER_HOST = 128;
/** A reply head longer than this is not HTTP a chat expects. */
const MAX_HEAD = 64 * 1024;
const CRLF_CRLF = Buffer.from("\r\n\r\n");
const HTTP_1 = Buffer.from("HTTP/1.");
const ONCE = { once: true };

interface Link {
  origin: string;
  /** Open, and past the TLS handshake where there is one: writes are taken. */
  ready: boolean;
  exchange: Exchange | undefined;
  /** The request's bytes not written yet: made when the link is ready, copied only where the socket left some. */
  message: (() => Uint8Array) | undefined;
  unsent: Uint8Array | undefined;
  /** Came from the kept connections: a close before any byte of the reply means it had gone stale. */
  reused: boolean;
}

/** Where a URL's requests go, parsed once. */
interface Target {
  origin: string;
  hostname: string;
  port: number;
  tls: boolean;
  /** The head's first two lines. */
  start: string;
}

/** Targets kept parsed: one per host and region in use. */
const MAX_TARGETS = 64;

/** A connection that closed before any byte of its reply, after waiting unused: the request is sent again on a new one. */
class Stale extends Error {}

export class Connections {
  private readonly kept = new Map<string, Socket<Link>[]>();
  private readonly targets = new Map<string, Target>();

  constructor(private readonly keptPerHost = KEPT_PER_HOST) {}

  /**
   * POSTs the message to `url` and resolves with the answer once its head has arrived. Rejects with the signal's
   * reason when it aborts (before or after the head: the body's reads reject then), and with an Error for a
   * connection that failed.
   */
  async post(url: string, headers: Record<string, string>, length: number, message: Message, signal: AbortSignal): Promise<Answer> {
    signal.throwIfAborted();
    const target = this.target(url);
    const head = requestHead(target, headers, length);
    const kept = this.kept.get(target.origin)?.pop();
    if (kept) {
      try {
        return await this.exchange(kept, head, message, signal);
      } catch (e) {
        if (!(e instanceof Stale)) throw e;
      }
    }
    return this.exchange(await this.connect(target, signal), head, message, signal);
  }

  private target(url: string): Target {
    let target = this.targets.get(url);
    if (target) return target;
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`${parsed.protocol} is not HTTP`);
    const tls = parsed.protocol === "https:";
    target = {
      origin: parsed.origin,
      hostname: parsed.hostname.replace(/^\[|\]$/g, ""),
      port: Number(parsed.port) || (tls ? 443 : 80),
      tls,
      start: `POST ${parsed.pathname}${parsed.search} HTTP/1.1\r\nhost: ${parsed.host}\r\n`,
    };
    if (this.targets.size >= MAX_TARGETS) this.targets.clear();
    this.targets.set(url, target);
    return target;
  }

  private exchange(socket: Socket<Link>, head: string, message: Message, signal: AbortSignal): Promise<Answer> {
    const link = socket.data;
    const exchange = new Exchange(socket, link.reused, (s) => this.keep(s));
    link.exchange = exchange;
    link.message = () => message(head);
    socket.ref();
    socket.timeout(0);
    if (link.ready) flush(socket);
    signal.addEventListener("abort", () => exchange.fail(signal.reason), ONCE);
    return exchange.answer;
  }

  private connect(target: Target, signal: AbortSignal): Promise<Socket<Link>> {
    const link: Link = { origin: target.origin, ready: false, exchange: undefined, message: undefined, unsent: undefined, reused: false };
    const connecting = Bun.connect<Link>({
      hostname: target.hostname,
      port: target.port,
      data: link,
      ...(target.tls ? { tls: { serverName: target.hostname } } : {}),
      // bun-types lets connect take only handlers of Buffers; binaryType is honoured all the same (connections.test.ts).
      socket: this.handlers as unknown as Bun.SocketHandler<Link>,
    });
    // An abort while connecting: the socket, once there, is closed; the caller hears the abort now.
    return new Promise((resolve, reject) => {
      const abort = () => reject(signal.reason);
      signal.addEventListener("abort", abort, ONCE);
      connecting.then(
        (socket) => {
          signal.removeEventListener("abort", abort);
          if (signal.aborted) socket.terminate();
          else resolve(socket);
        },
        (e: Error) => {
          signal.removeEventListener("abort", abort);
          reject(new Error(`could not connect to ${target.origin}: ${e.message}`));
        },
      );
    });
  }

  private keep(socket: Socket<Link>): void {
    const link = socket.data;
    link.exchange = undefined;
    link.reused = true;
    socket.timeout(IDLE_SECS);
    socket.unref();
    let sockets = this.kept.get(link.origin);
    if (!sockets) this.kept.set(link.origin, (sockets = []));
    if (sockets.length >= this.keptPerHost) return void socket.end();
    sockets.push(socket);
  }

  private forget(socket: Socket<Link>): void {
    const sockets = this.kept.get(socket.data.origin);
    const at = sockets?.indexOf(socket) ?? -1;
    if (at >= 0) sockets!.splice(at, 1);
  }

  private readonly handlers: Bun.SocketHandler<Link, "uint8array"> = {
    // Plain arrays, as a ByteReader hands them.
    binaryType: "uint8array",
    open: (socket) => {
      // A TLS connection takes writes once its handshake is done.
      if (socket.data.origin.startsWith("https:")) return;
      socket.data.ready = true;
      flush(socket);
    },
    handshake: (socket, success, error) => {
      if (!success) return socket.data.exchange?.fail(new Error(`TLS: ${error?.message ?? "the handshake failed"}`));
      socket.data.ready = true;
      flush(socket);
    },
    drain: flush,
    data: (socket, bytes) => socket.data.exchange?.receive(bytes),
    timeout: (socket) => {
      if (socket.data.exchange) return;
      this.forget(socket);
      socket.end();
    },
    error: (socket, error) => socket.data.exchange?.broke(error.message),
    end: (socket) => {
      socket.data.exchange?.closed();
      this.forget(socket);
    },
    close: (socket, error) => {
      const authorization = socket.data.ready ? null : socket.getAuthorizationError?.();
      if (authorization) socket.data.exchange?.fail(new Error(`TLS: ${authorization.message}`));
      else if (error) socket.data.exchange?.broke(error.message);
      else socket.data.exchange?.closed();
      this.forget(socket);
    },
  };
}

/** A POST's head; a value that would end its line is refused (a credential file's token is not trusted to be clean). */
function requestHead(target: Target, headers: Record<string, string>, length: number): string {
  let head = target.start;
  for (const name in headers) {
    const value = headers[name]!;
    if (value.includes("\n") || value.includes("\r")) throw new Error(`the ${name} header holds a line break`);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}content-length: ${length}\r\n\r\n`;
}

/** Writes what the link has not written yet; what the socket does not take is copied, since the message's view is not kept. */
function flush(socket: Socket<Link>): void {
  const link = socket.data;
  if (!link.ready) return;
  let bytes = link.unsent;
  // The rest of a view of the kept buffer is copied; the rest of a copy is a view of it.
  let own = true;
  if (!bytes && link.message) {
    const message = link.message;
    link.message = undefined;
    try {
      bytes = message();
    } catch (e) {
      // Called from a socket's event as well: what making the bytes throws (a freed string) fails the request.
      return link.exchange?.fail(e);
    }
    own = false;
  }
  if (!bytes) return;
  const written = socket.write(bytes);
  // -1: the connection can no longer be written to (a kept one then had gone stale), whatever event follows.
  if (written < 0) return link.exchange?.broke("the connection closed before the request was written");
  const rest = bytes.subarray(written);
  link.unsent = rest.length === 0 ? undefined : own ? rest : new Uint8Array(rest);
}

type Framing = "length" | "chunked" | "close" | "none";

/** A byte's value as a hexadecimal digit, or -1. */
function hexDigit(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** One request on one connection: the head parsed as it arrives, then the body handed to its reader. */
class Exchange implements Answer, ByteReader {
  readonly answer: Promise<Answer>;
  readonly body: ByteReader = this;
  status = 0;
  /** The head's header lines, each ending in CRLF, the first one after the status line; and the same in lower case, to find names in. */
  private headText = "";
  private names = "";
  private settleAnswer!: { resolve: (a: Answer) => void; reject: (e: unknown) => void };
  private head: Buffer | undefined;
  private headDone = false;
  private framing: Framing = "none";
  /** Bytes left: of the body (length), of the chunk (chunked), of the CRLF after a chunk. */
  private left = 0;
  private chunkPhase: "size" | "data" | "crlf" | "trailer" = "size";
  private sizeDigits = 0;
  private inExtension = false;
  private lineBytes = 0;
  private reusable = true;
  private received = 0;
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private paused = false;
  private ended = false;
  private error: unknown;
  private waiting: { resolve: (r: ReadableStreamReadResult<Uint8Array>) => void; reject: (e: unknown) => void } | undefined;

  constructor(
    private socket: Socket<Link> | undefined,
    private readonly reused: boolean,
    private readonly release: (socket: Socket<Link>) => void,
  ) {
    this.answer = new Promise((resolve, reject) => (this.settleAnswer = { resolve, reject }));
  }

  /** The named header's value (lower-case name), its first line when there are several. */
  header(name: string): string | null {
    const at = this.names.indexOf(`\r\n${name}:`);
    if (at < 0) return null;
    const from = at + name.length + 3;
    return this.headText.slice(from, this.headText.indexOf("\r\n", from)).trim();
  }

  /** Everything that has arrived unread, as one chunk (a reader behind its reply catches up at once); the end or the failure once nothing is left. */
  read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    if (this.queue.length) return Promise.resolve({ done: false, value: this.take() });
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  private take(): Uint8Array {
    const value = this.queue.length === 1 ? this.queue[0]! : joinedBytes(this.queue, this.queued);
    this.queue.length = 0;
    this.queued = 0;
    if (this.paused) {
      this.paused = false;
      this.socket?.resume();
    }
    return value;
  }

  /** Hands the waiting reader what there is: the bytes that arrived, else the failure, else the end. */
  private wake(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    if (this.queue.length) {
      this.waiting = undefined;
      return waiting.resolve({ done: false, value: this.take() });
    }
    if (this.error === undefined && !this.ended) return;
    this.waiting = undefined;
    if (this.error !== undefined) waiting.reject(this.error);
    else waiting.resolve({ done: true, value: undefined });
  }

  /** The reader leaves early: the rest of the reply is not wanted, and the connection cannot carry another. */
  cancel(): Promise<void> {
    this.queue.length = 0;
    if (!this.ended && this.error === undefined) {
      this.ended = true;
      this.drop();
    }
    return Promise.resolve();
  }

  /** The connection failed: on a kept one before any byte of the reply, it had gone stale while unused. */
  broke(message: string): void {
    this.fail(this.reused && this.received === 0 ? new Stale(message) : new Error(message));
  }

  fail(error: unknown): void {
    if (this.ended || this.error !== undefined) return;
    this.error = error;
    this.drop();
    if (!this.headDone) return this.settleAnswer.reject(this.error);
    this.wake();
  }

  /** The server closed its side: the end of a body read until close, a failure anywhere else. */
  closed(): void {
    if (this.headDone && this.framing === "close") return this.finish(false);
    this.broke(this.headDone ? "the connection closed before the reply ended" : "the connection closed before Kiro answered");
  }

  receive(bytes: Uint8Array): void {
    if (this.ended || this.error !== undefined) return;
    this.received += bytes.length;
    let from = 0;
    if (!this.headDone) {
      from = this.readHead(bytes);
      if (from < 0) return;
    }
    if (this.framing === "chunked") this.readChunks(bytes, from);
    else if (from < bytes.length) this.deliver(bytes.subarray(from));
    if (this.framing === "length" && this.left === 0) this.finish(true);
    else if (this.framing === "none") this.finish(from === bytes.length);
  }

  /** Parses the head once it is whole; returns where the body begins in `bytes`, or -1 while the head is incomplete. */
  private readHead(bytes: Uint8Array): number {
    const previous = this.head?.length ?? 0;
    const all = this.head ? Buffer.concat([this.head, bytes]) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const end = all.indexOf(CRLF_CRLF);
    if (end < 0) {
      if (all.length > MAX_HEAD) this.fail(new Error("the reply's head is too long"));
      else this.head = Buffer.from(all);
      return -1;
    }
    this.head = undefined;
    // "HTTP/1.x NNN": the status's digits read in place.
    const code = all.compare(HTTP_1, 0, 7, 0, 7) === 0 && all[8] === 32 ? (all[9]! - 48) * 100 + (all[10]! - 48) * 10 + (all[11]! - 48) : NaN;
    if (!(code >= 100 && code <= 599)) {
      this.fail(new Error(`the reply is not HTTP/1.1: ${JSON.stringify(all.toString("latin1", 0, Math.min(end, 40)))}`));
      return -1;
    }
    const rest = end + 4 - previous;
    // An interim answer (100 Continue) comes before the real one.
    if (code < 200) {
      const after = rest < bytes.length ? this.readHead(bytes.subarray(rest)) : -1;
      return after < 0 ? -1 : rest + after;
    }
    this.status = code;
    this.headText = all.toString("latin1", 0, end + 2);
    this.names = this.headText.toLowerCase();
    const encoding = this.header("content-encoding");
    if (encoding && encoding.toLowerCase() !== "identity") {
      this.fail(new Error(`the reply came in the ${encoding} encoding, which was not asked for`));
      return -1;
    }
    if (/\r\nconnection:[^\r]*close/.test(this.names)) this.reusable = false;
    const length = this.header("content-length");
    if (code === 204 || code === 304) this.framing = "none";
    else if (/\r\ntransfer-encoding:[^\r]*chunked/.test(this.names)) this.framing = "chunked";
    else if (length !== null && /^\d+$/.test(length)) {
      this.left = Number(length);
      this.framing = this.left === 0 ? "none" : "length";
    } else {
      this.framing = "close";
      this.reusable = false;
    }
    this.headDone = true;
    this.settleAnswer.resolve(this);
    return rest;
  }

  /**
   * The chunked body (RFC 9112 §7.1), byte by byte at the seams: a size in hexadecimal (extensions after it are
   * stepped over), its data and CRLF; a size of 0, then trailer lines up to an empty one.
   */
  private readChunks(bytes: Uint8Array, from: number): void {
    let at = from;
    while (at < bytes.length && !this.ended && this.error === undefined) {
      if (this.chunkPhase === "data") {
        const take = Math.min(this.left, bytes.length - at);
        this.deliver(bytes.subarray(at, at + take));
        at += take;
        this.left -= take;
        if (this.left === 0) this.chunkPhase = "crlf";
        continue;
      }
      const byte = bytes[at++]!;
      if (this.chunkPhase === "crlf") {
        if (byte === 10) this.chunkPhase = "size";
        else if (byte !== 13) return this.fail(new Error("a chunk does not end where its size said"));
        continue;
      }
      if (byte === 10) {
        if (this.chunkPhase === "trailer") {
          if (this.lineBytes === 0) this.finish(at === bytes.length);
          this.lineBytes = 0;
          continue;
        }
        if (this.sizeDigits === 0) return this.fail(new Error("a chunk's size is missing"));
        this.chunkPhase = this.left === 0 ? "trailer" : "data";
        this.sizeDigits = 0;
        this.inExtension = false;
        this.lineBytes = 0;
        continue;
      }
      if (byte === 13) continue;
      if (this.chunkPhase === "trailer") {
        this.lineBytes++;
        continue;
      }
      const digit = this.inExtension ? -1 : hexDigit(byte);
      if (digit < 0) {
        if (this.sizeDigits === 0 || (byte !== 59 && byte !== 32 && byte !== 9 && !this.inExtension)) return this.fail(new Error("a chunk's size is not hexadecimal"));
        this.inExtension = true;
        continue;
      }
      if (++this.sizeDigits > 12) return this.fail(new Error("a chunk's size is too large"));
      this.left = this.left * 16 + digit;
    }
  }

  private deliver(value: Uint8Array): void {
    if (value.length === 0) return;
    if (this.framing === "length") {
      if (value.length > this.left) {
        this.reusable = false;
        value = value.subarray(0, this.left);
      }
      this.left -= value.length;
    }
    this.queue.push(value);
    this.queued += value.length;
    if (this.waiting) return this.wake();
    if (!this.paused && this.queued > HIGH_WATER) {
      this.paused = true;
      this.socket?.pause();
    }
  }

  /** The body is whole: the reader hears its end, and the connection goes back to be kept when it can carry another. */
  private finish(clean: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    // A reply that came before the whole request was written (an early refusal) leaves the connection unfit too.
    if (!clean || !this.reusable || socket.data.unsent || socket.data.message) return socket.terminate();
    if (this.paused) socket.resume();
    this.release(socket);
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.data.exchange = undefined;
      socket.terminate();
    }
  }
}

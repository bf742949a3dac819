/**
 * A Kiro upstream on loopback that speaks the real wire protocol: generateAssistantResponse with scripted
 * event-stream replies, token refresh (social and OIDC), the SSO-cookie import, getUsageLimits and
 * ListAvailableModels — all on one base URL, matched by path suffix so a test may add a prefix.
 * It refuses what real Kiro refuses, the way Kiro refuses it; it shares no code with the gateway.
 */
import type { Server } from "bun";
import { AccountBook, type SimAccount, type SimAccountInit } from "./accounts";
import { identifyCaller } from "./bearer";
import { admitChat, echoReply } from "./chat";
import { type Answer, IdentityService } from "./identity";
import { type Chunking, encodeStep, play } from "./playback";
import { Random } from "./random";
import { improperlyFormed, internal, invalidBearer, pause, type Reply, reset, type StreamReply, throttled } from "./replies";
import { mcpAnswer } from "./mcp";
import { modelsBody, usageLimitsBody } from "./usage";
import { KNOWN_MODEL_IDS } from "./validate";

export type { SimAccount, SimAccountInit } from "./accounts";
export type { Chunking } from "./playback";
export * from "./replies";

export interface SimulatorOptions {
  port?: number;
  hostname?: string;
  /** Lifetime of issued access tokens (default 3600). */
  accessTokenTtlSecs?: number;
  /** How stream bytes are written (default "random": 1..128-byte pieces, frames split anywhere). */
  chunking?: Chunking;
  /** Seed of every random choice (chunk sizes, faults, cut points); default 1. */
  seed?: number;
  accounts?: SimAccountInit[];
  /** Bodies larger than this get 400 "Input is too long." (default 600 000 bytes, as Kiro's ~600 KB). */
  maxConversationBytes?: number;
  /** Only the newest requests are kept in `requests` (default 10 000). */
  maxRecordedRequests?: number;
  /** The model ids Kiro lists and accepts (default KNOWN_MODEL_IDS): a newer Kiro's, for instance. */
  models?: readonly string[];
  /** ListAvailableModels answers this many models a page, with a nextToken for the rest (default: all at once). */
  modelsPageSize?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** Parsed JSON, or the raw text when the body is not JSON (undefined when empty). */
  body: unknown;
  /** Size of the body as sent, in bytes. */
  bodyBytes: number;
  /** The account the request was made with, when the simulator could tell. */
  account?: string;
  at: number;
  /** The status answered (0 when the connection was reset before any answer). */
  status?: number;
  /** Why the request was refused: the rule broken, for diagnosing a 400/402/403. */
  rejectedBy?: string;
  /** True when the client stopped reading a stream before it ended. */
  clientAborted?: boolean;
}

export type FaultKind = "429" | "500" | "403" | "reset" | "cut" | "stall" | "silent";

export interface FaultOptions {
  /** Share of admitted chat calls answered with a fault instead of their reply (0..1). */
  rate: number;
  kinds?: FaultKind[];
  /** How long a "stall" fault pauses mid-stream, and a "silent" one before the headers (default 2000 ms). */
  stallMs?: number;
}

const ALL_FAULTS: FaultKind[] = ["429", "500", "403", "reset", "cut", "stall", "silent"];

export class KiroSimulator {
  readonly requests: RecordedRequest[] = [];
  private readonly book: AccountBook;
  private readonly identity: IdentityService;
  private readonly random: Random;
  private readonly chunking: Chunking;
  private readonly maxConversationBytes: number;
  private readonly maxRecorded: number;
  private readonly modelIds: readonly string[];
  private readonly modelsPageSize: number;
  private readonly queue: Reply[] = [];
  private readonly accountQueues = new Map<string, Reply[]>();
  private defaultReply: (req: RecordedRequest) => Reply = echoReply;
  private faults: FaultOptions | null = null;
  private readonly stopping = new AbortController();
  private server!: Server<undefined>;

  /** Matched by path suffix; "/device_authorization/…" comes before "/device_authorization". */
  private readonly routes: Array<[method: string, suffix: string, handle: (req: RecordedRequest) => Response | Promise<Response>]> = [
    ["POST", "/generateAssistantResponse", (req) => this.chat(req)],
    ["GET", "/getUsageLimits", (req) => this.usageLimits(req)],
    ["GET", "/ListAvailableModels", (req) => this.models(req)],
    ["POST", "/mcp", (req) => this.mcp(req)],
    ["POST", "/refreshToken", (req) => this.answer(this.identity.refreshSocial(req.body), req)],
    ["POST", "/token", (req) => this.answer(this.identity.createToken(req.body), req)],
    ["POST", "/client/register", (req) => this.answer(this.identity.registerClient(req.body), req)],
    ["POST", "/device_authorization/accept_user_code", (req) => this.answer(this.identity.acceptUserCode(req.body), req)],
    ["POST", "/device_authorization/associate_token", (req) => this.answer(this.identity.associateToken(req.body), req)],
    ["POST", "/device_authorization", (req) => this.answer(this.identity.authorizeDevice(req.body), req)],
    ["GET", "/token/whoAmI", (req) => this.answer(this.identity.whoAmI(req.headers), req)],
    ["POST", "/session/device", (req) => this.answer(this.identity.openDeviceSession(req.headers), req)],
  ];

  private constructor(opts: SimulatorOptions) {
    this.book = new AccountBook(opts.accessTokenTtlSecs ?? 3600);
    this.identity = new IdentityService(this.book);
    this.random = new Random(opts.seed ?? 1);
    this.chunking = opts.chunking ?? "random";
    this.maxConversationBytes = opts.maxConversationBytes ?? 600_000;
    this.maxRecorded = opts.maxRecordedRequests ?? 10_000;
    this.modelIds = opts.models ?? KNOWN_MODEL_IDS;
    this.modelsPageSize = opts.modelsPageSize ?? Number.POSITIVE_INFINITY;
    for (const a of opts.accounts ?? []) this.book.add(a);
  }

  static async start(opts: SimulatorOptions = {}): Promise<KiroSimulator> {
    const sim = new KiroSimulator(opts);
    sim.server = Bun.serve({
      hostname: opts.hostname ?? "127.0.0.1",
      port: opts.port ?? 0,
      reusePort: false,
      // A scripted stall must last as long as the script says, not Bun's idle limit.
      idleTimeout: 0,
      fetch: (req) => sim.handle(req),
    });
    return sim;
  }

  /** The one base URL of every endpoint, e.g. "http://127.0.0.1:41234". */
  get url(): string {
    return `http://${this.server.hostname}:${this.server.port}`;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.server.stop(true);
  }

  addAccount(a: SimAccountInit): SimAccount {
    return this.book.add(a);
  }

  account(refreshTokenOrName: string): SimAccount | undefined {
    return this.book.byName(refreshTokenOrName) ?? this.book.byRefreshToken(refreshTokenOrName);
  }

  enqueue(...replies: Reply[]): void {
    this.queue.push(...replies);
  }

  enqueueFor(accountName: string, ...replies: Reply[]): void {
    const queue = this.accountQueues.get(accountName) ?? [];
    queue.push(...replies);
    this.accountQueues.set(accountName, queue);
  }

  setDefaultReply(r: Reply | ((req: RecordedRequest) => Reply)): void {
    this.defaultReply = typeof r === "function" ? r : () => r;
  }

  setFaults(f: FaultOptions | null): void {
    this.faults = f;
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** A valid `x-amz-sso_authn` portal cookie value for the SSO import flow. */
  createSsoToken(email?: string): string {
    return this.identity.createSsoToken(email);
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const bytes = await request.arrayBuffer();
    const raw = new TextDecoder().decode(bytes);
    const req: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(request.headers),
      body: parseBody(raw),
      bodyBytes: bytes.byteLength,
      at: Date.now(),
    };
    this.requests.push(req);
    if (this.requests.length > this.maxRecorded) this.requests.shift();

    const route = this.routes.find(([method, suffix]) => method === request.method && url.pathname.endsWith(suffix));
    const response = route ? await route[2](req) : json({ status: 404, body: { message: "Not Found" } });
    req.status ??= response.status;
    return response;
  }

  private async chat(req: RecordedRequest): Promise<Response> {
    const admission = admitChat(this.book, req, this.maxConversationBytes, this.modelIds);
    req.account = admission.account?.name;
    if (!admission.admitted) {
      req.rejectedBy = admission.why;
      return this.play(admission.reply, req);
    }
    const account = admission.account;
    const reply = this.injectFault(req) ?? this.nextReply(account.name, req);
    if (reply.kind === "stream") account.currentUsage += 1;
    return this.play(reply, req);
  }

  private nextReply(accountName: string, req: RecordedRequest): Reply {
    return this.accountQueues.get(accountName)?.shift() ?? this.queue.shift() ?? this.defaultReply(req);
  }

  /** A fault in place of the reply; queued replies are left for the next call. */
  private injectFault(req: RecordedRequest): Reply | undefined {
    const f = this.faults;
    if (!f || this.random.next() >= f.rate) return undefined;
    const kind = this.random.pick(f.kinds?.length ? f.kinds : ALL_FAULTS);
    req.rejectedBy = `fault: ${kind}`;
    switch (kind) {
      case "429":
        return throttled();
      case "500":
        return internal();
      case "403":
        return invalidBearer();
      case "reset":
        return reset();
      case "cut":
        return this.cutMidFrame(this.defaultStream(req));
      case "stall": {
        const base = this.defaultStream(req);
        return { ...base, steps: [...base.steps.slice(0, 1), pause(f.stallMs ?? 2000), ...base.steps.slice(1)] };
      }
      case "silent":
        // The call is accepted and nothing comes back, not even the status line, until the reply starts late.
        return { ...this.defaultStream(req), stallBeforeMs: f.stallMs ?? 2000 };
    }
  }

  /** The default reply when it is a stream (the echo otherwise), for faults that damage a stream. */
  private defaultStream(req: RecordedRequest): StreamReply {
    const reply = this.defaultReply(req);
    return reply.kind === "stream" ? reply : echoReply(req);
  }

  /** The same stream, dropped inside a frame after at least one whole frame arrived. */
  private cutMidFrame(reply: StreamReply): StreamReply {
    const sizes = reply.steps.flatMap((s) => (s.type === "pause" ? [] : [encodeStep(s).length]));
    const frame = this.random.int(Math.min(1, sizes.length - 1), sizes.length - 1);
    const before = sizes.slice(0, frame).reduce((a, b) => a + b, 0);
    return { ...reply, cutAfterBytes: before + this.random.int(1, (sizes[frame] ?? 2) - 1) };
  }

  private play(reply: Reply, req: RecordedRequest): Promise<Response> {
    if (reply.kind === "reset") req.status = 0;
    return play(reply, {
      chunking: this.chunking,
      random: this.random,
      signal: this.stopping.signal,
      onClientGone: () => {
        req.clientAborted = true;
      },
    });
  }

  private answer(a: Answer, req: RecordedRequest): Response {
    req.account ??= a.account;
    return json(a);
  }

  private usageLimits(req: RecordedRequest): Response {
    const caller = identifyCaller(this.book, req.headers, req.query.profileArn);
    req.account = caller.account?.name;
    if (!caller.ok) return json({ status: 403, body: invalidBearer().body });
    if (req.query.origin === undefined || req.query.resourceType === undefined) {
      return json({ status: 400, body: improperlyFormed().body });
    }
    return json({ status: 200, body: usageLimitsBody(caller.account, req.query.isEmailRequired === "true") });
  }

  private mcp(req: RecordedRequest): Response {
    const caller = identifyCaller(this.book, req.headers, req.headers["x-amzn-kiro-profile-arn"]);
    req.account = caller.account?.name;
    if (!caller.ok) return json({ status: 403, body: invalidBearer().body });
    return json({ status: 200, body: mcpAnswer(req.body) });
  }

  private models(req: RecordedRequest): Response {
    const caller = identifyCaller(this.book, req.headers, req.query.profileArn);
    req.account = caller.account?.name;
    if (!caller.ok) return json({ status: 403, body: invalidBearer().body });
    if (req.query.origin === undefined) return json({ status: 400, body: improperlyFormed().body });
    const from = Number(req.query.nextToken ?? 0);
    if (!Number.isInteger(from) || from < 0) return json({ status: 400, body: improperlyFormed().body });
    const to = from + this.modelsPageSize;
    const page = modelsBody(this.modelIds.slice(from, to));
    return json({ status: 200, body: to < this.modelIds.length ? { ...page, nextToken: String(to) } : page });
  }
}

function parseBody(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function json(a: Answer): Response {
  return Response.json(a.body, { status: a.status, headers: { "x-amzn-requestid": crypto.randomUUID() } });
}

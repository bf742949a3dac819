/**
 * A Kiro upstream on loopback that speaks the real wire protocol: generateAssistantResponse with scripted
 * event-stream replies, token refresh (social and OIDC), the SSO-cookie import, getUsageLimits,
 * ListAvailableModels and ListAvailableProfiles — all on one base URL. REST calls are matched by path suffix so a
 * test may add a prefix; awsJson calls (`POST /` with `x-amz-target`, kiro-protocol-2026.md §1.2) by their target,
 * and a prefix naming a host (forms.ts) makes the simulator answer as that host does.
 * It refuses what real Kiro refuses, the way Kiro refuses it; it shares no code with the gateway.
 */
import type { Server } from "bun";
import { AccountBook, type SimAccount, type SimAccountInit, type SimAccountState } from "./accounts";
import { accountOf, identifyCaller } from "./bearer";
import { modelsBody } from "./catalog";
import { admitChat, echoReply } from "./chat";
import { AWS_JSON, type Form, type FormBlock, FormBlocks, hostOf, hostServes, type Operation, operationOf } from "./forms";
import { type Answer, IdentityService } from "./identity";
import { type Chunking, encodeStep, play } from "./playback";
import { Random } from "./random";
import { ReasoningSigner } from "./reasoning";
import {
  accessDenied,
  builderIdNotSupported,
  exceptionEnvelope,
  type HttpErrorReply,
  httpError,
  improperlyFormed,
  internal,
  invalidBearer,
  modelCapacity,
  modelUnavailable,
  overageExhausted,
  pause,
  type Reply,
  reset,
  type StreamReply,
  suspended,
  suspiciousActivity,
  throttled,
  unknownOperation,
  withoutTail,
} from "./replies";
import { mcpAnswer } from "./mcp";
import { usageLimitsBody, userIdOf } from "./usage";
import { KNOWN_MODEL_IDS, KNOWN_ORIGINS } from "./validate";

export type { SimAccount, SimAccountInit } from "./accounts";
export type { Chunking } from "./playback";
export type { Form, FormBlock, HostFamily } from "./forms";
export { TARGETS } from "./forms";
export { catalogEntry, LATE_2026_MODEL_IDS, modelFacts } from "./catalog";
export { DEMO_PROMPTS } from "./demo-prompts";
export { signedReasoning } from "./reasoning";
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
  /** Every account keeps its previous refresh token valid until the newest is used (default false: no grace). */
  refreshGrace?: boolean;
  /** The default reply's metadataEvent carries tokenUsage (kiro-protocol-2026.md §4.1, unconfirmed; default false). */
  tokenUsage?: boolean;
  /** GPT-5.6's context window: 1M (default, since 2026-09-14) or 272 000 (before, or an account not yet rolled out). */
  gptContextWindow?: number;
  /** The legacy REST form also refuses a call without profileArn, as the addendum reports of q.* (default false). */
  profileArnRequiredOnLegacy?: boolean;
  /** The REST path on the runtime host is deprecated: REQUEST_BODY_INVALID (9R #3774, unconfirmed; default false). */
  restOnRuntimeRefused?: boolean;
  /**
   * The user agent is load-bearing (KCF, unconfirmed; default false): an awsJson call whose headers are not the
   * self-consistent set of its target's client (§1.3) is refused as a bad bearer token.
   */
  clientHeadersRequired?: boolean;
  /** Replayed reasoning is judged, its form and its signatures (default true); false lets any block pass. */
  checkReasoningSignatures?: boolean;
  /** Forms out of order from the start (see `blockForm`). */
  formBlocks?: Array<FormBlock & { form: Form }>;
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
  /** The encoding of a Kiro API call: the REST path or awsJson (`x-amz-target`). */
  form?: Form;
  /** The awsJson target, as sent. */
  target?: string;
}

/**
 * The classic faults, picked when `kinds` is not given, and the late-2026 ones, only when named:
 * "truncated" ends cleanly before the tail (§4.1), "suspended"/"suspicious"/"capacity"/"unavailable"/"overage"
 * answer the §6 bodies (with Retry-After 7 on 429s and 5 on the 500, as K2C observed), "envelope" a 200 with a JSON
 * exception envelope (§1.2).
 */
export type FaultKind =
  | "429"
  | "500"
  | "403"
  | "reset"
  | "cut"
  | "stall"
  | "silent"
  | "truncated"
  | "suspended"
  | "suspicious"
  | "capacity"
  | "unavailable"
  | "overage"
  | "envelope";

export interface FaultOptions {
  /** Share of admitted chat calls answered with a fault instead of their reply (0..1). */
  rate: number;
  kinds?: FaultKind[];
  /** How long a "stall" fault pauses mid-stream, and a "silent" one before the headers (default 2000 ms). */
  stallMs?: number;
}

const CLASSIC_FAULTS: FaultKind[] = ["429", "500", "403", "reset", "cut", "stall", "silent"];

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
  private readonly opts: SimulatorOptions;
  private readonly signer = new ReasoningSigner();
  private readonly blocks = new FormBlocks();
  private readonly queue: Reply[] = [];
  private readonly accountQueues = new Map<string, Reply[]>();
  private defaultReply: (req: RecordedRequest) => Reply = (req) =>
    echoReply(req, { signer: this.signer, catalog: this.catalog, tokenUsage: this.opts.tokenUsage });
  private faults: FaultOptions | null = null;
  private readonly stopping = new AbortController();
  private server!: Server<undefined>;

  /** Matched by path suffix; "/device_authorization/…" comes before "/device_authorization". */
  private readonly routes: Array<[method: string, suffix: string, handle: (req: RecordedRequest) => Response | Promise<Response>]> = [
    ["POST", "/generateAssistantResponse", (req) => this.chat(req, "rest")],
    ["GET", "/getUsageLimits", (req) => this.usageLimits(req)],
    ["GET", "/ListAvailableModels", (req) => this.models(req)],
    ["POST", "/mcp", (req) => this.mcp(req)],
    ["POST", "/refreshToken", (req) => this.afterRotation(this.identity.refreshSocial(req.body), req)],
    ["POST", "/token", (req) => this.afterRotation(this.identity.createToken(req.body), req)],
    ["POST", "/client/register", (req) => this.answer(this.identity.registerClient(req.body), req)],
    ["POST", "/device_authorization/accept_user_code", (req) => this.answer(this.identity.acceptUserCode(req.body), req)],
    ["POST", "/device_authorization/associate_token", (req) => this.answer(this.identity.associateToken(req.body), req)],
    ["POST", "/device_authorization", (req) => this.answer(this.identity.authorizeDevice(req.body), req)],
    ["GET", "/token/whoAmI", (req) => this.answer(this.identity.whoAmI(req.headers), req)],
    ["POST", "/session/device", (req) => this.answer(this.identity.openDeviceSession(req.headers), req)],
  ];

  /**
   * How long a token answer takes to travel back after the refresh token was rotated: the moment in which a
   * client holds nothing but the old, dead token. Tests widen it to race reloads and other processes against it.
   */
  refreshAnswerDelayMs = 0;

  private async afterRotation(answer: Answer, req: RecordedRequest): Promise<Response> {
    if (this.refreshAnswerDelayMs > 0) await Bun.sleep(this.refreshAnswerDelayMs);
    return this.answer(answer, req);
  }

  private constructor(opts: SimulatorOptions) {
    this.opts = opts;
    this.book = new AccountBook(opts.accessTokenTtlSecs ?? 3600, opts.refreshGrace ?? false);
    this.identity = new IdentityService(this.book);
    this.random = new Random(opts.seed ?? 1);
    this.chunking = opts.chunking ?? "random";
    this.maxConversationBytes = opts.maxConversationBytes ?? 600_000;
    this.maxRecorded = opts.maxRecordedRequests ?? 10_000;
    this.modelIds = opts.models ?? KNOWN_MODEL_IDS;
    this.modelsPageSize = opts.modelsPageSize ?? Number.POSITIVE_INFINITY;
    for (const a of opts.accounts ?? []) this.book.add(a);
    for (const { form, ...block } of opts.formBlocks ?? []) this.blocks.block(form, block);
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

  /**
   * One encoding out of order while the other serves (§1.7: separate throttle pools per host): its calls are
   * answered with `status` (429 throttled, 403 bearer refused, 404 not served), for every account or one.
   */
  blockForm(form: Form, block: FormBlock): void {
    this.blocks.block(form, block);
  }

  unblockForm(form: Form): void {
    this.blocks.unblock(form);
  }

  /** A signature this simulator accepts when `shownText` is replayed with it (for scripted reasoning frames). */
  signReasoning(shownText: string): string {
    return this.signer.sign(shownText);
  }

  /** A GPT-5.6 redacted reasoning blob this simulator accepts when replayed. */
  redactedReasoningBlob(): string {
    return this.signer.redactedBlob();
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
    const target = req.headers["x-amz-target"];
    const response = route
      ? await route[2](req)
      : request.method === "POST" && target !== undefined
        ? await this.awsJson(req, target)
        : json({ status: 404, body: { message: "Not Found" } });
    req.status ??= response.status;
    return response;
  }

  private get catalog() {
    return { gptContextWindow: this.opts.gptContextWindow };
  }

  /** An awsJson call (`POST /`, §1.2, §1.6): dispatched by target, refused as the host refuses what it does not serve. */
  private awsJson(req: RecordedRequest, target: string): Response | Promise<Response> {
    req.form = "awsJson";
    req.target = target;
    const op = operationOf(target);
    if (!op || !hostServes(hostOf(req.path), op)) return this.refuse(req, unknownOperation(), `awsJson: ${target} is not served here`);
    if (!(req.headers["content-type"] ?? "").startsWith(AWS_JSON)) {
      return this.refuse(req, httpError(400, { __type: "com.amazon.coral.service#SerializationException", message: null }), "awsJson: content-type");
    }
    const handlers: Record<Operation, (req: RecordedRequest) => Response | Promise<Response>> = {
      generateAssistantResponse: (r) => this.chat(r, "awsJson"),
      invokeMcp: (r) => this.mcp(r),
      listAvailableModels: (r) => this.models(r, { ...r.query, ...stringMembers(r.body) }),
      listAvailableProfiles: (r) => this.profiles(r),
      getUsageLimits: (r) => this.usageLimits(r, { ...r.query, ...stringMembers(r.body) }),
    };
    return handlers[op](req);
  }

  private async chat(req: RecordedRequest, form: Form): Promise<Response> {
    req.form = form;
    const host = hostOf(req.path);
    if (form === "awsJson" && this.opts.clientHeadersRequired && !headersFitTarget(req.headers, req.target ?? "")) {
      req.account = accountOf(this.book, req.headers)?.name;
      return this.refuse(req, invalidBearer(), "headers: not the header set of the target's client");
    }
    const block = this.blocks.take(form, accountOf(this.book, req.headers)?.name);
    if (block) return this.refuse(req, blockedReply(block, form), `form blocked: ${form} answers ${block.status}`);
    const admission = admitChat(this.book, req, {
      form,
      host,
      maxConversationBytes: this.maxConversationBytes,
      models: this.modelIds,
      catalog: this.catalog,
      signer: this.opts.checkReasoningSignatures === false ? undefined : this.signer,
      profileArnRequiredOnLegacy: this.opts.profileArnRequiredOnLegacy ?? false,
      restOnRuntimeRefused: this.opts.restOnRuntimeRefused ?? false,
    });
    req.account = admission.account?.name;
    if (!admission.admitted) return this.refuse(req, admission.reply, admission.why);
    const account = admission.account;
    const reply = this.injectFault(req, account) ?? this.nextReply(account.name, req);
    if (reply.kind === "stream") account.currentUsage += 1;
    return this.play(reply, req);
  }

  private refuse(req: RecordedRequest, reply: Reply, why: string): Promise<Response> {
    req.rejectedBy = why;
    return this.play(reply, req);
  }

  private nextReply(accountName: string, req: RecordedRequest): Reply {
    return this.accountQueues.get(accountName)?.shift() ?? this.queue.shift() ?? this.defaultReply(req);
  }

  /** A fault in place of the reply; queued replies are left for the next call. */
  private injectFault(req: RecordedRequest, account: SimAccountState): Reply | undefined {
    const f = this.faults;
    if (!f || this.random.next() >= f.rate) return undefined;
    const kind = this.random.pick(f.kinds?.length ? f.kinds : CLASSIC_FAULTS);
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
      case "truncated":
        return withoutTail(this.defaultStream(req));
      case "suspended":
        return suspended(userIdOf(account));
      case "suspicious":
        return suspiciousActivity(userIdOf(account), 7);
      case "capacity":
        return modelCapacity(7);
      case "unavailable":
        return modelUnavailable(5);
      case "overage":
        return overageExhausted();
      case "envelope":
        return exceptionEnvelope();
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

  /**
   * Who may read the control plane: the caller, or the refusal. The management host says 400 AccessDenied to a
   * bad token (§1.6); q.* says 403. A legacy REST GET carrying an IdC account's resolved ARN is malformed (§1.5).
   */
  private controlPlaneCaller(req: RecordedRequest, profileArn: unknown): { account: SimAccountState } | { refusal: Response } {
    const caller = identifyCaller(this.book, req.headers, profileArn);
    req.account = caller.account?.name;
    if (caller.ok && req.form !== "awsJson" && caller.account.authMethod === "idc" && profileArn !== undefined) {
      return { refusal: json({ status: 400, body: { message: "Improperly formed request." } }) };
    }
    if (caller.ok) return { account: caller.account };
    const management = req.form === "awsJson" && hostOf(req.path) !== "q" && hostOf(req.path) !== "codewhisperer";
    return { refusal: answerOf(management ? accessDenied() : invalidBearer()) };
  }

  private usageLimits(req: RecordedRequest, params: Record<string, string | boolean> = req.query): Response {
    const caller = this.controlPlaneCaller(req, params.profileArn);
    if ("refusal" in caller) return caller.refusal;
    if (req.form !== "awsJson" && (params.origin === undefined || params.resourceType === undefined)) {
      return json({ status: 400, body: improperlyFormed().body });
    }
    const emails = params.isEmailRequired === "true" || params.isEmailRequired === true;
    return json({ status: 200, body: usageLimitsBody(caller.account, emails) });
  }

  private mcp(req: RecordedRequest): Response {
    const caller = identifyCaller(this.book, req.headers, req.headers["x-amzn-kiro-profile-arn"]);
    req.account = caller.account?.name;
    if (!caller.ok) return json({ status: 403, body: invalidBearer().body });
    return json({ status: 200, body: mcpAnswer(req.body) });
  }

  /** ListAvailableModels: the REST GET of q.* or the awsJson POST of the management host, paged, per account. */
  private models(req: RecordedRequest, params: Record<string, string | boolean> = req.query): Response {
    const caller = this.controlPlaneCaller(req, params.profileArn);
    if ("refusal" in caller) return caller.refusal;
    const awsJson = req.form === "awsJson";
    if (params.origin === undefined || (awsJson && !KNOWN_ORIGINS.includes(String(params.origin)))) {
      return json({ status: 400, body: awsJson ? { __type: "ValidationException", message: "Invalid origin" } : improperlyFormed().body });
    }
    // The control plane wants the profile the listing is for; an API key has none (§1.6).
    if (awsJson && params.profileArn === undefined && caller.account.authMethod !== "api_key") {
      return json({ status: 400, body: { __type: "ValidationException", message: "Invalid profileArn" } });
    }
    const from = Number(params.nextToken ?? 0);
    if (!Number.isInteger(from) || from < 0) return json({ status: 400, body: improperlyFormed().body });
    const open = caller.account.models;
    const ids = open ? this.modelIds.filter((id) => open.includes(id)) : this.modelIds;
    const to = from + this.modelsPageSize;
    const page = modelsBody(ids.slice(from, to), this.catalog);
    return json({ status: 200, body: to < ids.length ? { ...page, nextToken: String(to) } : page });
  }

  /** ListAvailableProfiles (§1.6): the caller's profile; a Builder ID has none to list. */
  private profiles(req: RecordedRequest): Response {
    const caller = this.controlPlaneCaller(req, undefined);
    if ("refusal" in caller) return caller.refusal;
    const account = caller.account;
    if (account.authMethod === "idc" && account.listedProfileArn === undefined) return answerOf(builderIdNotSupported());
    const arn = account.profileArn ?? account.listedProfileArn;
    const profiles = arn
      ? [{ arn, profileName: `KiroProfile-${account.region}`, identityDetails: { ssoIdentityDetails: { ssoRegion: account.region } } }]
      : [];
    return json({ status: 200, body: { profiles, nextToken: null } });
  }
}

/** What a blocked form answers: its pool's 429, a refused token, or the host not serving that encoding. */
function blockedReply(block: FormBlock, form: Form): HttpErrorReply {
  if (block.status === 429) return throttled(block.retryAfterSecs);
  if (block.status === 403) return invalidBearer();
  return form === "awsJson" ? unknownOperation() : httpError(404, { message: "Not Found" });
}

/**
 * The header set of each client (§1.3): the IDE's target comes with its attribution and KiroIDE user agent,
 * kiro-cli's with its AmazonQ-For-CLI one.
 */
function headersFitTarget(headers: Record<string, string>, target: string): boolean {
  const ua = `${headers["user-agent"] ?? ""} ${headers["x-amz-user-agent"] ?? ""}`;
  if (target.startsWith("KiroRuntimeService.")) return headers["x-amzn-kiro-client-attribution"] !== undefined && ua.includes("KiroIDE");
  return ua.includes("app/AmazonQ-For-CLI");
}

/** The string and boolean members of an awsJson body, which duplicate (and win over) the query's. */
function stringMembers(body: unknown): Record<string, string | boolean> {
  if (typeof body !== "object" || body === null) return {};
  return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === "string" || typeof v === "boolean")) as Record<string, string | boolean>;
}

function answerOf(reply: HttpErrorReply): Response {
  return json({ status: reply.status, body: reply.body });
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

/**
 * generateAssistantResponse (kiro-protocol.md §1.1, §2.1; kiro-protocol-2026.md §1–§4): send a conversation, get an
 * event stream back. KiroChat is the one place that opens a reply for a front: which host and form the account
 * uses, the call, the watchdog's timing and the reading of the first events, and the retries that stay on one
 * account within one logical call (one invocation id, §1.4) — the runtime host's refusal answered by the legacy
 * one (§1.7), replayed reasoning Kiro refuses sent once more without it (§3.2), an empty 200 asked again (§4.1).
 * A reply that fails at once can still move to another account: that is the pool's decision.
 */
import type { JsonPiece } from "../http/verbatim";
import type { Logger } from "../log";
import { endpointOf, profileArnOf } from "./control-plane";
import { apiRegionOf, authKind, type ChatAccount } from "./credential";
import { HeaderBlocks } from "./eventstream";
import { type Answer, Connections, textOf } from "./connections";
import { call, chatHeaders, proxyFor, readCapped, refusal, runtimeChatHeaders, unanswered, UpstreamError, withRegion, type UpstreamSettings } from "./http";
import { Invocation } from "./invocation";
import { EMPTY_REPLY, openReply, type OpenedReply } from "./reply";
import { byteLength, requestBody, requestBytes } from "./request-bytes";
import { Watchdog } from "./watchdog";

const OPERATION = "generateAssistantResponse";

/** §9.3: Kiro's own generous limit for a whole reply. */
const CHAT_TIMEOUT_MS = 720_000;
/** §4.1 (K2C): a 200 without a single frame is asked again, at most twice, before anything reached the client. */
const EMPTY_REPLY_RETRIES = 2;
/** §1.7 (TZ): how long a host that answered 429 rests for an account when Kiro did not say. */
const HOST_REST_MS = 30_000;

export type { ChatAccount } from "./credential";
export { Invocation } from "./invocation";

export interface ChatTiming {
  /** How long Kiro may take to send the reply's first event. */
  firstEventMs: number;
  /** How long Kiro may stay silent once the reply flows. */
  idleMs: number;
}

/** One conversation as Kiro receives it, serialised once per client request. */
export interface ChatRequest {
  /** The conversationState, as JSON in pieces (convert.ts's conversationJson). */
  conversation: readonly JsonPiece[];
  /** The same conversation without any replayed reasoning, when it has some (§3.2). */
  withoutReasoning?: readonly JsonPiece[];
  /** `additionalModelRequestFields` as JSON, when the model takes them (§2). */
  fields?: string;
  /** The Kiro model asked for, named in errors. */
  model?: string;
}

type Host = "runtime" | "q";

export class KiroChat {
  /** Header blocks known from earlier replies, so a short reply need not parse its headers again. */
  private readonly headerBlocks = new HeaderBlocks();
  /** Accounts the runtime host does not serve now: until when (Infinity: it refused them, §1.7). */
  private readonly runtimeRests = new Map<string, number>();
  /** Profile ARNs ListAvailableProfiles named (undefined: the account has none, e.g. a Builder ID). */
  private readonly profiles = new Map<string, string | undefined>();
  private readonly connections = new Connections();

  constructor(
    private readonly upstream: UpstreamSettings,
    private readonly timing: ChatTiming,
    private readonly log: Logger,
    /** Every chat through fetch: the environment names a proxy, which fetch honours (http.ts's environmentNamesProxy). */
    private readonly viaFetch = false,
  ) {}

  /**
   * Sends the conversation as `caller` and reads up to its first events; throws UpstreamError for a "no".
   * `invocation` numbers the calls of one client request, so a retry on the same account is attempt 2 of it.
   */
  async open(caller: ChatAccount, request: ChatRequest, signal: AbortSignal, invocation = new Invocation()): Promise<OpenedReply> {
    let conversation = request.conversation;
    let empty = 0;
    for (;;) {
      try {
        return await this.onSomeHost(caller, { ...request, conversation }, signal, invocation);
      } catch (e) {
        if (!(e instanceof UpstreamError) || signal.aborted) throw e;
        if (e.reason === "THINKING_SIGNATURE_INVALID" && request.withoutReasoning !== undefined && conversation !== request.withoutReasoning) {
          this.log.info("Kiro refused the replayed reasoning; sending the conversation once more without it", { account: caller.name });
          conversation = request.withoutReasoning;
          continue;
        }
        if (e.body === EMPTY_REPLY && empty < EMPTY_REPLY_RETRIES) {
          empty++;
          this.log.warn("Kiro answered with an empty reply; asking again", { account: caller.name, retry: empty });
          continue;
        }
        throw e;
      }
    }
  }

  /** The hosts the account may use, in order (§1.7): auto tries the runtime first unless it rests for this account. */
  private hosts(caller: ChatAccount): Host[] {
    const endpoint = endpointOf(this.upstream, caller.credential);
    if (endpoint !== "auto") return [endpoint];
    const until = this.runtimeRests.get(caller.name);
    return until !== undefined && until > Date.now() ? ["q"] : ["runtime", "q"];
  }

  private async onSomeHost(caller: ChatAccount, request: ChatRequest, signal: AbortSignal, invocation: Invocation): Promise<OpenedReply> {
    const hosts = this.hosts(caller);
    let rest: number | undefined;
    for (const [i, host] of hosts.entries()) {
      try {
        const reply = await this.send(host, caller, request, signal, invocation, i < hosts.length - 1);
        if (rest !== undefined) this.runtimeRests.set(caller.name, rest);
        return reply;
      } catch (e) {
        if (!(e instanceof UpstreamError) || signal.aborted || host !== "runtime" || i === hosts.length - 1) throw e;
        rest = runtimeRestAfter(e);
        if (rest === undefined) throw e;
        this.log.info("the runtime host did not serve the account; the legacy host answers for it", { account: caller.name, answer: e.answer });
      }
    }
    throw new Error("unreachable: every host list ends with a host that throws or answers");
  }

  private async send(host: Host, caller: ChatAccount, request: ChatRequest, signal: AbortSignal, invocation: Invocation, canFallBack: boolean): Promise<OpenedReply> {
    const s = this.upstream;
    const c = caller.credential;
    const kind = authKind(c);
    const apiKey = kind === "api_key";
    const region = apiRegionOf(c, s.region);
    const fields = request.fields ? `,"additionalModelRequestFields":${request.fields}` : "";
    let url: string;
    let headers: Record<string, string>;
    let arn: string | undefined;
    if (host === "runtime") {
      arn = apiKey ? undefined : await this.profileArn(caller, signal);
      // §1.5: the runtime refuses every user kind without an ARN; such an account can only use the legacy host.
      if (!apiKey && arn === undefined && canFallBack) throw profileArnMissing(caller.name, region);
      url = `${withRegion(s.kiroRuntimeBaseUrl!, region)}/`;
      headers = runtimeChatHeaders(s, caller.machineId, c.accessToken, apiKey, invocation.next(caller.name));
    } else {
      // kiro-protocol.md §3.12: only a social credential's own ARN; an IdC account sent any ARN gets "bearer token invalid".
      arn = kind === "social" ? c.profileArn : undefined;
      url = `${withRegion(s.kiroApiBaseUrl, region)}/generateAssistantResponse`;
      headers = chatHeaders(s, caller.machineId, c.accessToken, apiKey, invocation.next(caller.name));
    }
    const watchdog = new Watchdog(this.timing.firstEventMs, CHAT_TIMEOUT_MS, signal);
    try {
      const pieces = ['{"conversationState":', ...request.conversation, `${arn ? `,"profileArn":${JSON.stringify(arn)}` : ""}${fields}}`];
      const answer = await this.post(url, headers, pieces, watchdog.signal, proxyFor(c.proxyUrl, s));
      // §1.2 (KCF): a 200 may be an AWS exception envelope in JSON rather than an event stream.
      if ((answer.header("content-type") ?? "").includes("json")) throw await envelopeError(answer);
      const onSkip = (reason: string) => this.log.warn("skipped a corrupt frame", { account: caller.name, reason });
      const reply = await openReply(answer.body, { onSkip, watchdog, headerBlocks: this.headerBlocks });
      watchdog.streaming(this.timing.idleMs);
      return reply;
    } catch (e) {
      watchdog.stop();
      throw e instanceof UpstreamError && !e.where ? located(e, { account: caller.name, region, ...(request.model ? { model: request.model } : {}) }) : e;
    }
  }

  /**
   * The chat's POST, on a connection of the gateway's own (connections.ts), or through fetch where a proxy carries
   * it (configured, or named by the environment); a "no" is an UpstreamError. The body's bytes are the kept
   * buffer's (request-bytes.ts), written in the same synchronous stretch they are made in.
   */
  private async post(url: string, headers: Record<string, string>, pieces: JsonPiece[], signal: AbortSignal, proxyUrl: string | undefined): Promise<Answer> {
    const length = byteLength(pieces);
    if (proxyUrl || this.viaFetch) {
      headers["content-length"] = String(length);
      const res = await call(url, { method: "POST", headers, body: requestBody(pieces, length).body }, { operation: OPERATION, signal, ...(proxyUrl ? { proxyUrl } : {}) });
      if (!res.body) throw new UpstreamError(OPERATION, res.status, "answer has no body");
      return { status: res.status, header: (name) => res.headers.get(name), body: res.body.getReader() };
    }
    let answer: Answer;
    try {
      answer = await this.connections.post(url, headers, length, (head) => requestBytes([head, ...pieces]), signal);
    } catch (e) {
      throw unanswered(OPERATION, e, signal);
    }
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw refusal(OPERATION, answer.status, answer.header("retry-after"), await readCapped(() => textOf(answer.body, 8192)));
  }

  /** The account's profile ARN for the runtime (§1.5), asked once; a definite "none" is remembered too. */
  private async profileArn(caller: ChatAccount, signal: AbortSignal): Promise<string | undefined> {
    const c = caller.credential;
    if (authKind(c) === "social" && c.profileArn) return c.profileArn;
    if (this.profiles.has(caller.name)) return this.profiles.get(caller.name);
    try {
      const arn = await profileArnOf(this.upstream, caller, signal);
      this.profiles.set(caller.name, arn);
      return arn;
    } catch (e) {
      if (e instanceof UpstreamError && e.status >= 400 && e.status < 500) this.profiles.set(caller.name, undefined);
      this.log.info("no profile ARN for the account", { account: caller.name, error: (e as Error).message });
      return undefined;
    }
  }
}

/** Kiro's verdicts on the account itself (§6): suspension, the suspicious-activity limit; no other host changes them. */
const ACCOUNT_WIDE = /suspended|locked your account|suspicious activity/i;

/** Until when the runtime rests for an account after this answer, or undefined when the legacy host would not help. */
function runtimeRestAfter(e: UpstreamError): number | undefined {
  if (ACCOUNT_WIDE.test(e.body)) return undefined;
  if (e.status === 429) return Date.now() + (e.retryAfterSecs ?? HOST_REST_MS / 1000) * 1000;
  if (e.status === 403 || e.status === 404 || isProfileArnMissing(e)) return Number.POSITIVE_INFINITY;
  return undefined;
}

const PROFILE_ARN_REQUIRED = "profileArn is required for this request.";

export const isProfileArnMissing = (e: UpstreamError) => e.status === 400 && (e.upstreamMessage ?? "").includes("profileArn is required");

function profileArnMissing(account: string, region: string): UpstreamError {
  return new UpstreamError(OPERATION, 400, JSON.stringify({ message: PROFILE_ARN_REQUIRED, reason: null }), undefined, undefined, { account, region });
}

function located(e: UpstreamError, where: NonNullable<UpstreamError["where"]>): UpstreamError {
  return new UpstreamError(e.operation, e.status, e.body, e.retryAfterSecs, e.exceptionType, where);
}

async function envelopeError(answer: Answer): Promise<UpstreamError> {
  const text = await textOf(answer.body, 8192);
  let type: string | undefined;
  try {
    const parsed = JSON.parse(text) as { __type?: unknown };
    if (typeof parsed.__type === "string") type = parsed.__type.split("#").pop();
  } catch {
    type = undefined;
  }
  return new UpstreamError(OPERATION, 200, text, Number(answer.header("retry-after")) || undefined, type ?? "UnknownException");
}

/**
 * What every upstream call shares: base URLs with {region}, the user-agent strings of Kiro IDE (§2), the proxy,
 * explicit timeouts (Bun's fetch otherwise gives up after 5 idle minutes), and one error value for every way
 * Kiro can answer "no" — classified later, in one place (pool/policy.ts).
 */

import { apiRegionOf, authKind, type ChatAccount, type Credential, isAwsRegion } from "./credential";
import { exceptionKind, type FailureKind, statusKind } from "./failures";

export interface UpstreamSettings {
  region: string;
  /** The legacy q.* host (kiro-protocol-2026.md §1.1, form D of §1.2). */
  kiroApiBaseUrl: string;
  /** The inference host of late 2026 (awsJson, form A); without it only the legacy host is used. */
  kiroRuntimeBaseUrl?: string;
  /** The control plane: ListAvailableModels, ListAvailableProfiles, GetUsageLimits (§1.6). */
  kiroManagementBaseUrl?: string;
  /** Which host chats: auto (runtime, falling back per account), runtime, or q. A credential's `endpoint` wins. */
  kiroEndpoint?: Endpoint;
  kiroAuthBaseUrl: string;
  oidcBaseUrl: string;
  ssoPortalBaseUrl: string;
  kiroVersion: string;
  systemVersion: string;
  nodeVersion: string;
  machineId?: string;
  /** Outbound proxy for every call, credentials included (http://user:pass@host:port). */
  proxyUrl?: string;
}

export type Endpoint = "auto" | "runtime" | "q";

/** What a failure below the pool says to a person: an UpstreamError's brief, anything else's message. */
export const describeFailure = (e: unknown): string => (e instanceof UpstreamError ? e.brief : e instanceof Error ? e.message : String(e));

/** Kiro said no — by status, or by an exception opening a 200 reply — or could not be reached (status 0). */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  constructor(
    /** Which call failed, for messages: "generateAssistantResponse", "token refresh", … */
    readonly operation: string,
    /** HTTP status, or 0 when no answer arrived (connection refused or reset, timeout). */
    readonly status: number,
    /** The answer's body (Kiro's JSON error), at most a few KB. */
    readonly body: string,
    readonly retryAfterSecs?: number,
    /** The exception type, when Kiro said no inside its event stream. */
    readonly exceptionType?: string,
    /** Whose call it was and where it went, for messages that must name the account's region (§6). */
    readonly where?: { account: string; region: string; model?: string },
  ) {
    super(
      status === 0 ? `${operation}: ${body}` : `${operation}: ${exceptionType ?? `HTTP ${status}`}: ${summarise(body)}`,
    );
  }

  /** What the answer means (failures.ts); an exception the table does not know counts as Kiro failing. */
  get kind(): FailureKind {
    return this.exceptionType !== undefined ? (exceptionKind(this.exceptionType) ?? "unavailable") : statusKind(this.status);
  }

  /** The model the call asked for, when it was a chat. */
  get model(): string | undefined {
    return this.where?.model;
  }

  /** "HTTP 403", or the exception's type: how the answer is named in messages. */
  get answer(): string {
    return this.exceptionType ?? `HTTP ${this.status}`;
  }

  /** The `reason` (or `error.reason`) of Kiro's JSON error body, e.g. MONTHLY_REQUEST_COUNT. */
  get reason(): string | undefined {
    const json = this.json;
    const nested = json?.error && typeof json.error === "object" ? (json.error as Record<string, unknown>).reason : undefined;
    const r = json?.reason ?? nested;
    return typeof r === "string" ? r : undefined;
  }

  /** Kiro's human message from the body, when there is one. */
  get upstreamMessage(): string | undefined {
    const m = this.json?.message ?? this.json?.Message ?? this.json?.error_description;
    return typeof m === "string" ? m : undefined;
  }

  /**
   * The failure in words that quote nothing Kiro wrote but its codes: for an admin or a client, who gets the kind
   * and the advice (the log gets the whole body). No answer at all is described in kiro-ts's own words.
   */
  get brief(): string {
    if (this.status === 0) return `${this.operation}: ${this.body}`;
    const error = this.json?.error;
    const code = this.reason ?? (typeof error === "string" ? error : undefined) ?? (typeof this.json?.__type === "string" ? this.json.__type : undefined);
    const safe = code && /^[\w.#:-]{1,80}$/.test(code) ? `: ${code}` : "";
    return `${this.operation}: ${this.answer}${safe}`;
  }

  private get json(): Record<string, unknown> | undefined {
    try {
      const v = JSON.parse(this.body);
      return v && typeof v === "object" ? v : undefined;
    } catch {
      return undefined;
    }
  }
}

function summarise(body: string): string {
  const trimmed = body.trim().replace(/\s+/g, " ");
  return trimmed.length > 300 ? trimmed.slice(0, 300) + "…" : trimmed || "(empty body)";
}

/**
 * Whether the environment names a proxy (HTTPS_PROXY, HTTP_PROXY, either case). Bun's fetch sends calls through it
 * (minding NO_PROXY); the chat's own connections do not, so where one is named the chat goes through fetch too.
 */
export const environmentNamesProxy = (env: Record<string, string | undefined>): boolean =>
  ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"].some((name) => !!env[name]?.trim());

/** A credential's own proxy wins; "direct" means none at all (KRS convention). */
export const proxyFor = (credentialProxy: string | undefined, s: UpstreamSettings) =>
  credentialProxy === "direct" ? undefined : credentialProxy || s.proxyUrl;

/** Base URLs made for a region, per template: every chat attempt needs one, and they are few. */
const regionUrls = new Map<string, Map<string, string>>();
const MAX_REGION_URLS = 64;

/** A base URL for `region`; a value that is not an AWS region never reaches a host name (it would pick the host). */
export function withRegion(template: string, region: string): string {
  let urls = regionUrls.get(template);
  const known = urls?.get(region);
  if (known !== undefined) return known;
  if (template.includes("{region}") && !isAwsRegion(region)) {
    throw new UpstreamError("Kiro call", 0, `the region ${JSON.stringify(region.slice(0, 40))} is not an AWS region, so no call was made`);
  }
  const url = template.replaceAll("{region}", region).replace(/\/+$/, "");
  if (!urls || urls.size >= MAX_REGION_URLS) regionUrls.set(template, (urls = new Map()));
  urls.set(region, url);
  return url;
}

/** The SDK tag used in Kiro IDE's user-agent strings for the streaming API. */
const STREAMING_SDK = "1.0.34";

/** An API key goes as the bearer token, marked so (§1.10); an access token goes alone. */
export const bearer = (token: string, apiKey: boolean): Record<string, string> =>
  apiKey ? { authorization: `Bearer ${token}`, tokentype: "API_KEY" } : { authorization: `Bearer ${token}` };

/** The SDK's retry headers of a first attempt (§1.4); Invocation numbers the later ones. */
const FIRST_ATTEMPT = { "amz-sdk-invocation-id": "", "amz-sdk-request": "attempt=1; max=3", "x-kiro-attempt": "1;max=3" };

/** The user-agent pair of the streaming API per settings and machine id: the same strings for every chat. */
const streamingAgents = new WeakMap<UpstreamSettings, Map<string, { amz: string; ua: string }>>();

function streamingAgent(s: UpstreamSettings, machineId: string): { amz: string; ua: string } {
  let agents = streamingAgents.get(s);
  if (!agents) streamingAgents.set(s, (agents = new Map()));
  let agent = agents.get(machineId);
  if (!agent) {
    const kiro = `KiroIDE-${s.kiroVersion}-${machineId}`;
    agent = {
      amz: `aws-sdk-js/${STREAMING_SDK} ${kiro}`,
      ua: `aws-sdk-js/${STREAMING_SDK} ua/2.1 os/${s.systemVersion} lang/js md/nodejs#${s.nodeVersion} api/codewhispererstreaming#${STREAMING_SDK} m/E ${kiro}`,
    };
    agents.set(machineId, agent);
  }
  return agent;
}

/** Form D (legacy REST on q.*): Kiro IDE's streaming headers as kiro.rs sends them. Built by assignment: a chat makes one per attempt. */
export function chatHeaders(
  s: UpstreamSettings,
  machineId: string,
  accessToken: string,
  apiKey = false,
  attempt: Record<string, string> = { ...FIRST_ATTEMPT, "amz-sdk-invocation-id": crypto.randomUUID() },
): Record<string, string> {
  const agent = streamingAgent(s, machineId);
  const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${accessToken}` };
  if (apiKey) headers.tokentype = "API_KEY";
  headers["x-amzn-codewhisperer-optout"] = "true";
  headers["x-amzn-kiro-agent-mode"] = "vibe";
  headers["x-amz-user-agent"] = agent.amz;
  headers["user-agent"] = agent.ua;
  for (const name in attempt) headers[name] = attempt[name]!;
  return headers;
}

/** The KAS version the IDE's user agent names beside its own (§1.3, KLB PR #42). */
const KAS_VERSION = "0.54.0";

/**
 * Form A (awsJson on the runtime host): the header set Kiro IDE 1.0.437 sends with KiroRuntimeService's target
 * (§1.3) — self-consistent, since the runtime may judge the client by it; no agent-mode header (§1.3).
 */
export function runtimeChatHeaders(s: UpstreamSettings, machineId: string, accessToken: string, apiKey: boolean, attempt: Record<string, string>): Record<string, string> {
  const kiro = `KiroIDE-${s.kiroVersion}-${machineId}-KAS/${KAS_VERSION}`;
  return {
    "content-type": AWS_JSON,
    "x-amz-target": "KiroRuntimeService.GenerateAssistantResponse",
    ...bearer(accessToken, apiKey),
    "x-amzn-kiro-client-attribution": "kiro-ide",
    "x-amzn-codewhisperer-optout": "true",
    "x-amz-user-agent": `aws-sdk-js/1.0.0 ${kiro}`,
    "user-agent": `aws-sdk-js/1.0.0 ua/2.1 os/${s.systemVersion} lang/js md/nodejs#${s.nodeVersion} api/kiroruntime#1.0.0 m/N ${kiro}`,
    ...attempt,
  };
}

/** The content type of Kiro's awsJson calls (§1.2). */
export const AWS_JSON = "application/x-amz-json-1.0";

/** A control-plane call on the management host (§1.6): awsJson, with the control plane's own API tag (§1.3). */
export function managementHeaders(s: UpstreamSettings, machineId: string, accessToken: string, apiKey: boolean, target: string): Record<string, string> {
  const kiro = `KiroIDE-${s.kiroVersion}-${machineId}`;
  return {
    "content-type": AWS_JSON,
    "x-amz-target": target,
    ...bearer(accessToken, apiKey),
    "x-amz-user-agent": `aws-sdk-js/1.0.0 ${kiro}`,
    "user-agent": `aws-sdk-js/1.0.0 ua/2.1 os/${s.systemVersion} lang/js md/nodejs#${s.nodeVersion} api/kirocontrolplanebearer#1.0.0 m/N,E ${kiro}`,
    "amz-sdk-invocation-id": crypto.randomUUID(),
    "amz-sdk-request": "attempt=1; max=1",
  };
}

/** §2.2: the chat headers without Kiro's agent-mode and opt-out ones; a social account names its profile. */
export function mcpHeaders(s: UpstreamSettings, machineId: string, c: Credential & { accessToken: string }): Record<string, string> {
  const { "x-amzn-codewhisperer-optout": _optout, "x-amzn-kiro-agent-mode": _mode, ...headers } = chatHeaders(s, machineId, c.accessToken, authKind(c) === "api_key");
  if (c.profileArn && authKind(c) === "social") headers["x-amzn-kiro-profile-arn"] = c.profileArn;
  return headers;
}

export function runtimeHeaders(s: UpstreamSettings, machineId: string, accessToken: string, apiKey = false): Record<string, string> {
  const kiro = `KiroIDE-${s.kiroVersion}-${machineId}`;
  return {
    ...bearer(accessToken, apiKey),
    "x-amz-user-agent": `aws-sdk-js/1.0.0 ${kiro}`,
    "user-agent": `aws-sdk-js/1.0.0 ua/2.1 os/${s.systemVersion} lang/js md/nodejs#${s.nodeVersion} api/codewhispererruntime#1.0.0 m/N,E ${kiro}`,
    "amz-sdk-invocation-id": crypto.randomUUID(),
    "amz-sdk-request": "attempt=1; max=1",
  };
}

export interface CallOptions {
  operation: string;
  /** The call's deadline; without one, `signal` bounds it (a chat reply's watchdog does). */
  timeoutMs?: number;
  /** The client's signal: when it aborts, the upstream call is aborted at once. */
  signal?: AbortSignal;
  proxyUrl?: string;
}

/**
 * fetch with a deadline and the proxy; any non-2xx answer becomes an UpstreamError carrying the body.
 * An abort by the client is rethrown as is (nobody is waiting for an error message). fetch is called before
 * anything is awaited: a body of bytes is copied then, so its buffer may be reused at once (request-bytes.ts).
 */
export async function call(url: string, init: RequestInit, opts: CallOptions): Promise<Response> {
  const deadline = opts.timeoutMs === undefined ? undefined : AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal && deadline ? AbortSignal.any([opts.signal, deadline]) : (opts.signal ?? deadline);
  let res: Response;
  try {
    const request: RequestInit & { timeout: false; proxy?: string } = { ...init, signal, timeout: false };
    if (opts.proxyUrl) request.proxy = opts.proxyUrl;
    res = await fetch(url, request);
  } catch (e) {
    throw unanswered(opts.operation, e, opts.signal, deadline?.aborted ? `no answer within ${opts.timeoutMs! / 1000} s` : undefined);
  }
  if (res.ok) return res;
  throw refusal(opts.operation, res.status, res.headers.get("retry-after"), await readCapped(() => res.text()));
}

/**
 * What a call that got no answer throws: a watchdog's abort carries its own UpstreamError; the client's abort is
 * rethrown as is (nobody is waiting for an error message); anything else is status 0, in `why` or the error's words.
 */
export function unanswered(operation: string, e: unknown, signal: AbortSignal | undefined, why?: string): unknown {
  if (signal?.aborted) return signal.reason instanceof UpstreamError ? signal.reason : e;
  return new UpstreamError(operation, 0, why ?? ((e as Error).message || String(e)));
}

/** A non-2xx answer as an UpstreamError: its body (read by the caller, at most a few KB) and its Retry-After. */
export function refusal(operation: string, status: number, retryAfterHeader: string | null, body: string): UpstreamError {
  const retryAfter = Number(retryAfterHeader);
  return new UpstreamError(operation, status, body, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

/** An error body's text, at most 8 KB; a body that breaks off reads as none. */
export async function readCapped(text: () => Promise<string>): Promise<string> {
  try {
    const whole = await text();
    return whole.length > 8192 ? whole.slice(0, 8192) : whole;
  } catch {
    return "";
  }
}

/** Reads a JSON answer, turning a body that is not JSON into an UpstreamError rather than a crash. */
export async function json<T>(res: Response, operation: string): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UpstreamError(operation, res.status, `answer is not JSON: ${text.slice(0, 200)}`);
  }
}

/**
 * A GET on Kiro's runtime API (getUsageLimits, ListAvailableModels) as one account, in its API region; a social
 * account's own profileArn goes along (§3.12).
 */
export async function runtimeGet<T>(
  s: UpstreamSettings,
  { credential: c, machineId }: ChatAccount,
  operation: string,
  params: URLSearchParams,
  signal?: AbortSignal,
): Promise<T> {
  if (c.profileArn && authKind(c) === "social") params.set("profileArn", c.profileArn);
  const url = `${withRegion(s.kiroApiBaseUrl, apiRegionOf(c, s.region))}/${operation}?${params}`;
  const res = await call(url, { headers: runtimeHeaders(s, machineId, c.accessToken, authKind(c) === "api_key") }, { operation, timeoutMs: 60_000, signal, proxyUrl: proxyFor(c.proxyUrl, s) });
  return json<T>(res, operation);
}

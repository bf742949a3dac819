/**
 * generateAssistantResponse (kiro-protocol.md §1.1, §2.1): send a conversation, get an event stream back. KiroChat
 * is the one place that opens a reply for a front: the call, the watchdog's timing and the reading of the first
 * events, so that a reply that fails at once can still move to another account.
 */
import type { Logger } from "../log";
import { apiRegionOf, authKind, type ChatAccount } from "./credential";
import { HeaderBlocks } from "./eventstream";
import { call, proxyFor, chatHeaders, UpstreamError, withRegion, type UpstreamSettings } from "./http";
import { openReply, type OpenedReply } from "./reply";
import { Watchdog } from "./watchdog";

/** §9.3: Kiro's own generous limit for a whole reply. */
const CHAT_TIMEOUT_MS = 720_000;

export type { ChatAccount } from "./credential";

export interface ChatTiming {
  /** How long Kiro may take to send the reply's first event. */
  firstEventMs: number;
  /** How long Kiro may stay silent once the reply flows. */
  idleMs: number;
}

export class KiroChat {
  /** Header blocks known from earlier replies, so a short reply need not parse its headers again. */
  private readonly headerBlocks = new HeaderBlocks();

  constructor(
    private readonly upstream: UpstreamSettings,
    private readonly timing: ChatTiming,
    private readonly log: Logger,
  ) {}

  /** Sends the conversation as `caller` and reads up to its first events; throws UpstreamError for a "no". */
  async open(caller: ChatAccount, conversationJson: string, signal: AbortSignal): Promise<OpenedReply> {
    const watchdog = new Watchdog(this.timing.firstEventMs);
    try {
      const stream = await generateAssistantResponse(this.upstream, caller, conversationJson, AbortSignal.any([signal, watchdog.signal]));
      const onSkip = (reason: string) => this.log.warn("skipped a corrupt frame", { account: caller.name, reason });
      const reply = await openReply(stream, { onSkip, watchdog, headerBlocks: this.headerBlocks });
      watchdog.streaming(this.timing.idleMs);
      return reply;
    } catch (e) {
      watchdog.stop();
      throw e;
    }
  }
}

/**
 * The request body is serialised once per client request as `conversationJson` (the conversationState);
 * only the account-specific profileArn is spliced in per attempt.
 */
export async function generateAssistantResponse(
  s: UpstreamSettings,
  account: ChatAccount,
  conversationJson: string,
  signal: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const c = account.credential;
  // §3.12: only a social credential's own ARN; an IdC account sent any ARN gets "bearer token invalid".
  const arn = authKind(c) === "social" && c.profileArn ? `,"profileArn":${JSON.stringify(c.profileArn)}` : "";
  const res = await call(
    `${withRegion(s.kiroApiBaseUrl, apiRegionOf(c, s.region))}/generateAssistantResponse`,
    {
      method: "POST",
      headers: chatHeaders(s, account.machineId, c.accessToken, authKind(c) === "api_key"),
      body: `{"conversationState":${conversationJson}${arn}}`,
    },
    {
      operation: "generateAssistantResponse",
      timeoutMs: CHAT_TIMEOUT_MS,
      signal,
      proxyUrl: proxyFor(c.proxyUrl, s),
    },
  );
  if (!res.body) throw new UpstreamError("generateAssistantResponse", res.status, "answer has no body");
  return res.body;
}

/** generateAssistantResponse (kiro-protocol.md §1.1, §2.1): send a conversation, get an event stream back. */
import { apiRegionOf, authKind, type Credential } from "./credential";
import { call, proxyFor, chatHeaders, UpstreamError, withRegion, type UpstreamSettings } from "./http";

/** §9.3: Kiro's own generous limit for a whole reply. */
const CHAT_TIMEOUT_MS = 720_000;

export interface ChatAccount {
  credential: Credential & { accessToken: string };
  machineId: string;
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

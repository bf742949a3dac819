/**
 * What an upstream failure means, decided in one place (kiro-protocol.md §5.9, user-demand.md §3e): whose fault
 * it is, what happens to the account, and whether another account may still answer the client's request.
 */
import { assertNever, GatewayError } from "../errors";
import { UpstreamError } from "../kiro/http";

export type Verdict =
  /** The request itself is wrong: back to the client, no penalty for the account. */
  | { kind: "client"; error: GatewayError }
  /** The access token was refused: refresh once and retry the same account. */
  | { kind: "refresh" }
  /** Monthly quota used up: the account rests until its reset date. */
  | { kind: "quota" }
  /** Throttled: the account cools down, another one tries. */
  | { kind: "throttled"; retryAfterSecs?: number }
  /** The account is refused for good (suspended, no access): disable it, another one tries. */
  | { kind: "account"; reason: string }
  /** Kiro or the network failed: count a failure, another account tries. */
  | { kind: "transient" };

const INVALID_BEARER = /bearer token included in the request is invalid|bearer token invalid|token.*(expired|invalid)/i;
const QUOTA = /MONTHLY_REQUEST_COUNT|OVERAGE_REQUEST_LIMIT_EXCEEDED|reached the limit/i;
const TOO_LONG = /CONTENT_LENGTH_EXCEEDS_THRESHOLD|Input is too long|PROMPT_TOO_LONG/i;

export function classify(e: UpstreamError): Verdict {
  const { status, body } = e;
  const kind = e.kind;
  if (kind === "unavailable") return { kind: "transient" };
  if (kind === "quota" || QUOTA.test(body)) return { kind: "quota" };
  switch (kind) {
    case "throttled":
      return { kind: "throttled", retryAfterSecs: e.retryAfterSecs };
    case "denied":
      if (INVALID_BEARER.test(body)) return { kind: "refresh" };
      return { kind: "account", reason: `Kiro refused the account (${e.answer}): ${e.upstreamMessage ?? e.reason ?? "access denied"}` };
    case "invalid": {
      if (TOO_LONG.test(body)) {
        return {
          kind: "client",
          error: new GatewayError(
            "invalid_request",
            "Input is too long: the conversation exceeds the model's context window on Kiro. Reduce conversation history, system prompt, or tools (or run /compact).",
            { upstreamStatus: status },
          ),
        };
      }
      const what = [e.upstreamMessage, e.reason].filter(Boolean).join(" ") || body.slice(0, 300) || e.answer;
      return { kind: "client", error: new GatewayError("invalid_request", `Kiro rejected the request: ${what}`, { upstreamStatus: status }) };
    }
    default:
      return assertNever(kind);
  }
}

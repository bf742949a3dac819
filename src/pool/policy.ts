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
  /** The account is refused for good (suspended, or no access): disable it, another one tries. */
  | { kind: "account"; why: "suspended" | "refused"; reason: string }
  /** Kiro or the network failed: count a failure, another account tries. */
  | { kind: "transient" };

/** §6: model capacity, a tool pairing Kiro reports as a 5xx, a model the account may not use, a missing profile. */
const MODEL_UNAVAILABLE = "MODEL_TEMPORARILY_UNAVAILABLE";
const NO_CAPACITY = "INSUFFICIENT_MODEL_CAPACITY";
const TOOL_MISMATCH = /TOOL_USE_RESULT_MISMATCH|Expected toolResult blocks/;
const INVALID_MODEL = "INVALID_MODEL_ID";
const PROFILE_ARN_REQUIRED = /profileArn is required/;

/** §6: Kiro suspended the account ("temporarily is suspended … locked your account"); only its support lifts it. */
const SUSPENDED = /TEMPORARILY_SUSPENDED|suspended|locked your account/i;
const INVALID_BEARER = /bearer token included in the request is invalid|bearer token invalid|token.*(expired|invalid)/i;
const QUOTA = /MONTHLY_REQUEST_COUNT|OVERAGE_REQUEST_LIMIT_EXCEEDED|reached the limit/i;
const TOO_LONG = /CONTENT_LENGTH_EXCEEDS_THRESHOLD|Input is too long|PROMPT_TOO_LONG/i;

/**
 * `tier` is the account's subscription when known, to say why a model is refused. The §6 answers that are about the
 * model or the request, not the account, go back to the client at once and cost no account anything.
 */
export function classify(e: UpstreamError, tier?: string): Verdict {
  const { status, body } = e;
  const kind = e.kind;
  const reason = e.reason;
  if (reason === MODEL_UNAVAILABLE || reason === NO_CAPACITY) {
    // A retry on another account meets the same model (§10 case 20: no retry storm); Kiro's Retry-After is kept.
    const error = reason === MODEL_UNAVAILABLE ? "capacity" : "rate_limited";
    return { kind: "client", error: new GatewayError(error, `Kiro's model is overloaded now: ${e.upstreamMessage ?? reason}`, { retryAfterSecs: e.retryAfterSecs, upstreamStatus: status }) };
  }
  if (TOOL_MISMATCH.test(body)) {
    return { kind: "client", error: new GatewayError("invalid_request", `Kiro rejected the request: tool uses and tool results do not pair (${e.upstreamMessage ?? reason})`, { upstreamStatus: status }) };
  }
  if (reason === INVALID_MODEL) {
    // The account's region and plan say why; its name is for the log, not for the client.
    const where = [e.where && `an account in region ${e.where.region}`, tier && `on plan ${tier}`].filter(Boolean).join(" ");
    return {
      kind: "client",
      error: new GatewayError(
        "invalid_request",
        `Kiro does not offer ${e.model ? `the model ${e.model}` : "this model"} to ${where || "this account"} (INVALID_MODEL_ID: a plan, region or rollout gate); choose another model`,
        { upstreamStatus: status },
      ),
    };
  }
  if (status === 400 && PROFILE_ARN_REQUIRED.test(body)) {
    return {
      kind: "client",
      error: new GatewayError(
        "invalid_request",
        `Kiro's runtime host wants a profile ARN that the account it was sent with does not have (kiro-ts's log names it): set profileArn in its credential, or its endpoint to "q"`,
        { upstreamStatus: status },
      ),
    };
  }
  if (kind === "unavailable") return { kind: "transient" };
  if (kind === "quota" || QUOTA.test(body)) return { kind: "quota" };
  switch (kind) {
    case "throttled":
      return { kind: "throttled", retryAfterSecs: e.retryAfterSecs };
    case "denied":
      if (INVALID_BEARER.test(body)) return { kind: "refresh" };
      if (SUSPENDED.test(body)) return { kind: "account", why: "suspended", reason: `Kiro suspended the account (${e.answer}): ${e.upstreamMessage ?? e.reason ?? "suspended"}` };
      return { kind: "account", why: "refused", reason: `Kiro refused the account (${e.answer}): ${e.upstreamMessage ?? e.reason ?? "access denied"}` };
    case "invalid": {
      if (TOO_LONG.test(body)) {
        return {
          kind: "client",
          error: new GatewayError(
            "invalid_request",
            "Input is too long (prompt is too long): the conversation exceeds the model's context window on Kiro. Reduce conversation history, system prompt, or tools (or run /compact).",
            { upstreamStatus: status },
          ),
        };
      }
      const what = [e.upstreamMessage, e.reason].filter(Boolean).join(" ") || e.brief;
      return { kind: "client", error: new GatewayError("invalid_request", `Kiro rejected the request: ${what}`, { upstreamStatus: status }) };
    }
    default:
      return assertNever(kind);
  }
}

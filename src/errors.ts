/**
 * Errors are values with a kind, decided once where they arise and rendered once at the edge
 * (anthropic/errors.ts for the client API, admin/ for the admin envelope). Nothing below the edge
 * knows HTTP status codes or Anthropic error names.
 */
export type ErrorKind =
  | "invalid_request" // the client's request is wrong: fix it and retry
  | "authentication" // missing or wrong API key
  | "permission" // a valid key that may not do this
  | "not_found"
  | "request_too_large"
  | "rate_limited" // back off: every account is cooling or out of quota, or the client is throttled
  | "upstream" // Kiro failed in a way retrying here did not fix
  | "overloaded" // Kiro is unavailable (5xx / network) after retries
  | "capacity" // the model has no capacity now: another model helps, another account does not (kiro-protocol-2026.md §6)
  | "unavailable" // no account can serve at all (disabled, misconfigured)
  | "timeout"
  | "internal";

export interface ErrorDetail {
  /** Seconds until retrying may succeed (rendered as Retry-After). */
  retryAfterSecs?: number;
  /** The upstream HTTP status, when the error came from Kiro. */
  upstreamStatus?: number;
  /**
   * A client route's key was missing or wrong. The message is Anthropic's words ("invalid x-api-key"); a front
   * whose clients send the key another way says it in theirs.
   */
  clientKeyRefused?: true;
}

export class GatewayError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly detail: ErrorDetail = {},
  ) {
    super(message);
    this.name = "GatewayError";
  }
}

export const invalidRequest = (message: string) => new GatewayError("invalid_request", message);

/** Makes a switch exhaustive: adding a case to a union without handling it fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

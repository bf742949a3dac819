/**
 * What a "no" from Kiro means, in one vocabulary whether it came as an HTTP status or as an exception event
 * (kiro-protocol.md §5.9): the one table of Kiro exceptions. The pool's policy, the reply reader and the stream
 * state machine all read it from here.
 */

export type FailureKind =
  /** Too many requests: this account should rest. */
  | "throttled"
  /** The account's monthly quota (or overage limit) is used up. */
  | "quota"
  /** The token or the account was refused. */
  | "denied"
  /** The request itself is wrong. */
  | "invalid"
  /** Kiro failed or could not be reached: another try may succeed. */
  | "unavailable";

const EXCEPTIONS: Readonly<Record<string, FailureKind>> = {
  ThrottlingException: "throttled",
  ServiceQuotaExceededException: "quota",
  AccessDeniedException: "denied",
  ValidationException: "invalid",
  InternalServerException: "unavailable",
  ServiceUnavailableException: "unavailable",
};

/** The kind of a Kiro exception type, or undefined for one the table does not know. */
export function exceptionKind(exceptionType: string): FailureKind | undefined {
  return Object.hasOwn(EXCEPTIONS, exceptionType) ? EXCEPTIONS[exceptionType] : undefined;
}

/** The kind of an HTTP answer that is not 2xx (0: no answer at all). */
export function statusKind(status: number): FailureKind {
  if (status === 0 || status === 408 || status >= 500) return "unavailable";
  if (status === 402) return "quota";
  if (status === 429) return "throttled";
  if (status === 401 || status === 403) return "denied";
  if (status >= 400) return "invalid";
  return "unavailable";
}

/** Kinds that mean "try again later" rather than "this request went wrong". */
export const isPassing = (kind: FailureKind | undefined): boolean => kind === "throttled" || kind === "quota" || kind === "unavailable";

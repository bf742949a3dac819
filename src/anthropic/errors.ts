/**
 * The edge where errors become HTTP for Anthropic clients: `{"type":"error","error":{"type","message"}}` with the
 * status an Anthropic SDK expects for that kind (it retries 429/529/5xx and reads Retry-After).
 */
import type { ErrorKind, GatewayError } from "../errors";

const RENDER: Record<ErrorKind, [status: number, type: string]> = {
  invalid_request: [400, "invalid_request_error"],
  authentication: [401, "authentication_error"],
  permission: [403, "permission_error"],
  not_found: [404, "not_found_error"],
  request_too_large: [413, "request_too_large"],
  rate_limited: [429, "rate_limit_error"],
  upstream: [502, "api_error"],
  unavailable: [503, "api_error"],
  timeout: [504, "timeout_error"],
  overloaded: [529, "overloaded_error"],
  capacity: [503, "overloaded_error"],
  internal: [500, "api_error"],
};

export function errorBody(kind: ErrorKind, message: string) {
  return { type: "error" as const, error: { type: RENDER[kind][1], message: bounded(message) } };
}

const HEAD_CHARS = 1_200;
const TAIL_CHARS = 600;

/**
 * An error names the problem; it does not echo a 5 MB model name or tool name back. The head and the tail are
 * kept, since a message built around a client's value usually says what to do after quoting it.
 */
export function bounded(message: string): string {
  if (message.length <= HEAD_CHARS + TAIL_CHARS) return message;
  // Cut between code points, so no half of a surrogate pair is left at either edge.
  const head = message.slice(0, /[\uD800-\uDBFF]/.test(message.charAt(HEAD_CHARS - 1)) ? HEAD_CHARS - 1 : HEAD_CHARS);
  const tailStart = message.length - TAIL_CHARS;
  const tail = message.slice(/[\uDC00-\uDFFF]/.test(message.charAt(tailStart)) ? tailStart + 1 : tailStart);
  return `${head}…(${message.length - head.length - tail.length} characters left out)…${tail}`;
}

export function errorResponse(e: GatewayError): Response {
  const [status] = RENDER[e.kind];
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (e.detail.retryAfterSecs !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(e.detail.retryAfterSecs)));
  return new Response(JSON.stringify(errorBody(e.kind, e.message)), { status, headers });
}

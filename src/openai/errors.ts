/**
 * The edge where errors become HTTP for OpenAI clients: `{"error":{"message","type","param","code"}}` with the
 * status the OpenAI SDKs map to their error classes (they retry 408/409/429/5xx and read Retry-After). The
 * Anthropic table is anthropic/errors.ts; the kinds are the same.
 */
import { bounded } from "../anthropic/errors";
import type { ErrorKind, GatewayError } from "../errors";

const RENDER: Record<ErrorKind, [status: number, type: string, code: string | null]> = {
  invalid_request: [400, "invalid_request_error", null],
  authentication: [401, "invalid_request_error", "invalid_api_key"],
  permission: [403, "permission_error", null],
  not_found: [404, "invalid_request_error", "not_found"],
  request_too_large: [413, "invalid_request_error", "request_too_large"],
  rate_limited: [429, "rate_limit_error", "rate_limit_exceeded"],
  upstream: [502, "server_error", "upstream_error"],
  unavailable: [503, "server_error", "service_unavailable"],
  timeout: [504, "server_error", "timeout"],
  overloaded: [503, "server_error", "server_overloaded"],
  capacity: [503, "server_error", "server_overloaded"],
  internal: [500, "server_error", null],
};

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * The request field a message is about: the converters open their messages with its path (`messages[2].content`,
 * `input[0].image_url`, `n`), which OpenAI's SDKs show as `param`.
 */
export function paramOf(message: string): string | null {
  return /^([a-z_][a-z0-9_]*(?:\[\d+\]|\.[a-z_][a-z0-9_]*)*): /i.exec(message)?.[1] ?? null;
}

/**
 * A message's path in the OpenAI notation the converters use (`messages[0].role`): the shared body reader's schema
 * messages write it `messages.0.role`, and both kinds must name fields alike.
 */
function bracketed(message: string): string {
  const path = /^[^\s:]+(?=: )/.exec(message)?.[0];
  return path === undefined ? message : path.replace(/\.(\d+)(?=\.|$)/g, "[$1]") + message.slice(path.length);
}

/** OpenAI's SDKs send the key as a bearer token: the refusal names that header, not Anthropic's x-api-key. */
const KEY_REFUSED = "Incorrect API key provided: send this gateway's client key as Authorization: Bearer <key>";

export function openaiErrorBody(e: GatewayError): OpenAIErrorBody {
  const [, type, code] = RENDER[e.kind];
  const message = e.detail.clientKeyRefused ? KEY_REFUSED : e.kind === "invalid_request" ? bracketed(e.message) : e.message;
  return { error: { message: bounded(message), type, param: e.kind === "invalid_request" ? paramOf(message) : null, code } };
}

export function openaiErrorResponse(e: GatewayError): Response {
  const [status] = RENDER[e.kind];
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (e.detail.retryAfterSecs !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(e.detail.retryAfterSecs)));
  return new Response(JSON.stringify(openaiErrorBody(e)), { status, headers });
}

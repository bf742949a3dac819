/**
 * What a request to a path kiro-ts does not serve is told: most such requests come from a client whose base URL
 * is set wrong (ANTHROPIC_BASE_URL with /v1 or /api on the end, or an OpenAI client), and "404 NOT_FOUND" alone
 * does not say which setting to change.
 */
import { GatewayError } from "../errors";
import type { Logger } from "../log";

/** The routes of the Anthropic API served here, with their method; a longer path before the one it ends like. */
const API_ROUTES: Record<string, string> = { "/v1/messages/count_tokens": "POST", "/v1/messages": "POST", "/v1/models": "GET" };
const OPENAI_ROUTES = ["/chat/completions", "/completions", "/responses", "/embeddings"];

export interface Misroute {
  error: GatewayError;
  /** The path shows a client set up wrong (its base URL, or an OpenAI client), which the operator should hear of. */
  misconfigured: boolean;
}

export function misroute(method: string, url: string): Misroute {
  const { origin, pathname } = new URL(url);
  const route = `no route ${method} ${pathname}`;
  const notFound = (message: string, misconfigured: boolean) => ({ error: new GatewayError("not_found", message), misconfigured });
  const api = Object.keys(API_ROUTES).find((r) => pathname.endsWith(r));
  if (api === pathname) return notFound(`${route}: ${api} takes ${API_ROUTES[api]}`, false);
  if (api !== undefined) {
    // Something in front of /v1: the client's base URL carries a path of its own.
    return notFound(`${route}: the API is at ${api}; set the client's base URL to ${origin} (no /v1 or other path)`, true);
  }
  const bare = Object.keys(API_ROUTES).find((r) => pathname === r.slice("/v1".length));
  // The client appends /messages to its base URL itself: it wants the /v1 in the base URL.
  if (bare !== undefined) return notFound(`${route}: the API is at ${bare}; set this client's base URL to ${origin}/v1`, true);
  if (OPENAI_ROUTES.some((r) => pathname.endsWith(r))) {
    return notFound(
      `${route}: kiro-ts serves the Anthropic Messages API (POST /v1/messages), not OpenAI's; use an Anthropic client with base URL ${origin}`,
      true,
    );
  }
  return notFound(`${route}; the Anthropic API is POST /v1/messages, the admin UI is at /`, false);
}

/**
 * The error for a path nobody serves, told to the log too when a client is set up wrong: Claude Code shows any 404
 * as "an issue with the selected model", so its user learns of the base URL from the gateway's log.
 */
export function noRouteError(log: Logger, method: string, url: string): GatewayError {
  const { error, misconfigured } = misroute(method, url);
  if (misconfigured) log.warn("a client is set up wrong", { advice: error.message });
  return error;
}

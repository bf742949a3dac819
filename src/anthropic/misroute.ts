/**
 * What a request to a path kiro-ts does not serve is told: most such requests come from a client whose base URL
 * is set wrong (ANTHROPIC_BASE_URL with /v1 or /api on the end, an OpenAI base URL without its /v1, an OpenAI
 * endpoint not served here), and "404 NOT_FOUND" alone does not say which setting to change.
 */
import { GatewayError } from "../errors";
import type { Logger } from "../log";

/** Which clients call a route: their base URLs differ (Anthropic's SDKs add /v1 themselves, OpenAI's do not). */
type Api = "anthropic" | "openai" | "both";

/** The API routes served here, with their method; a longer path before the one it ends like. */
const API_ROUTES: Record<string, { method: string; api: Api }> = {
  "/v1/messages/count_tokens": { method: "POST", api: "anthropic" },
  "/v1/messages": { method: "POST", api: "anthropic" },
  "/v1/chat/completions": { method: "POST", api: "openai" },
  "/v1/responses": { method: "POST", api: "openai" },
  "/v1/models": { method: "GET", api: "both" },
};
/** OpenAI endpoints kiro-ts does not serve (Chat Completions and Responses are served). */
const OPENAI_UNSERVED = ["/completions", "/embeddings", "/moderations", "/images/generations", "/audio/speech", "/audio/transcriptions", "/responses/compact"];

const SERVED = "the APIs are POST /v1/messages (Anthropic), POST /v1/chat/completions and POST /v1/responses (OpenAI)";

/** The base URL advice for a client of `api`. */
function baseUrlAdvice(api: Api, origin: string): string {
  switch (api) {
    case "anthropic":
      return `set the client's base URL to ${origin} (no /v1 or other path)`;
    case "openai":
      return `set the OpenAI client's base URL to ${origin}/v1`;
    case "both":
      return `set the client's base URL to ${origin} (Anthropic clients) or ${origin}/v1 (OpenAI clients)`;
  }
}

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
  if (api === pathname) return notFound(`${route}: ${api} takes ${API_ROUTES[api]!.method}`, false);
  if (api !== undefined) {
    // Something in front of /v1: the client's base URL carries a path of its own.
    return notFound(`${route}: the API is at ${api}; ${baseUrlAdvice(API_ROUTES[api]!.api, origin)}`, true);
  }
  const bare = Object.keys(API_ROUTES).find((r) => pathname === r.slice("/v1".length));
  // The client appends /messages (or /chat/completions) to its base URL itself: it wants the /v1 in the base URL.
  if (bare !== undefined) return notFound(`${route}: the API is at ${bare}; set this client's base URL to ${origin}/v1`, true);
  if (OPENAI_UNSERVED.some((r) => pathname.endsWith(r))) {
    return notFound(`${route}: kiro-ts serves OpenAI's Chat Completions (POST /v1/chat/completions) and Responses (POST /v1/responses), not this endpoint`, true);
  }
  return notFound(`${route}; ${SERVED}, the admin UI is at /`, false);
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

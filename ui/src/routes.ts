/**
 * The app's client-side routes. scripts/build.ts reads this list so the server answers exactly these paths
 * with index.html and everything else it does not know with a 404.
 */
export const ROUTES = {
  dashboard: "/",
  accounts: "/accounts",
  usage: "/usage",
  keys: "/keys",
  requests: "/requests",
  config: "/config",
  login: "/login",
  /** The API reference: public, like the OpenAPI document it reads. */
  apiReference: "/swagger",
} as const;

/** Written by the server's @elysiajs/swagger from the routes' schemas (src/app.ts). */
export const OPENAPI_SPEC_URL = "/swagger/json";

/**
 * config.json: every key of the kiro-rs table with its default, plus kiro-ts's own (design.md "config.json").
 * Plain TypeBox (not Elysia's `t`, whose numbers also accept numeric strings). Unknown keys are not an error (a kiro-rs or kiro.rs file carries keys we do not use); load.ts warns about them.
 */
import { Type as t, type Static } from "@sinclair/typebox";

const url = (description: string) => t.Optional(t.String({ minLength: 1, description }));

export const ConfigSchema = t.Object({
  host: t.String({ default: "127.0.0.1", minLength: 1 }),
  port: t.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  apiKey: t.String({ minLength: 1, description: "client key for /v1" }),
  adminApiKey: t.Optional(t.String({ minLength: 1, description: "key for /admin and the UI; falls back to apiKey" })),
  region: t.String({ default: "us-east-1", minLength: 1 }),
  authRegion: t.Optional(t.String({ minLength: 1 })),
  apiRegion: t.Optional(t.String({ minLength: 1 })),
  kiroVersion: t.String({ default: "0.8.0", minLength: 1 }),
  machineId: t.Optional(t.String()),
  systemVersion: t.Optional(t.String({ minLength: 1 })),
  nodeVersion: t.String({ default: "22.21.1", minLength: 1 }),
  countTokensApiUrl: url("external count_tokens endpoint"),
  countTokensApiKey: t.Optional(t.String()),
  countTokensAuthType: t.Union([t.Literal("x-api-key"), t.Literal("bearer")], { default: "x-api-key" }),
  credentialsDir: t.Optional(t.String({ minLength: 1 })),
  failureCooldownSecs: t.Integer({ default: 60, minimum: 0 }),
  maxFailures: t.Integer({ default: 5, minimum: 1 }),
  firstEventTimeoutSecs: t.Number({ default: 120, exclusiveMinimum: 0, description: "silence allowed before a reply's first event; then another account tries" }),
  streamIdleTimeoutSecs: t.Number({ default: 300, exclusiveMinimum: 0, description: "silence allowed between chunks of a reply" }),
  firstByteTimeoutSecs: t.Number({
    default: 300,
    exclusiveMinimum: 0,
    description: "time for a reply to begin, however many accounts are tried and waited for; then the client hears why not",
  }),
  queueWaitSecs: t.Number({
    default: 30,
    minimum: 0,
    description: "how long a request waits for an account to come back when none can serve now; 0 refuses at once (429)",
  }),
  maxQueued: t.Integer({ default: 1000, minimum: 0, description: "requests waiting for an account at most; beyond, 429 with Retry-After at once" }),
  quotaCheckMinutes: t.Number({ default: 30, minimum: 0, description: "each account's quota is checked in the background about this often, one account at a time; 0: never" }),
  kiroApiBaseUrl: t.String({ default: "https://q.{region}.amazonaws.com", minLength: 1, description: "the legacy q.* host: REST generateAssistantResponse, getUsageLimits, ListAvailableModels" }),
  kiroRuntimeBaseUrl: t.String({ default: "https://runtime.{region}.kiro.dev", minLength: 1, description: "Kiro's inference host (awsJson, kiro-protocol-2026.md §1.1)" }),
  kiroManagementBaseUrl: t.String({ default: "https://management.{region}.kiro.dev", minLength: 1, description: "Kiro's control plane: models, profiles, usage (§1.6)" }),
  kiroEndpoint: t.Union([t.Literal("auto"), t.Literal("runtime"), t.Literal("q")], {
    default: "auto",
    description: "auto: runtime host first, the q.* host for an account the runtime throttles or refuses (429/403/404); a credential's own `endpoint` wins",
  }),
  kiroMaxTokens: t.Union([t.Literal("omit"), t.Literal("clamp")], {
    default: "omit",
    description: "whether a native model is sent the client's max_tokens, clamped to the model's range (§2: K2C omits it so thinking is never cut)",
  }),
  kiroCachePoints: t.Boolean({ default: true, description: "turn cache_control into Kiro cachePoint markers within the catalog's limits (§4.3, unconfirmed upstream)" }),
  kiroAuthBaseUrl: t.String({ default: "https://prod.{region}.auth.desktop.kiro.dev", minLength: 1 }),
  oidcBaseUrl: t.String({ default: "https://oidc.{region}.amazonaws.com", minLength: 1 }),
  ssoPortalBaseUrl: t.String({ default: "https://portal.sso.us-east-1.amazonaws.com", minLength: 1 }),
  proxyUrl: url("outbound HTTP(S) proxy"),
  proxyUsername: t.Optional(t.String()),
  proxyPassword: t.Optional(t.String()),
  maxBodyBytesInFlight: t.Integer({
    default: 512 * 1024 * 1024,
    minimum: 1,
    description: "request-body bytes read and parsed at once across all requests; beyond it, 429 with Retry-After",
  }),
  trustedProxies: t.Optional(
    t.Array(t.String(), { description: "addresses or CIDR blocks of reverse proxies whose X-Forwarded-For / X-Real-IP name the client" }),
  ),
  database: t.String({ default: "kiro-ts.db", minLength: 1, description: "client keys, usage and the request log: a SQLite file (relative to this file's folder), sqlite:///path or postgres://…" }),
  usageRetentionDays: t.Integer({ default: 90, minimum: 1, description: "days of hourly usage kept" }),
  requestLogDays: t.Integer({ default: 14, minimum: 1, description: "days of the request log kept" }),
  recordRequests: t.Boolean({ default: true, description: "false: no request is written to the database, so usage and the request log stay empty (keys and their limits still work)" }),
  alertWebhookUrl: url("JSON POSTed when an account is disabled, nearly out of quota, or no account can serve"),
  redisUrl: url("redis://…: several instances share the pool's live state (credentials, refresh locks, rests, key limits); REDIS_URL too"),
  redisKeyPrefix: t.String({ default: "kiro-ts:", minLength: 1, description: "prefix of every Redis key and channel, so that clusters can share one Redis" }),
});

export type Config = Static<typeof ConfigSchema> & {
  /** Resolved at load: the values in force, never absent. */
  systemVersion: string;
};

export const KNOWN_KEYS = new Set(Object.keys(ConfigSchema.properties));

/** kiro.rs (KRS) keys that have no meaning here; accepted without a warning so shared files stay quiet. */
export const IGNORED_KRS_KEYS = new Set(["loadBalancingMode", "extractThinking", "tlsBackend", "defaultEndpoint", "endpoints"]);

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
  kiroApiBaseUrl: t.String({ default: "https://q.{region}.amazonaws.com", minLength: 1 }),
  kiroAuthBaseUrl: t.String({ default: "https://prod.{region}.auth.desktop.kiro.dev", minLength: 1 }),
  oidcBaseUrl: t.String({ default: "https://oidc.{region}.amazonaws.com", minLength: 1 }),
  ssoPortalBaseUrl: t.String({ default: "https://portal.sso.us-east-1.amazonaws.com", minLength: 1 }),
  proxyUrl: url("outbound HTTP(S) proxy"),
  proxyUsername: t.Optional(t.String()),
  proxyPassword: t.Optional(t.String()),
  trustedProxies: t.Optional(
    t.Array(t.String(), { description: "addresses or CIDR blocks of reverse proxies whose X-Forwarded-For / X-Real-IP name the client" }),
  ),
});

export type Config = Static<typeof ConfigSchema> & {
  /** Resolved at load: the values in force, never absent. */
  systemVersion: string;
};

export const KNOWN_KEYS = new Set(Object.keys(ConfigSchema.properties));

/** kiro.rs (KRS) keys that have no meaning here; accepted without a warning so shared files stay quiet. */
export const IGNORED_KRS_KEYS = new Set(["loadBalancingMode", "extractThinking", "tlsBackend", "defaultEndpoint", "endpoints"]);

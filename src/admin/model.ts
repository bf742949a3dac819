/**
 * The admin API's shapes (kiro-protocol.md §8.1), as TypeBox: what each route takes and what it answers, with the
 * seed's mixed casing (snake_case AccountInfo and pool status, camelCase check results and exports). The routes
 * declare them, so Elysia checks requests and answers and /swagger documents both; the UI imports the types.
 */
import { type Static, type TSchema, Type as t } from "@sinclair/typebox";

// Requests

export const Name = t.Object({ name: t.String({ minLength: 1 }) });
export const Names = t.Object({ names: t.Optional(t.Array(t.String())) });

export const AddAccount = t.Object({
  name: t.String({ minLength: 1 }),
  /** Required, unless the account signs in with a Kiro API key (`kiroApiKey`, authMethod api_key). */
  refreshToken: t.Optional(t.String({ minLength: 1 })),
  kiroApiKey: t.Optional(t.String({ minLength: 1 })),
  accessToken: t.Optional(t.String()),
  csrfToken: t.Optional(t.String()),
  clientId: t.Optional(t.String()),
  clientSecret: t.Optional(t.String()),
  region: t.Optional(t.String()),
  profileArn: t.Optional(t.String()),
  expiresAt: t.Optional(t.String()),
  /** social (the default), IdC or api_key; kiro-rs's other spellings are read too (kiro/credential.ts). */
  authMethod: t.Optional(t.String()),
  provider: t.Optional(t.String()),
  email: t.Optional(t.String()),
  addToPool: t.Optional(t.Boolean()),
});

export const RemoveAccount = t.Object({ name: t.String({ minLength: 1 }), delete_file: t.Optional(t.Boolean()) });

export const ImportSso = t.Object({
  name: t.String({ minLength: 1 }),
  ssoToken: t.String({ minLength: 1 }),
  region: t.Optional(t.String({ minLength: 1 })),
  addToPool: t.Optional(t.Boolean()),
});

// Answers

export const AccountState = t.Union([t.Literal("healthy"), t.Literal("cooling"), t.Literal("disabled"), t.Literal("suspended")], {
  description: "suspended: Kiro suspended the account; out of the pool until its support lifts it and an admin resets it",
});

/** The last quota check, as the account keeps it. */
export const AccountUsage = t.Object({
  subscription: t.Optional(t.String()),
  currentUsage: t.Number(),
  usageLimit: t.Number(),
  usagePercent: t.Number(),
  nextResetDate: t.Optional(t.Number({ description: "Unix seconds" })),
  checkedAt: t.String({ description: "RFC 3339" }),
  error: t.Optional(t.String()),
});

/** An account without its secrets; optional keys are left out when unknown. */
export const AccountInfo = t.Object({
  name: t.String(),
  healthy: t.Boolean(),
  request_count: t.Number(),
  failure_count: t.Number(),
  in_pool: t.Boolean(),
  profile_arn: t.Optional(t.String()),
  auth_method: t.Optional(t.String()),
  provider: t.Optional(t.String()),
  email: t.Optional(t.String()),
  region: t.Optional(t.String()),
  state: AccountState,
  state_reason: t.Optional(t.String()),
  available_at: t.Optional(t.String({ description: "RFC 3339: when a cooling or disabled account comes back" })),
  expires_at: t.Optional(t.String({ description: "RFC 3339: when the access token expires" })),
  last_used_at: t.Optional(t.String({ description: "RFC 3339" })),
  credential_saved: t.Optional(
    t.Literal(false, { description: "present while a rotated credential lives only in memory: its file could not be written" }),
  ),
  usage: t.Optional(AccountUsage),
});

export const MinuteCount = t.Object({
  t: t.Number({ description: "Unix ms of the minute's start" }),
  count: t.Number(),
});

/** Whether this instance shares the pool with others (redisUrl), and whether Redis answers. */
export const ClusterStatus = t.Object({
  mode: t.Union([t.Literal("alone"), t.Literal("redis")]),
  instance: t.Optional(t.String()),
  redis: t.Optional(t.Union([t.Literal("connected"), t.Literal("unreachable")], { description: "unreachable: serving with this instance's own state until Redis answers" })),
  unreachableSince: t.Optional(t.String()),
  peers: t.Optional(t.Number({ description: "Other instances heard from in the last 5 s" })),
});

export const PoolStatus = t.Object({
  total_accounts: t.Number(),
  healthy_accounts: t.Number(),
  cooling_accounts: t.Number(),
  disabled_accounts: t.Number(),
  suspended_accounts: t.Number(),
  total_requests: t.Number(),
  requests_per_minute: t.Array(MinuteCount, { description: "The last hour, oldest minute first" }),
  waiting_requests: t.Number({ description: "Requests waiting for an account to come back (queueWaitSecs)" }),
  longest_wait_secs: t.Number({ description: "How long the request waiting longest has waited; 0 when none waits" }),
  accounts: t.Array(AccountInfo),
  cluster: t.Optional(ClusterStatus),
});

/** A quota check: a failed one is still an answer, with `healthy: false`, zeros and `error`. */
export const CheckResult = t.Object({
  name: t.String(),
  healthy: t.Boolean(),
  subscription: t.Optional(t.String()),
  currentUsage: t.Number(),
  usageLimit: t.Number(),
  usagePercent: t.Number(),
  nextResetDate: t.Optional(t.Number({ description: "Unix seconds" })),
  error: t.Optional(t.String()),
});

/** The batch check's answer; with Accept: application/x-ndjson it is the last line, after one progress line per account. */
export const BatchCheckSummary = t.Object({
  results: t.Array(CheckResult),
  success_count: t.Number(),
  failed_count: t.Number(),
});

export const RefreshResult = t.Object({ success: t.Literal(true), message: t.String() });

export const ImportSsoResult = t.Object({
  account: AccountInfo,
  email: t.Optional(t.String()),
  subscription: t.Optional(t.String()),
  currentUsage: t.Number(),
  usageLimit: t.Number(),
});

/** The one answer that holds secrets. */
export const CredentialsExport = t.Object({
  name: t.String(),
  healthy: t.Boolean(),
  requestCount: t.Number(),
  failureCount: t.Number(),
  inPool: t.Boolean(),
  profileArn: t.Optional(t.String()),
  authMethod: t.Optional(t.String()),
  provider: t.Optional(t.String()),
  region: t.Optional(t.String()),
  accessToken: t.Optional(t.String()),
  refreshToken: t.Optional(t.String()),
  csrfToken: t.Optional(t.String()),
  clientId: t.Optional(t.String()),
  clientSecret: t.Optional(t.String()),
  kiroApiKey: t.Optional(t.String()),
  expiresAt: t.Optional(t.String()),
});

export const ReloadResult = t.Object({ added: t.Array(t.String()), removed: t.Array(t.String()), updated: t.Array(t.String()) });

/** The configuration in force, without secrets. */
export const ServerConfig = t.Object({
  host: t.String(),
  port: t.Number(),
  region: t.String(),
  kiroVersion: t.String(),
  credentialsDir: t.Optional(t.String()),
  failureCooldownSecs: t.Number(),
  maxFailures: t.Number(),
});

// The envelope

export const Failure = t.Object({ success: t.Literal(false), error: t.String() });
const failure = (description: string) => t.Object(Failure.properties, { description });

/** What a route answers, by status (routes.ts decides which failure gets which). */
export const answers = <T extends TSchema>(data: T) => ({
  200: t.Object(
    { success: t.Literal(true), data },
    { description: "The answer. A logical failure (an account not found or already there, a refresh that failed) is HTTP 200 too: {success: false, error}" },
  ),
  401: failure("No admin key, or a wrong one (x-api-key, or Authorization: Bearer)"),
  429: failure("Too many wrong keys from this address, or too many bodies being read: see Retry-After"),
});

/** … and for a route that takes a body, the refusals of a body. */
export const answersWithBody = <T extends TSchema>(data: T) => ({
  ...answers(data),
  400: failure("The body cannot be read: not JSON, nested too deep, or not what the route takes"),
  413: failure("The body is too large"),
});

export type AccountState = Static<typeof AccountState>;
export type AccountUsage = Static<typeof AccountUsage>;
export type AccountInfo = Static<typeof AccountInfo>;
export type MinuteCount = Static<typeof MinuteCount>;
export type PoolStatus = Static<typeof PoolStatus>;
export type CheckResult = Static<typeof CheckResult>;
export type BatchCheckSummary = Static<typeof BatchCheckSummary>;
export type RefreshResult = Static<typeof RefreshResult>;
export type ImportSsoResult = Static<typeof ImportSsoResult>;
export type CredentialsExport = Static<typeof CredentialsExport>;
export type ReloadResult = Static<typeof ReloadResult>;
export type ServerConfig = Static<typeof ServerConfig>;
export type AddAccountRequest = Static<typeof AddAccount>;
export type ImportSsoRequest = Static<typeof ImportSso>;

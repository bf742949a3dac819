/**
 * Kiro's control plane (kiro-protocol-2026.md §1.6): ListAvailableProfiles, ListAvailableModels and GetUsageLimits
 * as awsJson calls on the management host, and which host an account's calls go to (§1.1–1.2): the runtime and
 * management hosts, or the legacy q.* host, per the config's kiroEndpoint or the credential's own `endpoint`.
 */
import { apiRegionOf, authKind, type ChatAccount, type Credential } from "./credential";
import { call, type Endpoint, json, managementHeaders, proxyFor, type UpstreamSettings, withRegion } from "./http";

/** The host family an account uses; without a runtime base URL there is only the legacy one. */
export function endpointOf(s: UpstreamSettings, c: Credential): Endpoint {
  if (!s.kiroRuntimeBaseUrl) return "q";
  const own = typeof c.endpoint === "string" ? c.endpoint.toLowerCase() : undefined;
  if (own === "auto" || own === "runtime" || own === "q") return own;
  return s.kiroEndpoint ?? "q";
}

/** Whether control-plane calls go to the management host (else the legacy REST GETs on q.*). */
export const usesManagement = (s: UpstreamSettings, c: Credential) => !!s.kiroManagementBaseUrl && endpointOf(s, c) !== "q";

/** One awsJson call on the management host, in the account's Kiro region. */
export async function managementCall<T>(s: UpstreamSettings, account: ChatAccount, target: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  const c = account.credential;
  const operation = target.split(".").pop() ?? target;
  const res = await call(
    `${withRegion(s.kiroManagementBaseUrl!, apiRegionOf(c, s.region))}/`,
    { method: "POST", headers: managementHeaders(s, account.machineId, c.accessToken, authKind(c) === "api_key", target), body: JSON.stringify(body) },
    { operation, timeoutMs: 60_000, signal, proxyUrl: proxyFor(c.proxyUrl, s) },
  );
  return json<T>(res, operation);
}

interface ProfilesAnswer {
  profiles?: Array<{ arn?: unknown }>;
}

/**
 * The profile ARN the runtime wants for this account (§1.5): a social account's own, else the first profile
 * ListAvailableProfiles names (IdC, Enterprise); none for an API key, or for a Builder ID, which has no profile to
 * list ("not supported for this operation") — such an account can only use the legacy host.
 */
export async function profileArnOf(s: UpstreamSettings, account: ChatAccount, signal?: AbortSignal): Promise<string | undefined> {
  const c = account.credential;
  const kind = authKind(c);
  if (kind === "api_key") return undefined;
  if (kind === "social" && c.profileArn) return c.profileArn;
  if (!s.kiroManagementBaseUrl) return kind === "social" ? c.profileArn : undefined;
  const answer = await managementCall<ProfilesAnswer>(s, account, "AmazonCodeWhispererService.ListAvailableProfiles", { maxResults: 10 }, signal);
  const arn = answer.profiles?.find((p) => typeof p.arn === "string")?.arn;
  return typeof arn === "string" ? arn : undefined;
}

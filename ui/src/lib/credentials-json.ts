import type { AddAccountRequest, AuthMethod } from "../api/types";

export type ParsedCredentials =
  | { ok: true; accounts: AddAccountRequest[] }
  | { ok: false; reason: "invalid_json" | "no_accounts" }
  /** `items` (numbered from 1) say authMethod api_key but carry no kiroApiKey. */
  | { ok: false; reason: "no_api_key"; items: number[] };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

/** kiro-rs writes "social", "IdC" and "api_key"; other tools write "idc", "builder-id", "IAM Identity Center"… */
export function normalizeAuthMethod(value: unknown, hasClient: boolean): AuthMethod {
  const raw = typeof value === "string" ? value.toLowerCase().replace(/[^a-z]/g, "") : "";
  if (raw === "social") return "social";
  if (raw === "apikey") return "api_key";
  if (raw === "idc" || raw.includes("builder") || raw.includes("identitycenter") || raw === "iam") return "IdC";
  return hasClient ? "IdC" : "social";
}

function expiresAtOf(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value < 1e12 ? value * 1000 : value).toISOString();
  return text(value);
}

/**
 * One credential-like object → an add request, or why it is none; the name comes from `name`, else the email,
 * else `fallbackName`. An API-key item without its key is told apart from a row that simply has no secret.
 */
function toRequest(item: Record<string, unknown>, fallbackName: string | undefined): AddAccountRequest | "no_secret" | "no_api_key" {
  // Kiro Account Manager's legacy export nests the tokens under `credentials`.
  const source = isRecord(item.credentials) ? { ...item, ...item.credentials } : item;
  const name = text(source.name) ?? text(source.email) ?? fallbackName ?? "";
  const refreshToken = text(source.refreshToken);
  const kiroApiKey = text(source.kiroApiKey);
  const clientId = text(source.clientId);
  const clientSecret = text(source.clientSecret);
  // As kiro-rs decides: a key with no refresh token and no stated method is an API-key credential.
  const authMethod = source.authMethod === undefined && kiroApiKey && !refreshToken ? "api_key" : normalizeAuthMethod(source.authMethod, clientId !== undefined && clientSecret !== undefined);
  if (authMethod === "api_key") return kiroApiKey ? { name, kiroApiKey, authMethod } : "no_api_key";
  if (!refreshToken) return "no_secret";
  const request: AddAccountRequest = { name, refreshToken, authMethod };
  const optional = { accessToken: text(source.accessToken), csrfToken: text(source.csrfToken), clientId, clientSecret, region: text(source.region), profileArn: text(source.profileArn), expiresAt: expiresAtOf(source.expiresAt), provider: text(source.provider) };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (request as unknown as Record<string, unknown>)[key] = value;
  }
  return request;
}

/**
 * Reads pasted credentials: a kiro-rs credential file (refresh token or API key), a list of them (e.g. this UI's
 * full export), or a Kiro Account Manager export (`[{email, refreshToken, …}]` or `{accounts: [{email, credentials: {…}}]}`).
 * A lone object keeps an empty name when it has none, for the user to fill in; list items get `account-N`.
 */
export function parseCredentialsJson(input: string): ParsedCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return { ok: false, reason: "invalid_json" };
  }
  const list = Array.isArray(parsed) ? parsed : isRecord(parsed) && Array.isArray(parsed.accounts) ? parsed.accounts : [parsed];
  const single = list.length === 1;
  const outcomes = list.map((item, index) => (isRecord(item) ? toRequest(item, single ? undefined : `account-${index + 1}`) : "no_secret"));
  // A row with no secret is skipped (exports list such rows), but one that says it is an API-key account lacks
  // only its key: adding the others would silently lose it.
  const keyless = outcomes.flatMap((outcome, index) => (outcome === "no_api_key" ? [index + 1] : []));
  if (keyless.length > 0) return { ok: false, reason: "no_api_key", items: keyless };
  const accounts = outcomes.filter((outcome): outcome is AddAccountRequest => typeof outcome !== "string");
  return accounts.length > 0 ? { ok: true, accounts } : { ok: false, reason: "no_accounts" };
}

/**
 * A Kiro credential: exactly the kiro-rs credential file format (design.md "Credential files"), plus the
 * keys kiro.rs (KRS) added. Unknown keys are kept by whoever writes the file back.
 */
export interface Credential {
  accessToken?: string;
  refreshToken?: string;
  profileArn?: string;
  expiresAt?: string;
  authMethod?: string;
  provider?: string;
  clientId?: string;
  clientSecret?: string;
  region?: string;
  authRegion?: string;
  apiRegion?: string;
  machineId?: string;
  email?: string;
  proxyUrl?: string;
  /** Which of Kiro's hosts this account chats with (kiro-protocol-2026.md §1.2); the config's kiroEndpoint otherwise. */
  endpoint?: string;
  /** A Kiro API key (`ksk_…`, §1.10): sent as the bearer token itself, never refreshed. */
  kiroApiKey?: string;
  [key: string]: unknown;
}

export type AuthKind = "social" | "idc" | "api_key";

/** How a credential authenticates: which refresh flavour (§1.6, KRS dispatch), or an API key that needs none (§1.10). */
export function authKind(c: Credential): AuthKind {
  const m = typeof c.authMethod === "string" ? c.authMethod.toLowerCase() : undefined;
  if (m === "api_key" || m === "apikey") return "api_key";
  if (m === "idc" || m === "builder-id" || m === "iam") return "idc";
  if (m) return "social";
  if (typeof c.kiroApiKey === "string" && !c.refreshToken) return "api_key";
  return c.clientId && c.clientSecret ? "idc" : "social";
}

/** Region for refresh calls (§1.5): the credential's own, else the config's. */
export const authRegionOf = (c: Credential, fallback: string) => c.authRegion || c.region || fallback;

/**
 * Region for Kiro API calls (§1.1): an explicit apiRegion, else the region of the credential's own profile ARN,
 * else its sign-in region, else the config's — mapped onto the two regions Kiro serves (kiro-protocol-2026.md §1.1:
 * `eu-*` → eu-central-1, anything else → us-east-1; an SSO region such as ap-southeast-2 has no Kiro host).
 */
export function apiRegionOf(c: Credential, fallback: string): string {
  const fromArn = typeof c.profileArn === "string" ? arnRegion(c.profileArn) : undefined;
  return kiroRegion(c.apiRegion || fromArn || c.region || fallback);
}

/** The region of each profile ARN seen: every chat attempt asks, and an account's ARN stays the same. */
const arnRegions = new Map<string, string | undefined>();
const MAX_ARN_REGIONS = 1024;

function arnRegion(arn: string): string | undefined {
  if (arnRegions.has(arn)) return arnRegions.get(arn);
  const region = /^arn:aws:codewhisperer:([a-z0-9-]+):/.exec(arn)?.[1];
  if (arnRegions.size >= MAX_ARN_REGIONS) arnRegions.clear();
  arnRegions.set(arn, region);
  return region;
}

/** GovCloud keeps its own hosts; Europe is served from Frankfurt, the rest of the world from Virginia. */
export function kiroRegion(region: string): string {
  if (region.startsWith("us-gov-")) return region;
  return region.startsWith("eu-") ? "eu-central-1" : "us-east-1";
}

/** Milliseconds since the epoch of `expiresAt`, or undefined when missing or unparseable (RFC 3339, any offset). */
export function expiryOf(c: Credential): number | undefined {
  if (typeof c.expiresAt !== "string") return undefined;
  const t = Date.parse(c.expiresAt);
  return Number.isNaN(t) ? undefined : t;
}

/** The KRS sanity check (§1.7) before calling a refresh endpoint; returns the problem, if any. */
export function refreshTokenProblem(c: Credential): string | undefined {
  const t = c.refreshToken;
  if (typeof t !== "string" || t.trim() === "") return "the credential has no refreshToken";
  if (t.length < 100 || t.includes("...")) return "the refreshToken looks truncated (fewer than 100 characters or containing '...')";
  return undefined;
}

/** One account as a call needs it: a credential with a fresh access token (Account.caller hands them out). */
export interface ChatAccount {
  /** The account's name, for the log. */
  name: string;
  credential: Credential & { accessToken: string };
  machineId: string;
}

/** us-east-1, eu-central-1, ap-southeast-2, us-gov-west-1, cn-north-1, us-isob-east-1: AWS's region names. */
const AWS_REGION = /^[a-z]{2}(?:-[a-z]+){1,2}-\d{1,2}$/;

export const isAwsRegion = (value: string): boolean => AWS_REGION.test(value);

/**
 * What is wrong with a credential's own endpoints, if anything: a region is spliced into host names, and a
 * proxy carries every call and the tokens with it, so neither may be anything but what it claims to be.
 */
export function endpointProblem(c: Record<string, unknown>): string | undefined {
  for (const key of ["region", "authRegion", "apiRegion"]) {
    const v = c[key];
    if (v !== undefined && v !== "" && (typeof v !== "string" || !isAwsRegion(v))) return `${key} ${JSON.stringify(v)} is not an AWS region (such as us-east-1)`;
  }
  const proxy = c.proxyUrl;
  if (proxy !== undefined && proxy !== "" && proxy !== "direct") {
    const url = typeof proxy === "string" && URL.canParse(proxy) ? new URL(proxy) : undefined;
    if (!url || !["http:", "https:", "socks5:", "socks5h:"].includes(url.protocol) || url.pathname.length > 1 || url.search) {
      return 'proxyUrl is not a proxy URL (such as http://host:port) or "direct"';
    }
  }
  return undefined;
}

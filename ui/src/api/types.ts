/** Shapes of the admin API (`/admin/*`), with the seed's field casing. */

export type AccountState = "healthy" | "cooling" | "disabled";

export interface AccountUsage {
  subscription?: string;
  currentUsage: number;
  usageLimit: number;
  usagePercent: number;
  /** Unix seconds. */
  nextResetDate?: number;
  checkedAt: string;
}

export interface AccountInfo {
  name: string;
  healthy: boolean;
  request_count: number;
  failure_count: number;
  in_pool: boolean;
  profile_arn?: string;
  auth_method?: string;
  provider?: string;
  email?: string;
  region?: string;
  state: AccountState;
  state_reason?: string;
  /** RFC 3339: when a cooling or disabled account comes back. */
  available_at?: string;
  /** RFC 3339: access-token expiry. */
  expires_at?: string;
  last_used_at?: string;
  usage?: AccountUsage;
}

export interface MinuteCount {
  /** Unix ms of the minute's start. */
  t: number;
  count: number;
}

export interface PoolStatus {
  total_accounts: number;
  healthy_accounts: number;
  cooling_accounts: number;
  disabled_accounts: number;
  total_requests: number;
  requests_per_minute: MinuteCount[];
  accounts: AccountInfo[];
}

export interface CheckAccountResponse {
  name: string;
  healthy: boolean;
  subscription?: string;
  currentUsage: number;
  usageLimit: number;
  usagePercent: number;
  nextResetDate?: number;
  error?: string;
}

export interface BatchCheckResult {
  results: CheckAccountResponse[];
  success_count: number;
  failed_count: number;
}

export type AuthMethod = "social" | "IdC" | "api_key";

/** Either `refreshToken` (social, IdC) or `kiroApiKey` (api_key) carries the secret. */
export interface AddAccountRequest {
  name: string;
  refreshToken?: string;
  kiroApiKey?: string;
  accessToken?: string;
  csrfToken?: string;
  clientId?: string;
  clientSecret?: string;
  region?: string;
  profileArn?: string;
  expiresAt?: string;
  authMethod?: AuthMethod;
  provider?: string;
  addToPool?: boolean;
}

export interface ImportSsoRequest {
  name: string;
  ssoToken: string;
  region?: string;
  addToPool?: boolean;
}

export interface ImportSsoResult {
  account: AccountInfo;
  email?: string;
  subscription?: string;
  currentUsage: number;
  usageLimit: number;
}

export interface AccountCredentialsExport {
  name: string;
  healthy: boolean;
  requestCount: number;
  failureCount: number;
  inPool: boolean;
  profileArn?: string;
  authMethod?: string;
  provider?: string;
  region?: string;
  accessToken?: string;
  refreshToken?: string;
  csrfToken?: string;
  clientId?: string;
  clientSecret?: string;
  kiroApiKey?: string;
  expiresAt?: string;
}

export interface ServerConfig {
  host: string;
  port: number;
  region: string;
  kiroVersion: string;
  credentialsDir?: string;
  failureCooldownSecs: number;
  maxFailures: number;
}

/** Shapes of the admin API (`/admin/*`): the server's own schemas (src/admin/model.ts), as types only. */
import type { AddAccountRequest as AddAccountBody } from "../../../src/admin/model";

export type {
  AccountInfo,
  AccountState,
  AccountUsage,
  BatchCheckSummary as BatchCheckResult,
  CheckResult as CheckAccountResponse,
  CredentialsExport as AccountCredentialsExport,
  ImportSsoRequest,
  ImportSsoResult,
  MinuteCount,
  PoolStatus,
  ServerConfig,
} from "../../../src/admin/model";

/** The auth methods the add form offers; the server reads kiro-rs's other spellings too. */
export type AuthMethod = "social" | "IdC" | "api_key";

/** Either `refreshToken` (social, IdC) or `kiroApiKey` (api_key) carries the secret. */
export type AddAccountRequest = Omit<AddAccountBody, "authMethod"> & { authMethod?: AuthMethod };

/**
 * Simulated Kiro accounts: their tokens (access tokens with an expiry, rotating refresh tokens), quota and
 * identity, and the book that finds an account by any of its tokens.
 */

export interface SimAccountInit {
  name: string;
  /** api_key: the account signs in with a `ksk_…` key sent as the bearer token with `tokentype: API_KEY` (§1.10). */
  authMethod: "social" | "idc" | "api_key";
  /** Generated if absent (at least 100 characters, as kiro.rs demands). */
  refreshToken?: string;
  /** IdC only; generated if absent. */
  clientId?: string;
  clientSecret?: string;
  /** Social only; generated if absent. */
  profileArn?: string;
  email?: string;
  /** Written into credentialJson(): Google/Github for social, BuilderId for IdC by default. */
  provider?: string;
  usageLimit?: number;
  currentUsage?: number;
  subscriptionTitle?: string;
  /** Unix seconds; default: the first day of next month, 00:00 UTC. */
  nextDateReset?: number;
  region?: string;
  /**
   * The model ids this account may use (tier, region or rollout gates, kiro-protocol-2026.md §7): ListAvailableModels
   * lists only these and any other is INVALID_MODEL_ID. Default: every model the simulator serves.
   */
  models?: readonly string[];
  /**
   * The previous refresh token stays valid until the newest one is used once (default false: Kiro rotates without
   * grace, and a refresh token used once is dead).
   */
  refreshGrace?: boolean;
}

export interface IssuedToken {
  accessToken: string;
  expiresAt: string;
}

export interface SimAccount extends Required<Omit<SimAccountInit, "clientId" | "clientSecret" | "profileArn" | "models">> {
  /** The current refresh token (the one the latest refresh handed out). */
  refreshToken: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
  profileArn: string | undefined;
  /**
   * IdC accounts other than Builder ID: the profile ListAvailableProfiles names (§1.5, §1.6); OIDC refresh never
   * returns it, so it is not in credentialJson().
   */
  listedProfileArn: string | undefined;
  /** undefined: every model the simulator serves. */
  models: readonly string[] | undefined;
  /** api_key accounts only. */
  apiKey: string | undefined;
  /** Every access token issued: token → expiry (epoch ms). */
  readonly accessTokens: Map<string, number>;
  refreshCount: number;
  revoked: boolean;
  /** Every later refresh answers invalid_grant; an API key stops working. */
  revoke(): void;
  /** Every access token issued so far is expired from now on (requests with them get 403). */
  expireAccessTokens(): void;
  issueAccessToken(ttlSecs?: number): IssuedToken;
  /** Whether a refresh with this token would succeed now (the current token, or with grace the previous one). */
  holdsRefreshToken(token: string): boolean;
  /** A kiro-rs credential file body for this account, with a valid access token. */
  credentialJson(): Record<string, unknown>;
}

export type RefreshOutcome =
  | { ok: true; accessToken: string; refreshToken: string; expiresIn: number }
  | { ok: false; error: "invalid_grant" };

export class SimAccountState implements SimAccount {
  readonly name: string;
  readonly authMethod: "social" | "idc" | "api_key";
  refreshToken: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
  profileArn: string | undefined;
  listedProfileArn: string | undefined;
  models: readonly string[] | undefined;
  refreshGrace: boolean;
  apiKey: string | undefined;
  email: string;
  provider: string;
  usageLimit: number;
  currentUsage: number;
  subscriptionTitle: string;
  nextDateReset: number;
  region: string;
  readonly accessTokens = new Map<string, number>();
  refreshCount = 0;
  revoked = false;
  /**
   * With grace only: the refresh token the client was last seen holding. It stays valid until the token issued
   * after it is used once, so a client killed between our answer and its file write can still refresh.
   */
  private graceRefreshToken: string | undefined;

  constructor(
    init: SimAccountInit,
    /** Lifetime of the access tokens this account is issued, unless told otherwise. */
    readonly accessTokenTtlSecs: number,
  ) {
    const social = init.authMethod === "social";
    const idc = init.authMethod === "idc";
    this.name = init.name;
    this.authMethod = init.authMethod;
    this.refreshToken = init.refreshToken ?? newToken("aor", 160);
    this.clientId = idc ? (init.clientId ?? newToken("client", 22)) : undefined;
    this.clientSecret = idc ? (init.clientSecret ?? newToken("secret", 120)) : undefined;
    this.apiKey = init.authMethod === "api_key" ? newToken("ksk_", 60) : undefined;
    this.profileArn = social ? (init.profileArn ?? newProfileArn(init.region ?? "us-east-1")) : undefined;
    this.email = init.email ?? `${init.name}@example.com`;
    this.provider = init.provider ?? (social ? "Google" : idc ? "BuilderId" : "ApiKey");
    this.usageLimit = init.usageLimit ?? 50;
    this.currentUsage = init.currentUsage ?? 0;
    this.subscriptionTitle = init.subscriptionTitle ?? "KIRO FREE";
    this.nextDateReset = init.nextDateReset ?? firstOfNextMonth();
    this.region = init.region ?? "us-east-1";
    this.listedProfileArn = idc && this.provider !== "BuilderId" ? newProfileArn(this.region) : undefined;
    this.models = init.models;
    this.refreshGrace = init.refreshGrace ?? false;
  }

  revoke(): void {
    this.revoked = true;
  }

  expireAccessTokens(): void {
    for (const token of this.accessTokens.keys()) this.accessTokens.set(token, 0);
  }

  issueAccessToken(ttlSecs = this.accessTokenTtlSecs): IssuedToken {
    const accessToken = newToken("aoa", 180);
    const expiresAtMs = Date.now() + ttlSecs * 1000;
    this.accessTokens.set(accessToken, expiresAtMs);
    return { accessToken, expiresAt: new Date(expiresAtMs).toISOString() };
  }

  /** Whether this access token was issued to the account and has not expired. */
  accepts(accessToken: string): boolean {
    return (this.accessTokens.get(accessToken) ?? 0) > Date.now();
  }

  holdsRefreshToken(token: string): boolean {
    return !this.revoked && this.knowsRefreshToken(token);
  }

  /** Whether this token is one of the account's live refresh tokens, revoked or not (for lookups). */
  knowsRefreshToken(token: string): boolean {
    return token === this.refreshToken || token === this.graceRefreshToken;
  }

  /** One refresh: rotates the refresh token and issues an access token, or says invalid_grant. */
  refresh(presented: string): RefreshOutcome {
    if (!this.holdsRefreshToken(presented)) return { ok: false, error: "invalid_grant" };
    // Presenting the newest token proves the client stored it: the one before it may now die.
    if (presented === this.refreshToken) this.graceRefreshToken = this.refreshGrace ? presented : undefined;
    this.refreshToken = newToken("aor", 160);
    this.refreshCount++;
    const { accessToken } = this.issueAccessToken();
    return { ok: true, accessToken, refreshToken: this.refreshToken, expiresIn: this.accessTokenTtlSecs };
  }

  /** Whether this API key is the account's and still works. */
  acceptsApiKey(key: string): boolean {
    return !this.revoked && key === this.apiKey;
  }

  credentialJson(): Record<string, unknown> {
    // The kiro-rs shape of an API-key credential: the key and nothing to refresh.
    if (this.apiKey !== undefined) return { kiroApiKey: this.apiKey, authMethod: "api_key" };
    const token = this.newestValidToken() ?? this.issueAccessToken();
    const common = {
      accessToken: token.accessToken,
      refreshToken: this.refreshToken,
      expiresAt: token.expiresAt,
      provider: this.provider,
      region: this.region,
      email: this.email,
    };
    return this.authMethod === "social"
      ? { ...common, profileArn: this.profileArn, authMethod: "social" }
      : { ...common, authMethod: "IdC", clientId: this.clientId, clientSecret: this.clientSecret };
  }

  private newestValidToken(): IssuedToken | undefined {
    const entries = [...this.accessTokens].filter(([token]) => this.accepts(token));
    const newest = entries.at(-1);
    return newest && { accessToken: newest[0], expiresAt: new Date(newest[1]).toISOString() };
  }
}

/** All accounts of one simulator, found by name or by any token they hold. */
export class AccountBook {
  private readonly accounts = new Map<string, SimAccountState>();

  constructor(
    private readonly defaultTtlSecs: number,
    /** Whether accounts keep the previous refresh token valid, unless their own init says. */
    private readonly refreshGrace = false,
  ) {}

  add(init: SimAccountInit): SimAccountState {
    if (this.accounts.has(init.name)) throw new Error(`simulator already has an account named "${init.name}"`);
    const account = new SimAccountState({ refreshGrace: this.refreshGrace, ...init }, this.defaultTtlSecs);
    this.accounts.set(account.name, account);
    return account;
  }

  all(): SimAccountState[] {
    return [...this.accounts.values()];
  }

  byName(name: string): SimAccountState | undefined {
    return this.accounts.get(name);
  }

  /** The account that was issued this access token, expired or not. */
  byAccessToken(token: string): SimAccountState | undefined {
    return this.all().find((a) => a.accessTokens.has(token));
  }

  byApiKey(key: string): SimAccountState | undefined {
    return this.all().find((a) => a.apiKey !== undefined && a.apiKey === key);
  }

  byRefreshToken(token: string): SimAccountState | undefined {
    return this.all().find((a) => a.knowsRefreshToken(token));
  }

  byClientId(clientId: string): SimAccountState | undefined {
    return this.all().find((a) => a.clientId === clientId);
  }
}

const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A random opaque token (Kiro's look like `aoa…`/`aor…`); secrets come from the OS, never from the seed. */
export function newToken(prefix: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return `${prefix}${Array.from(bytes, (b) => TOKEN_ALPHABET[b & 63]).join("")}`;
}

function newProfileArn(region: string): string {
  const digits = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b % 10).join("");
  const id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[b % 36]).join("");
  return `arn:aws:codewhisperer:${region}:${digits}:profile/${id}`;
}

function firstOfNextMonth(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) / 1000;
}

/**
 * The sign-in side of Kiro: social token refresh (kiro-protocol.md §1.5), AWS SSO OIDC CreateToken for IdC
 * refresh and the device-code grant (§1.6), and the seven-step SSO-cookie import (§1.9): client registration,
 * device authorization, the portal's whoAmI and device session, accepting and approving the user code.
 */
import { type AccountBook, newToken } from "./accounts";
import { bearerToken } from "./bearer";

export interface Answer {
  status: number;
  body: unknown;
  /** The account the call concerned, when known. */
  account?: string;
}

interface SsoIdentity {
  email: string;
  userId: string;
}

interface DeviceGrant {
  deviceCode: string;
  userCode: string;
  clientId: string;
  expiresAtMs: number;
  deviceContextId: string;
  state: "pending" | "accepted" | "approved" | "redeemed";
  identity?: SsoIdentity;
}

const DEVICE_CODE_TTL_SECS = 600;
const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

const oauthError = (error: string, description: string, status = 400): Answer => ({
  status,
  body: { error, error_description: description },
});

/** Kiro's answer to a dead refresh token: both markers clients look for (§1.5). */
const invalidGrant = (account?: string): Answer => ({
  status: 400,
  body: { error: "invalid_grant", error_description: "Invalid refresh token provided", message: "Invalid refresh token provided" },
  account,
});

export class IdentityService {
  /** Clients registered through client/register: clientId → clientSecret. */
  private readonly clients = new Map<string, string>();
  private readonly grants = new Map<string, DeviceGrant>();
  /** `x-amz-sso_authn` values → who is signed in to the portal. */
  private readonly portalSessions = new Map<string, SsoIdentity>();
  /** Device session tokens from session/device → the portal user who asked for them. */
  private readonly deviceSessions = new Map<string, SsoIdentity>();
  private importedAccounts = 0;

  constructor(private readonly book: AccountBook) {}

  createSsoToken(email = `sso-user-${this.portalSessions.size + 1}@example.com`): string {
    const token = newToken("sso", 120);
    this.portalSessions.set(token, { email, userId: `u-${newToken("", 16)}` });
    return token;
  }

  /** POST …/refreshToken — social accounts only. */
  refreshSocial(body: unknown): Answer {
    const presented = field(body, "refreshToken");
    if (presented === undefined) return { status: 400, body: { message: "refreshToken is required" } };
    const account = this.book.byRefreshToken(presented);
    if (!account || account.authMethod !== "social") return invalidGrant(account?.name);
    const outcome = account.refresh(presented);
    if (!outcome.ok) return invalidGrant(account.name);
    return {
      status: 200,
      body: {
        accessToken: outcome.accessToken,
        refreshToken: outcome.refreshToken,
        profileArn: account.profileArn,
        expiresIn: outcome.expiresIn,
      },
      account: account.name,
    };
  }

  /** POST …/token — OIDC CreateToken with camelCase JSON: refresh_token or the device-code grant. */
  createToken(body: unknown): Answer {
    const clientId = field(body, "clientId");
    const clientSecret = field(body, "clientSecret");
    const grantType = field(body, "grantType");
    if (clientId === undefined || clientSecret === undefined || grantType === undefined) {
      return oauthError("invalid_request", "clientId, clientSecret and grantType are required");
    }
    if (this.secretOf(clientId) !== clientSecret) return oauthError("invalid_client", "Invalid client provided");
    if (grantType === "refresh_token") return this.refreshIdc(clientId, field(body, "refreshToken"));
    if (grantType === DEVICE_CODE_GRANT) return this.redeemDeviceCode(clientId, field(body, "deviceCode"));
    return oauthError("unsupported_grant_type", `Unsupported grant type: ${grantType}`);
  }

  /** POST …/client/register */
  registerClient(body: unknown): Answer {
    if (field(body, "clientName") === undefined || field(body, "clientType") === undefined) {
      return oauthError("invalid_request", "clientName and clientType are required");
    }
    const clientId = newToken("", 22);
    const clientSecret = newToken("", 160);
    this.clients.set(clientId, clientSecret);
    const now = Math.floor(Date.now() / 1000);
    return { status: 200, body: { clientId, clientSecret, clientIdIssuedAt: now, clientSecretExpiresAt: now + 90 * 86_400 } };
  }

  /** POST …/device_authorization */
  authorizeDevice(body: unknown): Answer {
    const clientId = field(body, "clientId");
    if (clientId === undefined || this.secretOf(clientId) !== field(body, "clientSecret")) {
      return oauthError("invalid_client", "Invalid client provided");
    }
    if (field(body, "startUrl") === undefined) return oauthError("invalid_request", "startUrl is required");
    const userCode = `${newToken("", 4)}-${newToken("", 4)}`.toUpperCase().replace(/[^A-Z0-9-]/g, "X");
    const grant: DeviceGrant = {
      deviceCode: newToken("", 86),
      userCode,
      clientId,
      expiresAtMs: Date.now() + DEVICE_CODE_TTL_SECS * 1000,
      deviceContextId: crypto.randomUUID(),
      state: "pending",
    };
    this.grants.set(grant.deviceCode, grant);
    const verificationUri = "https://device.sso.us-east-1.amazonaws.com/";
    return {
      status: 200,
      body: {
        deviceCode: grant.deviceCode,
        userCode,
        verificationUri,
        verificationUriComplete: `${verificationUri}?user_code=${userCode}`,
        expiresIn: DEVICE_CODE_TTL_SECS,
        interval: 1,
      },
    };
  }

  /** GET …/token/whoAmI with the portal cookie as bearer. */
  whoAmI(headers: Record<string, string>): Answer {
    const identity = this.portalSessions.get(bearerToken(headers) ?? "");
    if (!identity) return { status: 401, body: { message: "Session token not found or invalid" } };
    return { status: 200, body: { userId: identity.userId, email: identity.email } };
  }

  /** POST …/session/device with the portal cookie as bearer: a token that may accept a user code. */
  openDeviceSession(headers: Record<string, string>): Answer {
    const identity = this.portalSessions.get(bearerToken(headers) ?? "");
    if (!identity) return { status: 401, body: { message: "Session token not found or invalid" } };
    const token = newToken("", 120);
    this.deviceSessions.set(token, identity);
    return { status: 200, body: { token } };
  }

  /** POST …/device_authorization/accept_user_code */
  acceptUserCode(body: unknown): Answer {
    const identity = this.deviceSessions.get(field(body, "userSessionId") ?? "");
    if (!identity) return { status: 401, body: { message: "Invalid user session" } };
    const code = field(body, "userCode");
    const grant = [...this.grants.values()].find((g) => g.userCode === code && g.state === "pending");
    if (!grant || grant.expiresAtMs <= Date.now()) return oauthError("invalid_request", "Invalid user code");
    grant.state = "accepted";
    grant.identity = identity;
    return {
      status: 200,
      body: { deviceContext: { deviceContextId: grant.deviceContextId, clientId: grant.clientId, clientType: "public" } },
    };
  }

  /** POST …/device_authorization/associate_token: the user approves the device. */
  associateToken(body: unknown): Answer {
    const identity = this.deviceSessions.get(field(body, "userSessionId") ?? "");
    if (!identity) return { status: 401, body: { message: "Invalid user session" } };
    const context = isObject(body) ? body.deviceContext : undefined;
    const contextId = field(context, "deviceContextId");
    const grant = [...this.grants.values()].find((g) => g.deviceContextId === contextId);
    if (!grant || grant.state !== "accepted" || grant.identity !== identity) {
      return oauthError("invalid_request", "Unknown or unaccepted device context");
    }
    grant.state = "approved";
    return { status: 200, body: {} };
  }

  private refreshIdc(clientId: string, presented: string | undefined): Answer {
    if (presented === undefined) return oauthError("invalid_request", "refreshToken is required");
    const account = this.book.byRefreshToken(presented);
    if (!account || account.authMethod !== "idc" || account.clientId !== clientId) return invalidGrant(account?.name);
    const outcome = account.refresh(presented);
    if (!outcome.ok) return invalidGrant(account.name);
    return {
      status: 200,
      body: { accessToken: outcome.accessToken, refreshToken: outcome.refreshToken, expiresIn: outcome.expiresIn, tokenType: "Bearer" },
      account: account.name,
    };
  }

  private redeemDeviceCode(clientId: string, deviceCode: string | undefined): Answer {
    const grant = this.grants.get(deviceCode ?? "");
    if (!grant || grant.clientId !== clientId || grant.state === "redeemed") {
      return oauthError("invalid_grant", "Invalid device code provided");
    }
    if (grant.expiresAtMs <= Date.now()) return oauthError("expired_token", "Device code has expired");
    if (grant.state !== "approved" || !grant.identity) {
      return oauthError("authorization_pending", "Authorization is still pending");
    }
    grant.state = "redeemed";
    const account = this.book.add({
      name: this.freshAccountName(),
      authMethod: "idc",
      clientId,
      clientSecret: this.secretOf(clientId),
      email: grant.identity.email,
    });
    const { accessToken } = account.issueAccessToken();
    return {
      status: 200,
      body: { accessToken, refreshToken: account.refreshToken, expiresIn: account.accessTokenTtlSecs, tokenType: "Bearer" },
      account: account.name,
    };
  }

  private secretOf(clientId: string): string | undefined {
    return this.clients.get(clientId) ?? this.book.byClientId(clientId)?.clientSecret;
  }

  private freshAccountName(): string {
    let name: string;
    do name = `sso-import-${++this.importedAccounts}`;
    while (this.book.byName(name));
    return name;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A non-empty string member of a JSON object, else undefined. */
function field(body: unknown, key: string): string | undefined {
  const value = isObject(body) ? body[key] : undefined;
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/**
 * Token refresh (kiro-protocol.md §1.5–1.7): social accounts at the Kiro auth service, IdC / Builder ID accounts
 * at AWS SSO OIDC. Returns what changed; writing it to disk is the caller's business.
 */
import { authKind, authRegionOf, refreshTokenProblem, type Credential } from "./credential";
import { call, json, proxyFor, UpstreamError, withRegion, type UpstreamSettings } from "./http";

export interface TokenGrant {
  accessToken: string;
  /** Present only when the service rotated it. */
  refreshToken?: string;
  profileArn?: string;
  expiresAt?: string;
}

const REFRESH_TIMEOUT_MS = 60_000;

interface RefreshAnswer {
  accessToken?: unknown;
  refreshToken?: unknown;
  profileArn?: unknown;
  expiresIn?: unknown;
}

export async function refreshCredential(
  s: UpstreamSettings,
  c: Credential,
  machineId: string,
  signal?: AbortSignal,
): Promise<TokenGrant> {
  const problem = refreshTokenProblem(c);
  if (problem) throw new UpstreamError("token refresh", 400, JSON.stringify({ error: "invalid_grant", message: problem }));
  const region = authRegionOf(c, s.region);
  const options = { operation: "token refresh", timeoutMs: REFRESH_TIMEOUT_MS, signal, proxyUrl: proxyFor(c.proxyUrl, s) };

  let res: Response;
  if (authKind(c) === "idc") {
    if (!c.clientId || !c.clientSecret) {
      throw new UpstreamError("token refresh", 400, JSON.stringify({ error: "invalid_client", message: "IdC credential without clientId/clientSecret" }));
    }
    res = await call(
      `${withRegion(s.oidcBaseUrl, region)}/token`,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-amz-user-agent": "aws-sdk-js/3.980.0 KiroIDE",
          "user-agent": `aws-sdk-js/3.980.0 ua/2.1 os/${s.systemVersion} lang/js md/nodejs#${s.nodeVersion} api/sso-oidc#3.980.0 m/E KiroIDE`,
          "amz-sdk-invocation-id": crypto.randomUUID(),
          "amz-sdk-request": "attempt=1; max=4",
        },
        body: JSON.stringify({ clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, grantType: "refresh_token" }),
      },
      options,
    );
  } else {
    res = await call(
      `${withRegion(s.kiroAuthBaseUrl, region)}/refreshToken`,
      {
        method: "POST",
        headers: {
          accept: "application/json, text/plain, */*",
          "content-type": "application/json",
          "user-agent": `KiroIDE-${s.kiroVersion}-${machineId}`,
        },
        body: JSON.stringify({ refreshToken: c.refreshToken }),
      },
      options,
    );
  }

  const answer = await json<RefreshAnswer>(res, "token refresh");
  if (typeof answer.accessToken !== "string" || answer.accessToken === "") {
    throw new UpstreamError("token refresh", res.status, "answer has no accessToken");
  }
  const grant: TokenGrant = { accessToken: answer.accessToken };
  if (typeof answer.refreshToken === "string" && answer.refreshToken) grant.refreshToken = answer.refreshToken;
  if (typeof answer.profileArn === "string" && answer.profileArn) grant.profileArn = answer.profileArn;
  const expiresIn = typeof answer.expiresIn === "number" && answer.expiresIn > 0 ? answer.expiresIn : 3600;
  grant.expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString();
  return grant;
}

/** invalid_grant: the refresh token is dead for good (revoked, or rotated by another client). */
export function isInvalidGrant(e: unknown): boolean {
  return e instanceof UpstreamError && e.status >= 400 && e.status < 500 && /invalid_grant|Invalid refresh token/i.test(e.body);
}

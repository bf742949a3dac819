/**
 * Import an account from an AWS access-portal session (the `x-amz-sso_authn` cookie), kiro-protocol.md §1.9:
 * register an OIDC client, start a device authorization, and approve it ourselves with the portal session.
 * Each step that fails says which step it was.
 */
import { call, json, UpstreamError, withRegion, type UpstreamSettings } from "./http";

export interface SsoImportResult {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  clientId: string;
  clientSecret: string;
  region: string;
}

export class SsoImportError extends Error {
  override name = "SsoImportError";
}

const START_URL = "https://view.awsapps.com/start";
const OVERALL_MS = 120_000;

export async function importFromSsoToken(
  s: UpstreamSettings,
  ssoToken: string,
  region: string,
  opts: { timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<SsoImportResult> {
  const deadline = Date.now() + (opts.timeoutMs ?? OVERALL_MS);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const oidc = withRegion(s.oidcBaseUrl, region);
  const portal = withRegion(s.ssoPortalBaseUrl, region);
  const remaining = () => Math.max(1, deadline - Date.now());

  const step = async <T>(name: string, url: string, init: RequestInit): Promise<T> => {
    try {
      const res = await call(url, init, { operation: name, timeoutMs: remaining(), proxyUrl: s.proxyUrl });
      const text = await res.text();
      return (text ? JSON.parse(text) : {}) as T;
    } catch (e) {
      throw new SsoImportError(`SSO import failed at step "${name}": ${describe(e)}`);
    }
  };
  const postJson = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

  const client = await step<{ clientId?: string; clientSecret?: string }>(
    "1 register client",
    `${oidc}/client/register`,
    postJson({
      clientName: "kiro-ts",
      clientType: "public",
      scopes: ["codewhisperer:analysis", "codewhisperer:completions", "codewhisperer:conversations", "codewhisperer:taskassist", "codewhisperer:transformations"],
      grantTypes: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
      issuerUrl: START_URL,
    }),
  );
  if (!client.clientId || !client.clientSecret) throw new SsoImportError('SSO import failed at step "1 register client": no clientId in the answer');
  const { clientId, clientSecret } = client;

  const device = await step<{ deviceCode?: string; userCode?: string; interval?: number }>(
    "2 device authorization",
    `${oidc}/device_authorization`,
    postJson({ clientId, clientSecret, startUrl: START_URL }),
  );
  if (!device.deviceCode || !device.userCode) throw new SsoImportError('SSO import failed at step "2 device authorization": no device code in the answer');

  const bearer = { authorization: `Bearer ${ssoToken}`, accept: "application/json" };
  await step("3 validate SSO token", `${portal}/token/whoAmI`, { headers: bearer }).catch((e: Error) => {
    throw new SsoImportError(`${e.message} — the SSO token is invalid or expired: copy a fresh x-amz-sso_authn cookie`);
  });
  const session = await step<{ token?: string }>("4 device session", `${portal}/session/device`, postJson({}, bearer));
  if (!session.token) throw new SsoImportError('SSO import failed at step "4 device session": no session token in the answer');

  const referer = { referer: "https://view.awsapps.com/" };
  const accepted = await step<{ deviceContext?: { deviceContextId?: string; clientId?: string; clientType?: string } }>(
    "5 accept user code",
    `${oidc}/device_authorization/accept_user_code`,
    postJson({ userCode: device.userCode, userSessionId: session.token }, referer),
  );
  const ctx = accepted.deviceContext;
  if (ctx?.deviceContextId) {
    await step(
      "6 approve",
      `${oidc}/device_authorization/associate_token`,
      postJson(
        { deviceContext: { deviceContextId: ctx.deviceContextId, clientId: ctx.clientId ?? clientId, clientType: ctx.clientType ?? "public" }, userSessionId: session.token },
        referer,
      ),
    );
  }

  let interval = Math.max(device.interval ?? 1, 1);
  for (;;) {
    if (Date.now() + interval * 1000 > deadline) throw new SsoImportError('SSO import failed at step "7 poll token": no token within 120 s');
    await sleep(interval * 1000);
    try {
      const res = await call(
        `${oidc}/token`,
        postJson({ clientId, clientSecret, grantType: "urn:ietf:params:oauth:grant-type:device_code", deviceCode: device.deviceCode }),
        { operation: "7 poll token", timeoutMs: remaining(), proxyUrl: s.proxyUrl },
      );
      const t = await json<{ accessToken?: string; refreshToken?: string; expiresIn?: number }>(res, "7 poll token");
      if (!t.accessToken || !t.refreshToken) throw new SsoImportError('SSO import failed at step "7 poll token": the answer has no tokens');
      return {
        accessToken: t.accessToken,
        refreshToken: t.refreshToken,
        expiresAt: new Date(Date.now() + (t.expiresIn ?? 3600) * 1000).toISOString(),
        clientId,
        clientSecret,
        region,
      };
    } catch (e) {
      if (e instanceof SsoImportError) throw e;
      if (e instanceof UpstreamError && e.status === 400) {
        const error = /"error"\s*:\s*"([^"]+)"/.exec(e.body)?.[1];
        if (error === "slow_down") interval += 5;
        else if (error && error !== "authorization_pending") throw new SsoImportError(`SSO import failed at step "7 poll token": ${error}`);
      }
      // Anything else is polled again until the deadline (§1.9).
    }
  }
}

function describe(e: unknown): string {
  if (e instanceof UpstreamError) return e.status === 0 ? e.body : `HTTP ${e.status}${e.upstreamMessage ? `: ${e.upstreamMessage}` : ""}`;
  return (e as Error).message;
}

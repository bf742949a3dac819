import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { KiroSimulator, type SimAccount } from "./simulator";

let sim: KiroSimulator;
beforeAll(async () => {
  sim = await KiroSimulator.start({ accessTokenTtlSecs: 1800 });
});
afterAll(() => sim.stop());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(sim.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

/** Whether a chat call with this access token is accepted. */
async function chatStatus(accessToken: string): Promise<number> {
  const res = await fetch(`${sim.url}/generateAssistantResponse`, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({
      conversationState: {
        chatTriggerType: "MANUAL",
        currentMessage: { userInputMessage: { content: "hi", modelId: "auto", origin: "AI_EDITOR" } },
      },
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

const refreshSocial = (refreshToken: string) => post("/refreshToken", { refreshToken });

describe("social refresh (POST …/refreshToken)", () => {
  let account: SimAccount;
  beforeAll(() => {
    account = sim.addAccount({ name: "social-1", authMethod: "social" });
  });

  test("answers a usable access token, a NEW refresh token, the profileArn and expiresIn", async () => {
    const first = account.refreshToken;
    expect(first.length).toBeGreaterThanOrEqual(100);
    const { status, json } = await post("/auth/refreshToken", { refreshToken: first });
    expect(status).toBe(200);
    expect(Object.keys(json).sort()).toEqual(["accessToken", "expiresIn", "profileArn", "refreshToken"]);
    expect(json.refreshToken).not.toBe(first);
    expect(json.profileArn).toBe(account.profileArn!);
    expect(json.profileArn).toMatch(/^arn:aws:codewhisperer:us-east-1:\d{12}:profile\/[A-Z0-9]{12}$/);
    expect(json.expiresIn).toBe(1800);
    expect(account.refreshToken).toBe(json.refreshToken);
    expect(account.refreshCount).toBe(1);
    expect(await chatStatus(json.accessToken)).toBe(200);
    expect(sim.requests.at(-2)).toMatchObject({ path: "/auth/refreshToken", account: "social-1", status: 200 });
  });

  test("rotation without grace (the default): a refresh token used once is dead at once", async () => {
    const a = sim.addAccount({ name: "no-grace", authMethod: "social" });
    const t1 = a.refreshToken;
    const t2 = (await refreshSocial(t1)).json.refreshToken;
    const again = await refreshSocial(t1);
    expect(again.status).toBe(400);
    expect(again.json.error).toBe("invalid_grant");
    expect(a.holdsRefreshToken(t1)).toBe(false);
    expect(sim.account(t1)).toBeUndefined();
    const t3 = (await refreshSocial(t2)).json.refreshToken;
    expect((await refreshSocial(t2)).status).toBe(400);
    expect(a.holdsRefreshToken(t3)).toBe(true);
  });

  test("rotation with grace: the previous token stays valid until the new one is used once; older ones are dead", async () => {
    const a = sim.addAccount({ name: "rotating", authMethod: "social", refreshGrace: true });
    const t1 = a.refreshToken;
    const t2 = (await refreshSocial(t1)).json.refreshToken;
    // The client "crashed" before saving t2: t1 still works, and hands out t3.
    const again = await refreshSocial(t1);
    expect(again.status).toBe(200);
    const t3 = again.json.refreshToken;
    expect((await refreshSocial(t2)).json.error).toBe("invalid_grant");
    // Using t3 proves it was stored: t1 dies, t3 stays valid as the grace token for t4.
    const t4 = (await refreshSocial(t3)).json.refreshToken;
    expect((await refreshSocial(t1)).status).toBe(400);
    expect(sim.account(t4)?.name).toBe("rotating");
    expect(sim.account(t3)?.name).toBe("rotating");
    expect([t1, t2, t3, t4].map((t) => a.holdsRefreshToken(t))).toEqual([false, false, true, true]);
    const t5 = (await refreshSocial(t4)).json.refreshToken;
    expect((await refreshSocial(t3)).status).toBe(400);
    expect(a.holdsRefreshToken(t5)).toBe(true);
    a.revoke();
    expect(a.holdsRefreshToken(t5)).toBe(false);
  });

  test("revoked or unknown tokens get 400 invalid_grant with 'Invalid refresh token provided'", async () => {
    const a = sim.addAccount({ name: "revoked", authMethod: "social" });
    a.revoke();
    for (const token of [a.refreshToken, "r".repeat(120)]) {
      const res = await fetch(`${sim.url}/refreshToken`, { method: "POST", body: JSON.stringify({ refreshToken: token }) });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).toContain("invalid_grant");
      expect(text).toContain("Invalid refresh token provided");
    }
  });

  test("an IdC account's refresh token is unknown to the social endpoint", async () => {
    const idc = sim.addAccount({ name: "idc-at-social", authMethod: "idc" });
    expect((await refreshSocial(idc.refreshToken)).json.error).toBe("invalid_grant");
  });
});

describe("IdC refresh (POST …/token, grantType refresh_token)", () => {
  test("camelCase JSON with the account's client rotates tokens", async () => {
    const a = sim.addAccount({ name: "idc-1", authMethod: "idc" });
    const { status, json } = await post("/token", {
      clientId: a.clientId,
      clientSecret: a.clientSecret,
      refreshToken: a.refreshToken,
      grantType: "refresh_token",
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ expiresIn: 1800, tokenType: "Bearer" });
    expect(json.refreshToken).toBe(a.refreshToken);
    expect(json).not.toHaveProperty("profileArn");
    expect(await chatStatus(json.accessToken)).toBe(200);
  });

  test("a wrong client secret is invalid_client; a token of another client is invalid_grant", async () => {
    const a = sim.addAccount({ name: "idc-2", authMethod: "idc" });
    const b = sim.addAccount({ name: "idc-3", authMethod: "idc" });
    const wrongSecret = await post("/token", { clientId: a.clientId, clientSecret: "nope", refreshToken: a.refreshToken, grantType: "refresh_token" });
    expect(wrongSecret).toMatchObject({ status: 400, json: { error: "invalid_client" } });
    const crossed = await post("/token", { clientId: b.clientId, clientSecret: b.clientSecret, refreshToken: a.refreshToken, grantType: "refresh_token" });
    expect(crossed).toMatchObject({ status: 400, json: { error: "invalid_grant", error_description: "Invalid refresh token provided" } });
    a.revoke();
    const revoked = await post("/token", { clientId: a.clientId, clientSecret: a.clientSecret, refreshToken: a.refreshToken, grantType: "refresh_token" });
    expect(revoked.json.error).toBe("invalid_grant");
  });

  test("snake_case or form-encoded bodies are refused (the endpoint wants camelCase JSON)", async () => {
    const a = sim.addAccount({ name: "idc-4", authMethod: "idc" });
    const snake = await post("/token", { client_id: a.clientId, client_secret: a.clientSecret, refresh_token: a.refreshToken, grant_type: "refresh_token" });
    expect(snake).toMatchObject({ status: 400, json: { error: "invalid_request" } });
    const form = await fetch(`${sim.url}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ clientId: a.clientId!, clientSecret: a.clientSecret!, refreshToken: a.refreshToken, grantType: "refresh_token" }),
    });
    expect(form.status).toBe(400);
    expect(((await form.json()) as any).error).toBe("invalid_request");
  });
});

describe("SSO import (§1.9), seven steps", () => {
  test("ends in a usable IdC account with the portal user's email", async () => {
    const ssoToken = sim.createSsoToken("carol@example.com");
    const oidc = "/oidc/us-east-1";
    const portal = "/portal";

    const registered = await post(`${oidc}/client/register`, {
      clientName: "Kiro.rs Account Manager",
      clientType: "public",
      scopes: ["codewhisperer:completions", "codewhisperer:conversations"],
      grantTypes: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
      issuerUrl: "https://view.awsapps.com/start",
    });
    expect(registered.status).toBe(200);
    const { clientId, clientSecret } = registered.json;
    expect(registered.json.clientSecretExpiresAt).toBeGreaterThan(registered.json.clientIdIssuedAt);

    const device = await post(`${oidc}/device_authorization`, { clientId, clientSecret, startUrl: "https://view.awsapps.com/start" });
    expect(device.status).toBe(200);
    expect(device.json).toMatchObject({ expiresIn: 600, interval: 1 });
    expect(device.json.verificationUriComplete).toContain(device.json.userCode);

    const poll = () =>
      post(`${oidc}/token`, { clientId, clientSecret, grantType: "urn:ietf:params:oauth:grant-type:device_code", deviceCode: device.json.deviceCode });
    expect(await poll()).toMatchObject({ status: 400, json: { error: "authorization_pending" } });

    const who = await fetch(`${sim.url}${portal}/token/whoAmI`, { headers: { authorization: `Bearer ${ssoToken}`, accept: "application/json" } });
    expect(who.status).toBe(200);
    expect(((await who.json()) as any).email).toBe("carol@example.com");

    const session = await post(`${portal}/session/device`, {}, { authorization: `Bearer ${ssoToken}` });
    expect(session.status).toBe(200);
    const userSessionId = session.json.token;

    const accepted = await post(
      `${oidc}/device_authorization/accept_user_code`,
      { userCode: device.json.userCode, userSessionId },
      { referer: "https://view.awsapps.com/" },
    );
    expect(accepted.status).toBe(200);
    expect(accepted.json.deviceContext).toMatchObject({ clientId, clientType: "public" });
    expect(await poll()).toMatchObject({ status: 400, json: { error: "authorization_pending" } });

    const approved = await post(
      `${oidc}/device_authorization/associate_token`,
      { deviceContext: accepted.json.deviceContext, userSessionId },
      { referer: "https://view.awsapps.com/" },
    );
    expect(approved.status).toBe(200);

    const tokens = await poll();
    expect(tokens.status).toBe(200);
    expect(tokens.json).toMatchObject({ expiresIn: 1800, tokenType: "Bearer" });
    expect(await chatStatus(tokens.json.accessToken)).toBe(200);
    expect((await poll()).json.error).toBe("invalid_grant");

    const account = sim.account(tokens.json.refreshToken)!;
    expect(account).toMatchObject({ authMethod: "idc", clientId, clientSecret, email: "carol@example.com", profileArn: undefined });
    // The imported account refreshes like any IdC account.
    const refreshed = await post(`${oidc}/token`, { clientId, clientSecret, refreshToken: tokens.json.refreshToken, grantType: "refresh_token" });
    expect(refreshed.status).toBe(200);
    expect(await chatStatus(refreshed.json.accessToken)).toBe(200);
  });

  test("an unknown SSO token fails whoAmI and session/device with 401", async () => {
    const who = await fetch(`${sim.url}/token/whoAmI`, { headers: { authorization: "Bearer forged" } });
    expect(who.status).toBe(401);
    expect((await post("/session/device", {}, { authorization: "Bearer forged" })).status).toBe(401);
  });

  test("a user code cannot be accepted without a device session, nor approved before acceptance", async () => {
    const { clientId, clientSecret } = (await post("/client/register", { clientName: "x", clientType: "public" })).json;
    const device = await post("/device_authorization", { clientId, clientSecret, startUrl: "https://view.awsapps.com/start" });
    expect((await post("/device_authorization/accept_user_code", { userCode: device.json.userCode, userSessionId: "nope" })).status).toBe(401);
    const userSessionId = (await post("/session/device", {}, { authorization: `Bearer ${sim.createSsoToken()}` })).json.token;
    const early = await post("/device_authorization/associate_token", {
      deviceContext: { deviceContextId: "unknown", clientId, clientType: "public" },
      userSessionId,
    });
    expect(early.status).toBe(400);
    expect((await post("/device_authorization", { clientId, clientSecret: "wrong", startUrl: "x" })).json.error).toBe("invalid_client");
  });
});

describe("credential files", () => {
  test("credentialJson is a kiro-rs credential body whose tokens work", async () => {
    const social = sim.addAccount({ name: "file-social", authMethod: "social", provider: "Github", email: "f@example.com" });
    const s = social.credentialJson();
    expect(s).toMatchObject({ authMethod: "social", provider: "Github", profileArn: social.profileArn, refreshToken: social.refreshToken, region: "us-east-1" });
    expect(Date.parse(s.expiresAt as string)).toBeGreaterThan(Date.now());
    expect(await chatStatus(s.accessToken as string)).toBe(200);

    const idc = sim.addAccount({ name: "file-idc", authMethod: "idc" });
    const i = idc.credentialJson();
    expect(i).toMatchObject({ authMethod: "IdC", provider: "BuilderId", clientId: idc.clientId, clientSecret: idc.clientSecret });
    expect(i).not.toHaveProperty("profileArn");
    expect(await chatStatus(i.accessToken as string)).toBe(200);
  });
});

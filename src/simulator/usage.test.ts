import { afterAll, beforeAll, expect, test } from "bun:test";
import { KiroSimulator, type SimAccount } from "./simulator";

let sim: KiroSimulator;
let social: SimAccount;
let idc: SimAccount;
beforeAll(async () => {
  sim = await KiroSimulator.start({
    accounts: [
      { name: "s", authMethod: "social", usageLimit: 50, currentUsage: 12.37, subscriptionTitle: "KIRO PRO", nextDateReset: 1_900_000_000, email: "s@example.com" },
      { name: "i", authMethod: "idc" },
    ],
  });
  social = sim.account("s")!;
  idc = sim.account("i")!;
});
afterAll(() => sim.stop());

function get(path: string, token: string) {
  return fetch(sim.url + path, { headers: { authorization: `Bearer ${token}` } });
}

test("getUsageLimits answers the account's quota in the §1.3 shape", async () => {
  const arn = encodeURIComponent(social.profileArn!);
  const res = await get(`/q/getUsageLimits?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST&profileArn=${arn}&isEmailRequired=true`, social.issueAccessToken().accessToken);
  expect(res.status).toBe(200);
  const body = (await res.json()) as any;
  expect(body.usageBreakdownList[0]).toMatchObject({
    resourceType: "CREDIT",
    currentUsage: 12,
    currentUsageWithPrecision: 12.37,
    usageLimit: 50,
    usageLimitWithPrecision: 50,
    nextDateReset: 1_900_000_000,
  });
  expect(body.nextDateReset).toBe(1_900_000_000);
  expect(body.subscriptionInfo.subscriptionTitle).toBe("KIRO PRO");
  expect(body.userInfo.email).toBe("s@example.com");
  expect(sim.requests.at(-1)).toMatchObject({ account: "s", query: { isEmailRequired: "true", origin: "AI_EDITOR" } });
});

test("getUsageLimits follows the account live and leaves out userInfo unless asked", async () => {
  idc.currentUsage = 49;
  const res = await get("/getUsageLimits?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST", idc.issueAccessToken().accessToken);
  const body = (await res.json()) as any;
  expect(body.usageBreakdownList[0]).toMatchObject({ currentUsageWithPrecision: 49, usageLimitWithPrecision: 50 });
  expect(body.subscriptionInfo.subscriptionTitle).toBe("KIRO FREE");
  expect(body).not.toHaveProperty("userInfo");
});

test("getUsageLimits is bearer-checked and profileArn-checked", async () => {
  expect((await get("/getUsageLimits?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST", "bogus")).status).toBe(403);
  const arn = encodeURIComponent(social.profileArn!);
  const idcWithArn = await get(`/getUsageLimits?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST&profileArn=${arn}`, idc.issueAccessToken().accessToken);
  expect(idcWithArn.status).toBe(403);
  expect(await idcWithArn.json()).toEqual({ message: "The bearer token included in the request is invalid.", reason: null });
  const noParams = await get("/getUsageLimits", social.issueAccessToken().accessToken);
  expect(noParams.status).toBe(400);
});

test("ListAvailableModels lists Kiro's model ids in the §1.4 shape", async () => {
  const res = await get("/ListAvailableModels?origin=AI_EDITOR", idc.issueAccessToken().accessToken);
  expect(res.status).toBe(200);
  const body = (await res.json()) as any;
  const ids = body.models.map((m: any) => m.modelId);
  expect(ids).toContain("auto");
  expect(ids).toContain("claude-sonnet-4.5");
  expect(ids).toContain("claude-opus-4.7");
  expect(ids).toContain("deepseek-3.2");
  expect(body.models[0]).toMatchObject({ tokenLimits: { maxInputTokens: expect.any(Number), maxOutputTokens: expect.any(Number) } });
  expect(body.defaultModel.modelId).toBe("auto");
  expect((await get("/ListAvailableModels?origin=AI_EDITOR", "bogus")).status).toBe(403);
});

test("a simulator of a newer Kiro lists the models it was given", async () => {
  const newer = await KiroSimulator.start({ accounts: [{ name: "n", authMethod: "social" }], models: ["auto", "claude-opus-4.8"] });
  try {
    const res = await fetch(`${newer.url}/ListAvailableModels?origin=AI_EDITOR`, { headers: { authorization: `Bearer ${newer.account("n")!.issueAccessToken().accessToken}` } });
    expect(((await res.json()) as any).models.map((m: any) => m.modelId)).toEqual(["auto", "claude-opus-4.8"]);
  } finally {
    await newer.stop();
  }
});

test("with a page size, ListAvailableModels answers page by page, each with the nextToken of the next", async () => {
  const paged = await KiroSimulator.start({ accounts: [{ name: "p", authMethod: "social" }], models: ["a", "b", "c"], modelsPageSize: 2 });
  try {
    const token = paged.account("p")!.issueAccessToken().accessToken;
    const page = async (next?: string) =>
      (await (await fetch(`${paged.url}/ListAvailableModels?origin=AI_EDITOR${next ? `&nextToken=${next}` : ""}`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    const first = await page();
    expect(first.models.map((m: any) => m.modelId)).toEqual(["a", "b"]);
    const second = await page(first.nextToken);
    expect(second.models.map((m: any) => m.modelId)).toEqual(["c"]);
    expect(second.nextToken).toBeUndefined();
  } finally {
    await paged.stop();
  }
});

test("an API key works as the bearer token only when marked tokentype: API_KEY, and not once revoked", async () => {
  const keyed = await KiroSimulator.start({ accounts: [{ name: "k", authMethod: "api_key" }] });
  try {
    const account = keyed.account("k")!;
    expect(account.credentialJson()).toEqual({ kiroApiKey: account.apiKey, authMethod: "api_key" });
    expect(account.apiKey).toStartWith("ksk_");
    const usage = (headers: Record<string, string>) =>
      fetch(`${keyed.url}/getUsageLimits?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST`, { headers: { authorization: `Bearer ${account.apiKey}`, ...headers } });
    expect((await usage({ tokentype: "API_KEY" })).status).toBe(200);
    expect((await usage({})).status).toBe(403);
    account.revoke();
    expect((await usage({ tokentype: "API_KEY" })).status).toBe(403);
  } finally {
    await keyed.stop();
  }
});

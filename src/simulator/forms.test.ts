import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { KiroSimulator, type SimAccount } from "./simulator";
import { awsJsonChat, chatBody, controlPlane, eventsOf, ideHeaders, restChat, tokenOf } from "./wire-kit";

let sim: KiroSimulator;
let social: SimAccount;
let enterprise: SimAccount;
let builder: SimAccount;
let keyed: SimAccount;

beforeAll(async () => {
  sim = await KiroSimulator.start({ chunking: "whole" });
  social = sim.addAccount({ name: "social", authMethod: "social" });
  enterprise = sim.addAccount({ name: "enterprise", authMethod: "idc", provider: "Enterprise" });
  builder = sim.addAccount({ name: "builder", authMethod: "idc" });
  keyed = sim.addAccount({ name: "keyed", authMethod: "api_key" });
});
afterAll(() => sim.stop());

const withArn = (a: SimAccount, content = "hi") => chatBody(content, { extra: { profileArn: a.profileArn ?? a.listedProfileArn } });

describe("generateAssistantResponse in both encodings (2026 §1.2)", () => {
  test("variant A: POST / with KiroRuntimeService's target and the IDE header set streams a reply, recorded as awsJson", async () => {
    const headers = ideHeaders(tokenOf(social));
    const res = await awsJsonChat(sim.url, headers, withArn(social));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
    expect((await eventsOf(res)).map(([type]) => type).slice(-3)).toEqual(["metadataEvent", "contextUsageEvent", "meteringEvent"]);
    const seen = sim.requests.at(-1)!;
    expect(seen).toMatchObject({ method: "POST", path: "/runtime/us-east-1/", form: "awsJson", target: "KiroRuntimeService.GenerateAssistantResponse", account: "social", status: 200 });
    expect(seen.headers).toMatchObject({ "x-kiro-attempt": "1;max=3", "amz-sdk-request": "attempt=1; max=3", "content-type": "application/x-amz-json-1.0" });
    expect((seen.body as any).profileArn).toBe(social.profileArn);
  });

  test("variant B (kiro-cli's target) and variant D (legacy REST) serve the same account", async () => {
    const b = await awsJsonChat(sim.url, { ...ideHeaders(tokenOf(social)), "x-amz-target": "AmazonCodeWhispererStreamingService.GenerateAssistantResponse" }, withArn(social));
    expect(b.status).toBe(200);
    await b.arrayBuffer();
    const d = await restChat(sim.url, tokenOf(social), chatBody("hi"));
    expect(d.status).toBe(200);
    await d.arrayBuffer();
    expect(sim.requests.at(-1)).toMatchObject({ form: "rest", path: "/q/us-east-1/generateAssistantResponse" });
  });

  test("awsJson needs its content type; an unknown target or one the host does not serve is UnknownOperation 404", async () => {
    const wrongType = await awsJsonChat(sim.url, { ...ideHeaders(tokenOf(social)), "content-type": "application/json" }, withArn(social));
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toEqual({ __type: "com.amazon.coral.service#SerializationException", message: null });
    const unknown = await awsJsonChat(sim.url, { ...ideHeaders(tokenOf(social)), "x-amz-target": "KiroRuntimeService.Nope" }, withArn(social));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ __type: "com.amazon.coral.service#UnknownOperationException", message: null });
    const onManagement = await awsJsonChat(sim.url, ideHeaders(tokenOf(social)), withArn(social), "/management/us-east-1");
    expect(onManagement.status).toBe(404);
    const modelsOnRuntime = await controlPlane(sim.url, "AmazonCodeWhispererService.ListAvailableModels", tokenOf(social), { origin: "KIRO_CLI", profileArn: social.profileArn }, "/runtime/us-east-1");
    expect(modelsOnRuntime.status).toBe(404);
    expect((await modelsOnRuntime.json()).__type).toContain("UnknownOperationException");
  });
});

describe("profileArn per auth kind and host (2026 §1.5)", () => {
  test("the runtime refuses a call without profileArn, for social and IdC alike, with its ValidationException", async () => {
    for (const account of [social, enterprise]) {
      const res = await awsJsonChat(sim.url, ideHeaders(tokenOf(account)), chatBody("hi"));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ __type: "com.amazon.kiro.runtimeservice#ValidationException", message: "profileArn is required for this request." });
      expect(sim.requests.at(-1)!.rejectedBy).toBe("profileArn: missing");
    }
    const restOnRuntime = await restChat(sim.url, tokenOf(social), chatBody("hi"), "/runtime/us-east-1");
    expect(restOnRuntime.status).toBe(400);
    const idcWithItsProfile = await awsJsonChat(sim.url, ideHeaders(tokenOf(enterprise)), withArn(enterprise));
    expect(idcWithItsProfile.status).toBe(200);
    await idcWithItsProfile.arrayBuffer();
  });

  test("q.* keeps serving without an ARN, unless the simulator is told q.* is strict too", async () => {
    const lenient = await restChat(sim.url, tokenOf(social), chatBody("hi"));
    expect(lenient.status).toBe(200);
    await lenient.arrayBuffer();
    const strict = await KiroSimulator.start({ profileArnRequiredOnLegacy: true });
    try {
      const a = strict.addAccount({ name: "a", authMethod: "social" });
      const res = await restChat(strict.url, tokenOf(a), chatBody("hi"));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: "profileArn is required for this request.", reason: null });
    } finally {
      await strict.stop();
    }
  });

  test("an API key passes without ARN when marked; unmarked it reads as a missing ARN", async () => {
    const key = keyed.apiKey!;
    const marked = await awsJsonChat(sim.url, { ...ideHeaders(key), tokentype: "API_KEY" }, chatBody("hi"));
    expect(marked.status).toBe(200);
    await marked.arrayBuffer();
    const unmarked = await awsJsonChat(sim.url, ideHeaders(key), chatBody("hi"));
    expect(unmarked.status).toBe(400);
    expect((await unmarked.json()).message).toBe("profileArn is required for this request.");
  });

  test("on the runtime another profile's ARN is a malformed body; so is a top-level systemPrompt", async () => {
    const other = await awsJsonChat(sim.url, ideHeaders(tokenOf(social)), chatBody("hi", { extra: { profileArn: enterprise.listedProfileArn } }));
    expect(other.status).toBe(400);
    expect(await other.json()).toEqual({ message: "Improperly formed request.", reason: "REQUEST_BODY_INVALID" });
    const system = await awsJsonChat(sim.url, ideHeaders(tokenOf(social)), chatBody("hi", { extra: { profileArn: social.profileArn, systemPrompt: "be brief" } }));
    expect(system.status).toBe(400);
    expect(await system.json()).toEqual({ message: "Improperly formed request.", reason: "REQUEST_BODY_INVALID" });
  });
});

describe("separate throttle pools per form (2026 §1.7)", () => {
  test("a blocked awsJson form answers 429 with Retry-After for one account while REST and other accounts work", async () => {
    sim.blockForm("awsJson", { status: 429, account: "social", times: 2, retryAfterSecs: 30 });
    for (let i = 0; i < 2; i++) {
      const res = await awsJsonChat(sim.url, ideHeaders(tokenOf(social)), withArn(social));
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("30");
      expect(await res.json()).toEqual({ message: "Too many requests, please wait before trying again.", reason: null });
      expect(sim.requests.at(-1)!.rejectedBy).toBe("form blocked: awsJson answers 429");
    }
    const rest = await restChat(sim.url, tokenOf(social), chatBody("hi"));
    expect(rest.status).toBe(200);
    await rest.arrayBuffer();
    const other = await awsJsonChat(sim.url, ideHeaders(tokenOf(enterprise)), withArn(enterprise));
    expect(other.status).toBe(200);
    await other.arrayBuffer();
    // Used up after two calls.
    const again = await awsJsonChat(sim.url, ideHeaders(tokenOf(social)), withArn(social));
    expect(again.status).toBe(200);
    await again.arrayBuffer();
  });

  test("a form may answer 403 or 404 until unblocked", async () => {
    sim.blockForm("rest", { status: 404 });
    const gone = await restChat(sim.url, tokenOf(social), chatBody("hi"));
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ message: "Not Found" });
    sim.unblockForm("rest");
    sim.blockForm("awsJson", { status: 403 });
    const refused = await awsJsonChat(sim.url, ideHeaders(tokenOf(social)), withArn(social));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: "The bearer token included in the request is invalid.", reason: null });
    sim.unblockForm("awsJson");
    const back = await restChat(sim.url, tokenOf(social), chatBody("hi"));
    expect(back.status).toBe(200);
    await back.arrayBuffer();
  });
});

describe("options for what is unconfirmed", () => {
  test("restOnRuntimeRefused: the REST path on runtime is REQUEST_BODY_INVALID, q.* still serves", async () => {
    const s = await KiroSimulator.start({ restOnRuntimeRefused: true });
    try {
      const a = s.addAccount({ name: "a", authMethod: "social" });
      const c = await restChat(s.url, tokenOf(a), chatBody("hi", { extra: { profileArn: a.profileArn } }), "/runtime/us-east-1");
      expect(c.status).toBe(400);
      expect(await c.json()).toEqual({ message: "Improperly formed request.", reason: "REQUEST_BODY_INVALID" });
      const d = await restChat(s.url, tokenOf(a), chatBody("hi"));
      expect(d.status).toBe(200);
      await d.arrayBuffer();
    } finally {
      await s.stop();
    }
  });

  test("clientHeadersRequired: an IDE target with a kiro-cli user agent is refused as a bad token", async () => {
    const s = await KiroSimulator.start({ clientHeadersRequired: true });
    try {
      const a = s.addAccount({ name: "a", authMethod: "social" });
      const body = chatBody("hi", { extra: { profileArn: a.profileArn } });
      const ok = await awsJsonChat(s.url, ideHeaders(tokenOf(a)), body);
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
      const cliUa = "aws-sdk-rust/1.3.15 ua/2.1 api/codewhispererstreaming/0.1.17975 os/linux lang/rust/1.92.0 m/F app/AmazonQ-For-CLI";
      const mixed = await awsJsonChat(s.url, { ...ideHeaders(tokenOf(a)), "x-amz-user-agent": cliUa, "user-agent": cliUa }, body);
      expect(mixed.status).toBe(403);
      const cli = await awsJsonChat(
        s.url,
        { ...ideHeaders(tokenOf(a)), "x-amz-target": "AmazonCodeWhispererStreamingService.GenerateAssistantResponse", "x-amz-user-agent": cliUa, "user-agent": cliUa },
        body,
      );
      expect(cli.status).toBe(200);
      await cli.arrayBuffer();
    } finally {
      await s.stop();
    }
  });
});

describe("the control plane (2026 §1.6)", () => {
  test("ListAvailableModels by awsJson on management: origin and profileArn required, entries carry their schema", async () => {
    const token = tokenOf(social);
    const ok = await controlPlane(sim.url, "KiroControlPlaneBearerService.ListAvailableModels", token, { origin: "KIRO_CLI", profileArn: social.profileArn });
    expect(ok.status).toBe(200);
    const body = await ok.json();
    const sonnet46 = body.models.find((m: any) => m.modelId === "claude-sonnet-4.6");
    expect(sonnet46.additionalModelRequestFieldsSchema.properties.output_config.properties.effort.enum).toEqual(["low", "medium", "high", "max"]);
    expect(body.models.find((m: any) => m.modelId === "claude-sonnet-4.5")).not.toHaveProperty("additionalModelRequestFieldsSchema");
    const noOrigin = await controlPlane(sim.url, "AmazonCodeWhispererService.ListAvailableModels", token, { profileArn: social.profileArn });
    expect(noOrigin.status).toBe(400);
    const badOrigin = await controlPlane(sim.url, "AmazonCodeWhispererService.ListAvailableModels", token, { origin: "NOPE", profileArn: social.profileArn });
    expect(await badOrigin.json()).toEqual({ __type: "ValidationException", message: "Invalid origin" });
    const noArn = await controlPlane(sim.url, "AmazonCodeWhispererService.ListAvailableModels", token, { origin: "AI_EDITOR" });
    expect(noArn.status).toBe(400);
    expect(await noArn.json()).toEqual({ __type: "ValidationException", message: "Invalid profileArn" });
  });

  test("a bad bearer token on management is 400 AccessDenied, on q.* it stays 403", async () => {
    const management = await controlPlane(sim.url, "AmazonCodeWhispererService.ListAvailableProfiles", "bogus", { maxResults: 10 });
    expect(management.status).toBe(400);
    expect((await management.json()).__type).toContain("AccessDeniedException");
    const q = await controlPlane(sim.url, "AmazonCodeWhispererService.ListAvailableProfiles", "bogus", { maxResults: 10 }, "/q/us-east-1");
    expect(q.status).toBe(403);
  });

  test("ListAvailableProfiles names an Enterprise IdC account's profile; a Builder ID is refused", async () => {
    const res = await controlPlane(sim.url, "AmazonCodeWhispererService.ListAvailableProfiles", tokenOf(enterprise), { maxResults: 10 });
    expect(await res.json()).toEqual({
      profiles: [{ arn: enterprise.listedProfileArn, profileName: "KiroProfile-us-east-1", identityDetails: { ssoIdentityDetails: { ssoRegion: "us-east-1" } } }],
      nextToken: null,
    });
    expect(enterprise.listedProfileArn).toMatch(/^arn:aws:codewhisperer:us-east-1:\d{12}:profile\/[A-Z0-9]{12}$/);
    const refused = await controlPlane(sim.url, "AmazonCodeWhispererService.ListAvailableProfiles", tokenOf(builder), { maxResults: 10 });
    expect(refused.status).toBe(403);
    expect((await refused.json()).message).toBe("AWS Builder ID is not supported for this operation.");
  });

  test("getUsageLimits by awsJson takes its parameters from the body; a legacy GET with an IdC's resolved ARN is malformed", async () => {
    const res = await controlPlane(sim.url, "AmazonCodeWhispererService.GetUsageLimits", tokenOf(social), { isEmailRequired: true, profileArn: social.profileArn }, "/codewhisperer.us-east-1.amazonaws.com");
    expect(res.status).toBe(200);
    expect((await res.json()).userInfo.email).toBe(social.email);
    const arn = encodeURIComponent(enterprise.listedProfileArn!);
    const legacy = await fetch(`${sim.url}/q/us-east-1/getUsageLimits?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST&profileArn=${arn}`, {
      headers: { authorization: `Bearer ${tokenOf(enterprise)}` },
    });
    expect(legacy.status).toBe(400);
    expect(await legacy.json()).toEqual({ message: "Improperly formed request." });
  });
});

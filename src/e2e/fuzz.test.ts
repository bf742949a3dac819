/**
 * Bad input: the fuzz, shortened (the full one is scripts/fuzz.ts), and what a stranger, a broken client and a
 * hostile one each hear, case by case.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { KiroSimulator } from "../simulator/simulator";
import { type GatewayProcess, spawnGateway } from "./drive";
import { post, startGateway, type Gateway } from "./harness";
import { type FuzzReport, formatFuzzReport, hostileRequests, ROUTES, runFuzz, strangerRequests } from "./hostile";

const PER_ROUTE = 150;
const STRANGERS_PER_ROUTE = 15;

describe(`the fuzz: ${PER_ROUTE} hostile requests to every route, then strangers`, () => {
  let sim: KiroSimulator;
  let gw: GatewayProcess;
  let report: FuzzReport;
  let summary: string;
  beforeAll(async () => {
    sim = await KiroSimulator.start({ chunking: "random", seed: 5, maxRecordedRequests: 100 });
    gw = await spawnGateway({ sim, accounts: ["a", "b", "c"].map((name) => ({ name, authMethod: "social" as const, usageLimit: 1e9 })) });
    const keys = { apiKey: gw.apiKey, adminKey: gw.adminKey };
    report = await runFuzz(gw, [hostileRequests(keys, { perRoute: PER_ROUTE, seed: 5 }), strangerRequests(keys, { perRoute: STRANGERS_PER_ROUTE, seed: 6 })], {
      concurrency: 16,
      deadlineMs: 60_000,
      secrets: () => gw.secrets(),
    });
    summary = formatFuzzReport(report);
  }, 120_000);
  // SIGTERM lets requests still in the gateway finish (up to its 10 s grace), so stopping may take a while.
  afterAll(async () => {
    await gw.stop();
    await sim.stop();
  }, 20_000);

  test("every route was attacked; the gateway is alive, never hung, let no stranger in", () => {
    for (const route of ROUTES) expect(report.routes.get(route)!.requests, route).toBeGreaterThanOrEqual(PER_ROUTE);
    expect(report.alive, summary).toBe(true);
    expect(report.hangs, summary).toBe(0);
    expect(report.strangersServed, summary).toBe(0);
    expect(report.secretsInLog, summary).toBe(0);
  });

  test("every route: no 5xx, no secret, every answer what a correct gateway says", () => {
    for (const [route, counts] of report.routes) expect(counts.error5xx, `${route}\n${summary}`).toBe(0);
    expect(report.leaks, summary).toBe(0);
    expect(report.violations.entries(), summary).toEqual([]);
  });

  test("memory stays under a ceiling with 16 requests in flight, some of 10–52 MB", () => {
    expect(report.rss.peak ?? 0, summary).toBeLessThan(1.5 * 1024 * 1024 * 1024);
  });
});

const hello = { model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "hello" }] };
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("hostile input, case by case", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(() => g.stop());

  test.each(["/v1/messages", "/v1/messages/count_tokens"])("%s: a stranger's body is not read: 401 whatever it holds", async (path) => {
    for (const body of ["{not json", nested(100_000), JSON.stringify({ model: 5 })]) {
      const res = await post(g, path, body, { "x-api-key": "sk-a-stranger" });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
    }
  });

  test.each(["/v1/messages", "/v1/messages/count_tokens"])("%s: nesting deeper than 128 levels is a 400 saying so, at any depth", async (path) => {
    for (const depth of [129, 30_000, 1_000_000]) {
      const res = await post(g, path, `{"model":"claude-sonnet-4-6","max_tokens":1,"messages":[],"extra":${nested(depth)}}`);
      expect(res.status).toBe(400);
      expect(res.json.error.message).toBe("the request body nests arrays and objects deeper than 128 levels");
    }
    const fine = await post(g, path, { ...hello, metadata: { deep: JSON.parse(nested(100)) } });
    expect(fine.status).toBe(200);
  });

  test.each(["/v1/chat/completions", "/v1/responses"])("%s: a stranger hears an OpenAI 401, deep nesting an OpenAI 400 naming it", async (path) => {
    for (const body of ["{not json", nested(100_000), JSON.stringify({ model: 5 })]) {
      const res = await post(g, path, body, { "x-api-key": "", authorization: "Bearer sk-a-stranger" });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: { message: "Incorrect API key provided: send this gateway's client key as Authorization: Bearer <key>", type: "invalid_request_error", param: null, code: "invalid_api_key" } });
    }
    const deep = await post(g, path, `{"model":"claude-sonnet-4-6","input":"hi","messages":[],"extra":${nested(30_000)}}`);
    expect(deep.status).toBe(400);
    expect(deep.json).toEqual({ error: { message: "the request body nests arrays and objects deeper than 128 levels", type: "invalid_request_error", param: null, code: null } });
  });

  test("brackets inside strings are text, not nesting, whatever escapes come before a quote", async () => {
    for (const content of ["[".repeat(10_000), 'a \\" [[[[ \\', '\\"' + "{[".repeat(500)]) {
      const res = await post(g, "/v1/messages", { ...hello, messages: [{ role: "user", content }], metadata: { user_id: "]]]]" } });
      expect(res.status, res.text).toBe(200);
    }
    const escaped = await post(g, "/v1/messages", `{"model":"claude-sonnet-4-6","max_tokens":8,"messages":[{"role":"user","content":"\\\\"}],"x":${nested(129)}}`);
    expect(escaped.json.error.message).toBe("the request body nests arrays and objects deeper than 128 levels");
  });

  test("an empty body, and a body sent without a JSON content type", async () => {
    const empty = await post(g, "/v1/messages", "");
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toBe("the request body is empty; send a JSON object");
    // curl -d without -H sends application/x-www-form-urlencoded: the JSON is read all the same.
    const res = await post(g, "/v1/messages", JSON.stringify(hello), { "content-type": "application/x-www-form-urlencoded" });
    expect(res.status).toBe(200);
    expect(res.json.content[0].text).toContain("You said: hello");
  });

  test("count_tokens checks blocks as /v1/messages does", async () => {
    const bogus = { ...hello, messages: [{ role: "user", content: [{ type: "bogus" }] }] };
    for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
      const res = await post(g, path, bogus);
      expect(res.status).toBe(400);
      expect(res.json.error.message).toBe('messages.0.content.0: unknown content block type "bogus"');
    }
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: "!!not base64" } };
    const res = await post(g, "/v1/messages/count_tokens", { model: hello.model, messages: [{ role: "user", content: [image] }] });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe('messages.0.content.0: image data is not valid base64: character "!" at offset 0 is not in the base64 alphabet');
    // Fields only /v1/messages knows are passed over unchecked, so they must not reach the conversion.
    const odd = await post(g, "/v1/messages/count_tokens", { ...hello, metadata: { user_id: 5 }, output_config: { effort: [] } });
    expect(odd.status).toBe(200);
    expect(odd.json.input_tokens).toBeGreaterThan(0);
  });

  test("a lone surrogate reaches Kiro as U+FFFD", async () => {
    g.sim.clearRequests();
    const res = await post(g, "/v1/messages", '{"model":"claude-sonnet-4-6","max_tokens":8,"messages":[{"role":"user","content":"half \\ud83d"}]}');
    expect(res.status).toBe(200);
    const sent = g.sim.requests.find((r) => r.path.endsWith("/generateAssistantResponse"))!.body as any;
    expect(sent.conversationState.currentMessage.userInputMessage.content).toBe("half \ufffd");
  });

  test("unknown routes under /v1 are Anthropic 404s", async () => {
    const cases = [
      ["POST", "/v1/complete", "no route POST /v1/complete; the APIs are POST /v1/messages (Anthropic), POST /v1/chat/completions and POST /v1/responses (OpenAI), the admin UI is at /"],
      ["GET", "/v1/messages", "no route GET /v1/messages: /v1/messages takes POST"],
      ["DELETE", "/v1/models", "no route DELETE /v1/models: /v1/models takes GET"],
      ["POST", "/v1/v1/messages", `no route POST /v1/v1/messages: the API is at /v1/messages; set the client's base URL to ${g.url} (no /v1 or other path)`],
    ] as const;
    for (const [method, path, message] of cases) {
      const res = await fetch(g.url + path, { method, headers: { "x-api-key": g.apiKey } });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ type: "error", error: { type: "not_found_error", message } });
    }
  });

  test("paths outside /v1 that a misconfigured client sends get an Anthropic 404 that names the fix", async () => {
    const cases = [
      ["POST", "/api/v1/messages", `set the client's base URL to ${g.url} (no /v1 or other path)`],
      ["POST", "/messages", `set this client's base URL to ${g.url}/v1`],
      ["POST", "/chat/completions", `the API is at /v1/chat/completions; set this client's base URL to ${g.url}/v1`],
      ["PATCH", "/", "the APIs are POST /v1/messages (Anthropic)"],
      ["GET", "/no-such-page", "the APIs are POST /v1/messages (Anthropic)"],
    ] as const;
    for (const [method, path, hint] of cases) {
      const res = await fetch(g.url + path, { method, headers: { "x-api-key": g.apiKey } });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/json");
      const body = (await res.json()) as { type: string; error: { type: string; message: string } };
      expect(body.type).toBe("error");
      expect(body.error.type).toBe("not_found_error");
      expect(body.error.message).toContain(hint);
    }
  });

  test("a huge model name is not echoed whole", async () => {
    const res = await post(g, "/v1/messages", { ...hello, model: "m".repeat(1_000_000) });
    expect(res.status).toBe(400);
    expect(res.text.length).toBeLessThan(3_000);
    expect(res.json.error.message).toContain("is not supported");
  });
});

describe("the admin API, case by case", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(() => g.stop());
  const admin = (path: string, body: string, key = g.adminKey) => post(g, path, body, { "x-api-key": key });

  test("unknown /admin paths and methods answer with the admin envelope, not a plain-text NOT_FOUND", async () => {
    for (const [method, path] of [["PUT", "/admin/accounts"], ["POST", "/admin/pool/status"], ["GET", "/admin/nothing"]] as const) {
      const res = await fetch(g.url + path, { method, headers: { "x-api-key": g.adminKey } });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ success: false, error: expect.any(String) });
    }
  });

  test("a stranger's body on /admin is not read: 401, not a validation error", async () => {
    const res = await admin("/admin/accounts", JSON.stringify({ name: 5 }), "a-stranger");
    expect(res.status).toBe(401);
  });

  test("deep nesting in an admin body is a 400, not a 500 'Maximum call stack size exceeded'", async () => {
    const res = await admin("/admin/accounts/check", `{"name":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    expect(res.status).toBe(400);
  });

  test("a body that is not an object is a 400, never read as {} (for /credentials: every credential)", async () => {
    for (const path of ["/admin/accounts/credentials", "/admin/accounts/batch-check"]) {
      const res = await admin(path, '"x"');
      expect(res.status).toBe(400);
      expect(res.text).not.toContain(g.services.pool.accounts[0]!.credential.refreshToken!);
    }
  });
});

import { expect, test } from "bun:test";
import { constraintsOf, fieldsOf, groupOperations, listOperations, matchesQuery, type OpenApiDocument, typeLabel } from "./openapi";

/** The shapes @elysiajs/swagger writes from the routes' TypeBox schemas (cut down from /swagger/json). */
const doc: OpenApiDocument = {
  openapi: "3.0.3",
  info: { title: "kiro-ts", version: "0.1.0" },
  paths: {
    "/health": { get: { operationId: "getHealth", responses: { "200": {} } } },
    "/v1/messages": {
      post: {
        operationId: "postV1Messages",
        parameters: [],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["model", "max_tokens"],
                properties: {
                  model: { type: "string", minLength: 1 },
                  max_tokens: { type: "integer", minimum: 1, maximum: 9007199254740991 },
                  system: { anyOf: [{ type: "string" }, { type: "array", items: { type: "object", required: ["text"], properties: { text: { type: "string" } } } }] },
                },
              },
            },
            "multipart/form-data": { schema: { type: "object" } },
          },
        },
        responses: { "200": {} },
      },
    },
    "/v1/models": { get: { responses: { "200": {} } } },
    "/admin/accounts": {
      get: {
        summary: "Every account",
        responses: {
          "200": {
            description: "The envelope",
            content: { "application/json": { schema: { type: "object", properties: { data: { type: "array", items: { $ref: "#/components/schemas/Account" } } } } } },
          },
        },
      },
      post: { summary: "Add an account", responses: {} },
    },
    "/admin/usage": {
      get: {
        summary: "Usage",
        parameters: [{ name: "by", in: "query", required: true, schema: { anyOf: [{ const: "key", type: "string" }, { const: "model", type: "string" }] } }],
        responses: {},
      },
    },
    "/metrics": { get: { summary: "Prometheus metrics", responses: {} } },
  },
  components: {
    schemas: {
      Account: {
        type: "object",
        required: ["name"],
        properties: { name: { type: "string" }, expires_at: { anyOf: [{ type: "string", format: "date-time" }, { type: "null" }] }, credits: { type: "number", exclusiveMinimum: 0 } },
      },
    },
  },
};

const ops = listOperations(doc);
const op = (method: string, path: string) => {
  const found = ops.find((o) => o.method === method && o.path === path);
  if (!found) throw new Error(`no ${method} ${path}`);
  return found;
};

test("every operation in the document's order, methods in HTTP's, each with what it takes and answers", () => {
  expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual([
    "GET /health",
    "POST /v1/messages",
    "GET /v1/models",
    "GET /admin/accounts",
    "POST /admin/accounts",
    "GET /admin/usage",
    "GET /metrics",
  ]);
  const messages = op("POST", "/v1/messages");
  expect(messages.requestBody?.contentTypes).toEqual(["application/json", "multipart/form-data"]);
  expect(messages.requestBody?.required).toBe(true);
  expect(messages.requestBody?.schema?.required).toEqual(["model", "max_tokens"]);
  expect(op("GET", "/admin/usage").parameters).toEqual([{ name: "by", in: "query", required: true, description: undefined, schema: expect.any(Object) }]);
  const accounts = op("GET", "/admin/accounts").responses;
  expect(accounts.map((r) => [r.status, r.description, r.body?.contentTypes])).toEqual([["200", "The envelope", ["application/json"]]]);
  expect(op("GET", "/health").responses).toEqual([{ status: "200", description: undefined, body: undefined }]);
});

test("groups by the path's first segment; operations alone in theirs go last, together", () => {
  expect(groupOperations(ops).map((g) => [g.name, g.operations.map((o) => `${o.method} ${o.path}`)])).toEqual([
    ["/v1", ["POST /v1/messages", "GET /v1/models"]],
    ["/admin", ["GET /admin/accounts", "POST /admin/accounts", "GET /admin/usage"]],
    ["", ["GET /health", "GET /metrics"]],
  ]);
});

test("a search matches every word against the method, path, summary and operation id", () => {
  const found = (query: string) => ops.filter((o) => matchesQuery(o, query)).map((o) => `${o.method} ${o.path}`);
  expect(found("ACCOUNT")).toEqual(["GET /admin/accounts", "POST /admin/accounts"]);
  expect(found("post account")).toEqual(["POST /admin/accounts"]);
  expect(found("postV1")).toEqual(["POST /v1/messages"]);
  expect(found("  ")).toHaveLength(ops.length);
  expect(found("nothing-like-it")).toEqual([]);
});

test("type labels: scalars, arrays, unions of consts, nullables and named schemas", () => {
  const body = op("POST", "/v1/messages").requestBody?.schema ?? {};
  const [model, maxTokens, system] = fieldsOf(doc, body);
  expect(typeLabel(doc, model?.schema ?? {})).toBe("string");
  expect(typeLabel(doc, maxTokens?.schema ?? {})).toBe("integer");
  expect(typeLabel(doc, system?.schema ?? {})).toBe("string | object[]");
  expect(typeLabel(doc, op("GET", "/admin/usage").parameters[0]?.schema ?? {})).toBe('"key" | "model"');
  expect(typeLabel(doc, { type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } })).toBe("(string | integer)[]");
  expect(typeLabel(doc, { type: "string", nullable: true })).toBe("string | null");
  expect(typeLabel(doc, { $ref: "#/components/schemas/Account" })).toBe("Account");
  expect(typeLabel(doc, {})).toBe("any");
});

test("constraints in JSON Schema's terms; Number.MAX_SAFE_INTEGER is no limit worth showing", () => {
  const [model, maxTokens] = fieldsOf(doc, op("POST", "/v1/messages").requestBody?.schema ?? {});
  expect(constraintsOf(model?.schema ?? {})).toEqual(["length ≥ 1"]);
  expect(constraintsOf(maxTokens?.schema ?? {})).toEqual(["≥ 1"]);
  expect(constraintsOf({ type: "number", exclusiveMinimum: 0 })).toEqual(["> 0"]);
  expect(constraintsOf({ type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1 })).toEqual(["> 0", "≤ 1"]);
  expect(constraintsOf({ type: "string", format: "date-time", default: "now" })).toEqual(["date-time", 'default "now"']);
});

test("fields: properties with their required flag, through arrays, refs, nullables and unions", () => {
  const envelope = op("GET", "/admin/accounts").responses[0]?.body?.schema ?? {};
  const [data] = fieldsOf(doc, envelope);
  expect(data?.name).toBe("data");
  const account = fieldsOf(doc, data?.schema ?? {});
  expect(account.map((f) => [f.name, f.required])).toEqual([
    ["name", true],
    ["expires_at", false],
    ["credits", false],
  ]);
  // `string | null` is a scalar: nothing under it.
  expect(fieldsOf(doc, account[1]?.schema ?? {})).toEqual([]);
  // `string | {text}[]`: one variant with fields of its own, so both variants show, unnamed.
  const system = fieldsOf(doc, op("POST", "/v1/messages").requestBody?.schema ?? {})[2];
  const variants = fieldsOf(doc, system?.schema ?? {});
  expect(variants.map((v) => [v.name, typeLabel(doc, v.schema)])).toEqual([
    [undefined, "string"],
    [undefined, "object[]"],
  ]);
  expect(fieldsOf(doc, variants[1]?.schema ?? {}).map((f) => f.name)).toEqual(["text"]);
  expect(fieldsOf(doc, { type: "string" })).toEqual([]);
});

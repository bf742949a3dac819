/**
 * The mock speaks the server's contract: each of its answers is what src/admin/model.ts allows, with no field the
 * real server would not send — so browser tests against the mock test the UI against the real shapes.
 */
import { expect, test } from "bun:test";
import { type TSchema, Type as t } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import * as m from "../../src/admin/model";
import { createMockAdmin } from "./mock-admin";

const KEY = "admin-mock-test";
// 25 accounts: some cooling, one disabled.
const mock = createMockAdmin({ accounts: 25, adminKey: KEY, checkDelayMs: 0 });

async function answer(method: string, path: string, body?: unknown, accept = "application/json") {
  const res = await mock.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers: { "x-api-key": KEY, "content-type": "application/json", accept },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return res.json();
}

/** Valid for `schema`, and nothing the server's schema would strip. */
function expectShape(schema: TSchema, value: unknown) {
  expect([...Value.Errors(schema, value)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
  expect(Value.Clean(schema, structuredClone(value))).toEqual(value);
}

test("every answer of the mock has the server's shape", async () => {
  const name = mock.accounts[0]!.name;
  const cases: Array<[TSchema, string, string, unknown?]> = [
    [m.PoolStatus, "GET", "/admin/pool/status"],
    [t.Array(m.AccountInfo), "GET", "/admin/accounts"],
    [m.ServerConfig, "GET", "/admin/config"],
    [m.CheckResult, "POST", "/admin/accounts/check", { name }],
    [m.BatchCheckSummary, "POST", "/admin/accounts/batch-check", { names: [name, "ghost"] }],
    [m.RefreshResult, "POST", "/admin/accounts/refresh", { name }],
    [t.Array(m.CredentialsExport), "POST", "/admin/accounts/credentials", {}],
    [m.AccountInfo, "POST", "/admin/accounts", { name: "new-one", refreshToken: "rt-new" }],
    [m.AccountInfo, "POST", "/admin/accounts", { name: "new-key", kiroApiKey: "ksk_new" }],
    [m.ImportSsoResult, "POST", "/admin/accounts/import-sso", { name: "sso-one", ssoToken: "a-long-sso-token" }],
    [t.Null(), "POST", "/admin/accounts/reset", { name }],
    [t.Null(), "POST", "/admin/accounts/remove", { name: "new-one" }],
  ];
  for (const [data, method, path, body] of cases) expectShape(m.answers(data)[200], await answer(method, path, body));
});

test("the mock's logical failures and NDJSON lines have the server's shape", async () => {
  expectShape(m.Failure, await answer("POST", "/admin/accounts/refresh", { name: "nobody" }));
  expectShape(m.Failure, await answer("POST", "/admin/accounts", { name: mock.accounts[1]!.name, refreshToken: "rt" }));

  const res = await mock.handle(
    new Request("http://localhost/admin/accounts/batch-check", {
      method: "POST",
      headers: { "x-api-key": KEY, accept: "application/x-ndjson" },
      body: JSON.stringify({ names: mock.accounts.map((a) => a.name) }),
    }),
  );
  const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
  const { type: last, ...summary } = lines.pop();
  expect(last).toBe("done");
  expectShape(m.BatchCheckSummary, summary);
  for (const { result } of lines) expectShape(m.CheckResult, result);
});

import { describe, expect, test } from "bun:test";
import { AdminApiError, AdminClient, type Fetcher, UnauthorizedError } from "./client";
import type { CheckAccountResponse } from "./types";

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function fakeServer(answer: (call: Call) => Response) {
  const calls: Call[] = [];
  const fetcher: Fetcher = async (url, init) => {
    const call = { url, method: init.method ?? "GET", headers: init.headers as Record<string, string>, body: init.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    return answer(call);
  };
  return { calls, client: new AdminClient("admin-key-1", fetcher) };
}

const envelope = (data: unknown) => Response.json({ success: true, data });

describe("AdminClient", () => {
  test("sends the admin key and JSON body to /admin/… and unwraps data", async () => {
    const { calls, client } = fakeServer(() => envelope({ name: "a", healthy: true }));
    expect(await client.addAccount({ name: "a", refreshToken: "rt" })).toEqual({ name: "a", healthy: true } as never);
    expect(calls[0]).toEqual({
      url: "/admin/accounts",
      method: "POST",
      headers: { "x-api-key": "admin-key-1", accept: "application/json", "content-type": "application/json" },
      body: { name: "a", refreshToken: "rt" },
    });
  });

  test("remove sends the seed's snake_case delete_file", async () => {
    const { calls, client } = fakeServer(() => envelope(null));
    await client.removeAccount("a", true);
    expect(calls[0]?.body).toEqual({ name: "a", delete_file: true });
  });

  test("a logical error becomes AdminApiError with the server's message", async () => {
    const { client } = fakeServer(() => Response.json({ success: false, error: "账号名称不能为空" }));
    const error = await client.addAccount({ name: "", refreshToken: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect((error as Error).message).toBe("账号名称不能为空");
  });

  test("HTTP 401 becomes UnauthorizedError", async () => {
    const { client } = fakeServer(() => Response.json({ success: false, error: "Invalid admin API key" }, { status: 401 }));
    const error = await client.config().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toBe("Invalid admin API key");
  });

  test("an answer that is not the envelope is an error, not data", async () => {
    const { client } = fakeServer(() => new Response("<html>proxy error</html>", { status: 502 }));
    expect((await client.poolStatus().catch((e: unknown) => e)) as Error).toBeInstanceOf(AdminApiError);
  });
});

describe("batchCheck", () => {
  const result = (name: string, error?: string): CheckAccountResponse => ({ name, healthy: !error, currentUsage: 1, usageLimit: 50, usagePercent: 2, ...(error ? { error } : {}) });

  test("asks for NDJSON and reports each streamed line as it comes", async () => {
    const lines = [
      { type: "progress", done: 1, total: 2, result: result("a") },
      { type: "progress", done: 2, total: 2, result: result("b", "expired") },
      { type: "done", results: [result("a"), result("b", "expired")], success_count: 1, failed_count: 1 },
    ];
    const { calls, client } = fakeServer(() => new Response(lines.map((l) => JSON.stringify(l)).join("\n"), { headers: { "content-type": "application/x-ndjson" } }));
    const seen: string[] = [];
    const outcome = await client.batchCheck(["a", "b"], (done, total, r) => seen.push(`${done}/${total} ${r.name}${r.error ? " failed" : ""}`));
    expect(calls[0]?.headers.accept).toBe("application/x-ndjson");
    expect(calls[0]?.body).toEqual({ names: ["a", "b"] });
    expect(seen).toEqual(["1/2 a", "2/2 b failed"]);
    expect(outcome).toMatchObject({ success_count: 1, failed_count: 1 });
  });

  test("falls back to the plain envelope, reporting all results at once", async () => {
    const { client } = fakeServer(() => envelope({ results: [result("a"), result("b")], success_count: 2, failed_count: 0 }));
    const seen: number[] = [];
    const outcome = await client.batchCheck(["a", "b"], (done) => seen.push(done));
    expect(seen).toEqual([1, 2]);
    expect(outcome.success_count).toBe(2);
  });

  test("a stream that stops before its done line is an error", async () => {
    const { client } = fakeServer(() => new Response(`${JSON.stringify({ type: "progress", done: 1, total: 2, result: result("a") })}\n`, { headers: { "content-type": "application/x-ndjson" } }));
    expect(await client.batchCheck(["a", "b"], () => undefined).catch((e: unknown) => e)).toBeInstanceOf(AdminApiError);
  });
});

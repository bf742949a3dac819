/**
 * The API reference through the whole app: the OpenAPI document stays open to anyone (it holds no secret and
 * describes what the README already does), and `/swagger` is never the plugin's page that runs a CDN viewer.
 * With no UI built into this process, `/swagger` is the note on how to get it; the built UI's page is tested
 * in headless Chromium against the binary (ui/e2e/api-reference.e2e.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Gateway, startGateway } from "../e2e/harness";

let g: Gateway;
beforeAll(async () => {
  g = await startGateway();
});
afterAll(() => g.stop());

describe("/swagger", () => {
  test("/swagger/json is the OpenAPI document, without a key", async () => {
    const res = await fetch(`${g.url}/swagger/json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("application/json");
    const spec = (await res.json()) as { openapi: string; info: { title: string }; paths: Record<string, Record<string, { summary?: string }>> };
    expect(spec.openapi).toBe("3.0.3");
    expect(spec.info.title).toBe("kiro-ts");
    expect(Object.keys(spec.paths["/v1/messages"] ?? {})).toEqual(["post"]);
    expect(spec.paths["/admin/accounts"]?.get?.summary).toBe("Every account");
    // Neither page is an operation of the API.
    expect(spec.paths["/swagger"]).toBeUndefined();
  });

  test("/swagger loads no script, from anywhere, and sends a CSP", async () => {
    const res = await fetch(`${g.url}/swagger`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).not.toContain("<script");
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain("/swagger/json");
  });
});

/** proxyUrl: every upstream call — refresh, chat, usage — goes through the configured HTTP proxy, with its credentials. */
import { afterAll, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import { post, startGateway, type Gateway } from "./harness";

/** A minimal forward proxy: takes absolute-form requests, forwards them, streams the answer back. */
function forwardProxy(seen: string[], bodies: string[] = []): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    seen.push(`${req.method} ${new URL(req.url!).pathname} ${req.headers["proxy-authorization"] ?? "-"}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const received = chunks.reduce((n, c) => n + c.length, 0);
    if (received) bodies.push(`${received} bytes, content-length ${req.headers["content-length"]}, transfer-encoding ${req.headers["transfer-encoding"] ?? "none"}`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && !k.startsWith("proxy-") && k !== "host") headers[k] = v;
    const up = await fetch(req.url!, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    res.writeHead(up.status, Object.fromEntries(up.headers));
    for await (const c of up.body!) res.write(c);
    res.end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

let g: Gateway;
let proxy: Server;
afterAll(async () => {
  await g.stop();
  proxy.close();
});

test("refresh, chat and quota checks all travel through proxyUrl with its credentials", async () => {
  const seen: string[] = [];
  const bodies: string[] = [];
  const p = await forwardProxy(seen, bodies);
  proxy = p.server;
  g = await startGateway({
    config: { proxyUrl: p.url, proxyUsername: "proxy-user", proxyPassword: "s3cret" },
    credentialExtras: { expiresAt: "2020-01-01T00:00:00Z" },
  });
  const res = await post(g, "/v1/messages", { model: "claude-sonnet-4-6", max_tokens: 20, stream: true, messages: [{ role: "user", content: "hi" }] });
  expect(res.status).toBe(200);
  expect(res.text).toContain("event: message_stop");
  await fetch(g.url + "/admin/accounts/check", { method: "POST", headers: { "x-api-key": g.adminKey, "content-type": "application/json" }, body: '{"name":"solo"}' });
  // A large request's Kiro body is streamed to fetch (request-bytes.ts): through the proxy too, with its length declared.
  const large = await post(g, "/v1/messages", { model: "claude-sonnet-4-6", max_tokens: 20, messages: [{ role: "user", content: "long\n\tline ".repeat(20_000) }] });
  expect(large.status).toBe(200);
  const auth = `Basic ${btoa("proxy-user:s3cret")}`;
  expect(seen).toEqual([`POST /refreshToken ${auth}`, `POST /generateAssistantResponse ${auth}`, `GET /getUsageLimits ${auth}`, `POST /generateAssistantResponse ${auth}`]);
  const last = bodies.at(-1)!;
  const bytes = Number(last.split(" ")[0]);
  expect(bytes).toBeGreaterThan(200_000);
  expect(last).toBe(`${bytes} bytes, content-length ${bytes}, transfer-encoding none`);
});

test("where the environment names a proxy, the chat goes through fetch, which honours it; else on the gateway's own connections", async () => {
  const chats: string[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    if (String(input instanceof Request ? input.url : input).includes("generateAssistantResponse")) chats.push("fetch");
    return realFetch(input, init);
  }) as typeof fetch;
  const saved = process.env.HTTPS_PROXY;
  const gateways: Gateway[] = [];
  try {
    // Read when the gateway starts; unset again before any call, so that fetch itself goes direct in this test.
    process.env.HTTPS_PROXY = "http://127.0.0.1:9";
    const named = await startGateway();
    gateways.push(named);
    if (saved === undefined) delete process.env.HTTPS_PROXY;
    else process.env.HTTPS_PROXY = saved;
    const plain = await startGateway();
    gateways.push(plain);
    const hello = { model: "claude-sonnet-4-6", max_tokens: 20, messages: [{ role: "user", content: "hi" }] };
    expect((await post(plain, "/v1/messages", hello)).status).toBe(200);
    expect(chats).toEqual([]);
    expect((await post(named, "/v1/messages", hello)).status).toBe(200);
    expect(chats).toEqual(["fetch"]);
  } finally {
    globalThis.fetch = realFetch;
    if (saved === undefined) delete process.env.HTTPS_PROXY;
    else process.env.HTTPS_PROXY = saved;
    for (const gateway of gateways) await gateway.stop();
  }
});

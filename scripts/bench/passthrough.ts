/**
 * The control of every benchmark: the barest proxy Bun can be — read the body, `fetch` it upstream, pipe the answer
 * into a `Response`. Whatever a gateway adds beyond this is the gateway's own cost. Given several upstreams it takes
 * them in turns, as nginx or a cloud balancer does in front of a cluster (the bench's cluster row).
 * `bun run scripts/bench/passthrough.ts --upstream URL [--upstream URL …]`; prints `{"url":…}` once it listens.
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { upstream: { type: "string", multiple: true } }, strict: true });
const upstreams = values.upstream ?? [];
if (upstreams.length === 0) throw new Error("--upstream is required");
let next = 0;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  reusePort: false,
  idleTimeout: 0,
  maxRequestBodySize: 64 * 1024 * 1024,
  async fetch(request) {
    const url = new URL(request.url);
    const upstream = upstreams[next++ % upstreams.length]!;
    const answer = await fetch(upstream + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.method === "GET" ? undefined : await request.arrayBuffer(),
      signal: request.signal,
    });
    return new Response(answer.body, {
      status: answer.status,
      headers: { "content-type": answer.headers.get("content-type") ?? "application/octet-stream" },
    });
  },
});

process.stdout.write(JSON.stringify({ url: server.url.origin }) + "\n");
process.on("SIGTERM", () => process.exit(0));

import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Socket, TCPSocketListener } from "bun";
import { type Answer, Connections, textOf } from "./connections";

/** A TCP server that answers each request as `answer` says; it records what arrived and how many connections came. */
interface RawServer {
  url: string;
  received: string[];
  connections: number;
  closed: number;
  listener: TCPSocketListener<{ buffer: string }>;
}

type Answerer = (socket: Socket<{ buffer: string }>, request: string, server: RawServer) => void;

const servers: TCPSocketListener<{ buffer: string }>[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

function rawServer(answer: Answerer, options: { allowHalfOpen?: boolean } = {}): RawServer {
  const server: RawServer = { url: "", received: [], connections: 0, closed: 0, listener: undefined as never };
  server.listener = Bun.listen<{ buffer: string }>({
    hostname: "127.0.0.1",
    port: 0,
    ...options,
    socket: {
      open(socket) {
        socket.data = { buffer: "" };
        server.connections++;
      },
      close() {
        server.closed++;
      },
      data(socket, bytes) {
        socket.data.buffer += bytes.toString("latin1");
        const headEnd = socket.data.buffer.indexOf("\r\n\r\n");
        if (headEnd < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(socket.data.buffer)?.[1] ?? 0);
        if (socket.data.buffer.length < headEnd + 4 + length) return;
        const request = socket.data.buffer.slice(0, headEnd + 4 + length);
        socket.data.buffer = socket.data.buffer.slice(request.length);
        server.received.push(request);
        answer(socket, request, server);
      },
    },
  });
  servers.push(server.listener);
  server.url = `http://127.0.0.1:${server.listener.port}/generateAssistantResponse?x=1`;
  return server;
}

/** Writes `text` in pieces of `size` bytes, a tick apart, so that the reader meets every seam. */
async function inPieces(socket: Socket<{ buffer: string }>, text: string | Buffer, size: number) {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += size) {
    socket.write(bytes.subarray(at, at + size));
    await Bun.sleep(0);
  }
}

const chunked = (parts: string[]) => parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join("") + "0\r\n\r\n";

function post(connections: Connections, url: string, body = '{"hello":1}', signal = new AbortController().signal) {
  const made: string[] = [];
  const answer = connections.post(url, { "content-type": "application/json", authorization: "Bearer t" }, Buffer.byteLength(body), (head) => {
    made.push(head);
    return Buffer.from(head + body);
  }, signal);
  return { answer, made };
}

async function bodyOf(answer: Answer): Promise<string> {
  return textOf(answer.body, 1 << 30);
}

describe("Connections", () => {
  test("the request goes out as HTTP/1.1 with its host, headers and length; a chunked reply is read across every seam", async () => {
    const server = rawServer((socket) => {
      void inPieces(socket, `HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\ntransfer-encoding: chunked\r\n\r\n${chunked(["first;", "second part", "é"])}`, 1);
    });
    const connections = new Connections();
    const answer = await post(connections, server.url).answer;
    expect(answer.status).toBe(200);
    expect(answer.header("content-type")).toBe("application/vnd.amazon.eventstream");
    expect(answer.header("retry-after")).toBeNull();
    const first = await answer.body.read();
    // Plain arrays, not Buffers: the event-stream decoder copies a frame's bytes with slice, which a Buffer makes a view.
    expect(first.value?.constructor).toBe(Uint8Array);
    expect(new TextDecoder().decode(first.value) + (await bodyOf(answer))).toBe("first;second parté");
    const port = new URL(server.url).port;
    expect(server.received[0]).toBe(
      `POST /generateAssistantResponse?x=1 HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\nauthorization: Bearer t\r\ncontent-length: 11\r\n\r\n{"hello":1}`,
    );
  });

  test("chunk extensions and trailers are stepped over; a reply of known length and one read until close are whole", async () => {
    const replies = [
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: 1\r\n\r\n`,
      "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello, world",
      "HTTP/1.1 200 OK\r\n\r\nuntil the end",
    ];
    const server = rawServer((socket, _request, s) => {
      const reply = replies[s.received.length - 1]!;
      void inPieces(socket, reply, 3).then(() => {
        if (!reply.includes("chunked") && !reply.includes("Length")) socket.end();
      });
    });
    const connections = new Connections();
    expect(await bodyOf(await post(connections, server.url).answer)).toBe("hello world");
    expect(await bodyOf(await post(connections, server.url).answer)).toBe("hello, world");
    expect(await bodyOf(await post(connections, server.url).answer)).toBe("until the end");
    // The first two replies left the connection fit for another; the third could only end with it.
    expect(server.connections).toBe(1);
  });

  test("a connection is kept for the next request, and one that went stale while kept is replaced without failing the request", async () => {
    const server = rawServer((socket, _request, s) => {
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      // The server drops the connection after its second answer, as a host does after its idle time.
      if (s.received.length === 2) setTimeout(() => socket.end(), 5);
    });
    const connections = new Connections();
    expect(await bodyOf(await post(connections, server.url).answer)).toBe("ok");
    expect(await bodyOf(await post(connections, server.url).answer)).toBe("ok");
    expect(server.connections).toBe(1);
    await Bun.sleep(50);
    const third = post(connections, server.url);
    expect(await bodyOf(await third.answer)).toBe("ok");
    expect(server.connections).toBe(2);
  });

  test("after a burst, as many connections as the host's bound are kept; the rest are closed", async () => {
    const server = rawServer((socket) => void setTimeout(() => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"), 20));
    const connections = new Connections(2);
    const burst = await Promise.all([1, 2, 3, 4].map(() => post(connections, server.url).answer));
    for (const answer of burst) expect(await bodyOf(answer)).toBe("ok");
    await Bun.sleep(20);
    expect(server.connections).toBe(4);
    expect(server.closed).toBe(2);
    await Promise.all([1, 2].map(async () => bodyOf(await post(connections, server.url).answer)));
    expect(server.connections).toBe(4);
  });

  test("a kept connection that closes as the request is written is replaced: the message is made again", async () => {
    const server = rawServer((socket, _request, s) => {
      if (s.received.length === 2) return void socket.end();
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    });
    const connections = new Connections();
    await bodyOf(await post(connections, server.url).answer);
    const second = post(connections, server.url);
    expect(await bodyOf(await second.answer)).toBe("ok");
    expect(server.connections).toBe(2);
    expect(second.made.length).toBe(2);
  });

  test("a kept connection that can no longer be written to is replaced at once, not waited on", async () => {
    // The server keeps its side open when the gateway's closes (as a host may): only the failed write tells.
    const server = rawServer((socket) => void socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"), { allowHalfOpen: true });
    const connections = new Connections();
    await bodyOf(await post(connections, server.url).answer);
    const kept = (connections as unknown as { kept: Map<string, Socket[]> }).kept.get(new URL(server.url).origin)!;
    expect(kept).toHaveLength(1);
    kept[0]!.shutdown();
    const watchdog = AbortSignal.timeout(2000);
    const second = post(connections, server.url, '{"hello":2}', watchdog);
    expect(await bodyOf(await second.answer)).toBe("ok");
    expect(server.connections).toBe(2);
    expect(second.made).toHaveLength(2);
    expect(server.received[1]).toEndWith('{"hello":2}');
  });

  test("a request whose bytes cannot be made fails with the reason, on a new connection and on a kept one", async () => {
    const server = rawServer((socket) => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));
    const connections = new Connections();
    const freed = () => {
      throw new Error("a kept string was sent after its request ended");
    };
    const signal = new AbortController().signal;
    await expect(connections.post(server.url, {}, 1, freed, signal)).rejects.toThrow(/after its request ended/);
    expect(await bodyOf(await post(connections, server.url).answer)).toBe("ok");
    await expect(connections.post(server.url, {}, 1, freed, signal)).rejects.toThrow(/after its request ended/);
    expect(server.received.length).toBe(1);
  });

  test("an answer other than 2xx keeps its status, headers and body", async () => {
    const server = rawServer((socket) => {
      socket.write('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n{"message":"slow"}\n');
    });
    const answer = await post(new Connections(), server.url).answer;
    expect(answer.status).toBe(429);
    expect(answer.header("retry-after")).toBe("7");
    expect(await textOf(answer.body, 8)).toBe('{"messag');
  });

  test("an interim 100 Continue is passed over for the answer after it", async () => {
    const server = rawServer((socket) => void inPieces(socket, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nyes", 4));
    const answer = await post(new Connections(), server.url).answer;
    expect(answer.status).toBe(200);
    expect(await bodyOf(answer)).toBe("yes");
  });

  test("what is not HTTP, or not what was asked for, fails the request with the reason", async () => {
    const cases: [string, RegExp][] = [
      ["SSH-2.0-OpenSSH\r\n\r\n", /not HTTP\/1\.1/],
      ["HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: 3\r\n\r\nabc", /gzip encoding, which was not asked for/],
    ];
    for (const [reply, message] of cases) {
      const server = rawServer((socket) => socket.write(reply));
      await expect(post(new Connections(), server.url).answer).rejects.toThrow(message);
    }
    const broken = rawServer((socket) => socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n"));
    const answer = await post(new Connections(), broken.url).answer;
    await expect(bodyOf(answer)).rejects.toThrow(/not hexadecimal/);
    const cut = rawServer((socket) => {
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly this");
      setTimeout(() => socket.end(), 5);
    });
    await expect(bodyOf(await post(new Connections(), cut.url).answer)).rejects.toThrow(/closed before the reply ended/);
  });

  test("no listener, or a header value that would end its line, fails before anything is sent", async () => {
    const server = rawServer(() => {});
    const port = server.listener.port;
    server.listener.stop(true);
    await expect(post(new Connections(), `http://127.0.0.1:${port}/x`).answer).rejects.toThrow(/could not connect to http:\/\/127\.0\.0\.1/);
    const open = rawServer(() => {});
    const connections = new Connections();
    const bad = connections.post(open.url, { authorization: "Bearer a\r\nx-evil: 1" }, 0, (head) => Buffer.from(head), new AbortController().signal);
    await expect(bad).rejects.toThrow(/authorization header holds a line break/);
  });

  test("an abort while waiting for the answer, or while reading it, rejects with its reason and closes the connection", async () => {
    const server = rawServer((socket, _request, s) => {
      if (s.received.length === 2) socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nsome");
    });
    const connections = new Connections();
    const reason = new Error("the watchdog fired");
    const before = new AbortController();
    const waiting = post(connections, server.url, "{}", before.signal).answer;
    await Bun.sleep(20);
    before.abort(reason);
    await expect(waiting).rejects.toBe(reason);

    const during = new AbortController();
    const answer = await post(connections, server.url, "{}", during.signal).answer;
    expect(new TextDecoder().decode((await answer.body.read()).value)).toBe("some");
    const pending = answer.body.read();
    during.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await Bun.sleep(20);
    // Each aborted request took its connection down with it: none was kept.
    expect(server.connections).toBe(2);
    expect(server.closed).toBe(2);
  });

  test("a reader that falls behind stops the connection's reading: the reply does not pile up in memory", async () => {
    const size = 48 * 1024 * 1024;
    let written = 0;
    const server = rawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${size}\r\n\r\n`);
      const block = Buffer.alloc(64 * 1024, 97);
      const push = () => {
        while (written < size) {
          const n = socket.write(block.subarray(0, Math.min(block.length, size - written)));
          written += n;
          if (n < block.length) return void setTimeout(push, 1);
        }
      };
      push();
    });
    const answer = await post(new Connections(), server.url).answer;
    const first = await answer.body.read();
    expect(first.done).toBe(false);
    await Bun.sleep(300);
    // Unread, the reply stops at what the sockets' buffers and the 1 MiB the connection reads ahead can hold.
    expect(written).toBeLessThan(size / 2);
    let read = first.value!.length;
    for (;;) {
      const { done, value } = await answer.body.read();
      if (done) break;
      read += value.length;
    }
    expect(read).toBe(size);
  });
});

describe("Connections over TLS", () => {
  const dir = join(import.meta.dir, "fixtures");

  test("a certificate no authority signed is refused", async () => {
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", tls: { cert: Bun.file(join(dir, "localhost-cert.pem")), key: Bun.file(join(dir, "localhost-key.pem")) }, fetch: () => new Response("hi") });
    try {
      await expect(post(new Connections(), `https://localhost:${server.port}/x`).answer).rejects.toThrow(/TLS: self.signed certificate/);
    } finally {
      server.stop(true);
    }
  });

  test("with the certificate trusted (NODE_EXTRA_CA_CERTS), a small and a large request are answered over TLS", async () => {
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", tls: { cert: Bun.file(join(dir, "localhost-cert.pem")), key: Bun.file(join(dir, "localhost-key.pem")) }, fetch: async (req) => new Response(`got ${(await req.text()).length} bytes`) });
    try {
      const script = `
        import { Connections, textOf } from ${JSON.stringify(join(import.meta.dir, "connections.ts"))};
        const c = new Connections();
        const out = [];
        for (const body of ["{}", "x".repeat(300000)]) {
          const a = await c.post("https://localhost:${server.port}/x", {}, body.length, (head) => Buffer.from(head + body), new AbortController().signal);
          out.push(a.status + " " + (await textOf(a.body, 100)));
        }
        console.log(out.join("; "));
        process.exit(0);`;
      const child = Bun.spawn([process.execPath, "-e", script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, "localhost-cert.pem") }, stdout: "pipe", stderr: "pipe" });
      const [out, err] = [await new Response(child.stdout).text(), await new Response(child.stderr).text()];
      expect(err).toBe("");
      expect(out.trim()).toBe("200 got 2 bytes; 200 got 300000 bytes");
      expect(server.pendingRequests).toBe(0);
    } finally {
      server.stop(true);
    }
  });
});

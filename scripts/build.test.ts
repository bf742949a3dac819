import { afterAll, describe, expect, test } from "bun:test";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordStartOrder } from "./build";

const dir = await mkdtemp(join(tmpdir(), "kiro-build-test-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** An executable standing in for a freshly built gateway: `script` is what its `demo` does. */
async function fakeBinary(name: string, script: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
  return path;
}

describe("recording the start's bytecode order", () => {
  test("a demo that ends before saying where it listens is refused with that reason", async () => {
    const binary = await fakeBinary("ends", "exit 3");
    await expect(recordStartOrder(binary, join(dir, "order-ends"))).rejects.toThrow("the demo ended before it said where it listens");
  });

  test("a demo that says nothing is stopped at the deadline rather than holding the build", async () => {
    const binary = await fakeBinary("silent", "exec sleep 30");
    const started = performance.now();
    await expect(recordStartOrder(binary, join(dir, "order-silent"), 300)).rejects.toThrow("the demo did not say where it listens within 0.3 s");
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test("a demo whose request fails is refused with the status it answered", async () => {
    const server = Bun.serve({ port: 0, fetch: () => new Response("busy", { status: 503 }) });
    try {
      const binary = await fakeBinary("refuses", `echo "URL      ${server.url.origin}/"; echo "API key  sk-demo-0123"; exec sleep 30`);
      await expect(recordStartOrder(binary, join(dir, "order-refuses"), 5_000)).rejects.toThrow("the demo answered 503");
    } finally {
      server.stop(true);
    }
  });

  test("a demo that answers but writes no order is refused", async () => {
    const server = Bun.serve({ port: 0, fetch: () => Response.json({ ok: true }) });
    try {
      const binary = await fakeBinary("no-order", `echo "URL      ${server.url.origin}/"; echo "API key  sk-demo-0123"; exec sleep 30`);
      await expect(recordStartOrder(binary, join(dir, "order-none"), 5_000)).rejects.toThrow("the demo wrote no bytecode order");
    } finally {
      server.stop(true);
    }
  });
});

/**
 * The records of the real process (bun run src/main.ts): one info line per request without secrets, the queued
 * records written on SIGTERM and found by the next start, on both stores; a database it cannot use is a
 * one-line error and exit code 2.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testBackends, type TestDatabase } from "../records/test-backends";
import { KiroSimulator } from "../simulator/simulator";
import { text } from "../simulator/replies";
import { spawnGateway } from "./drive";

const MAIN = join(import.meta.dir, "..", "main.ts");
/** Each start writes its own credential file, so each has its own simulated account. */
const accounts = (name: string) => [{ name, authMethod: "social" as const }];
const ask = JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 32, messages: [{ role: "user", content: "hi" }] });

for (const { backend, make } of await testBackends()) {
  describe(`the process on ${backend}`, () => {
    let sim: KiroSimulator;
    let db: TestDatabase;
    beforeAll(async () => {
      sim = await KiroSimulator.start({ seed: 3 });
      db = await make();
    });
    afterAll(async () => {
      await sim.stop();
      await db.drop();
    });

    test("a key and its requests survive SIGTERM and a new start; each request is one info line, without secrets", async () => {
      const first = await spawnGateway({ sim, accounts: accounts("acc-a"), config: { database: db.database } });
      const made = await fetch(`${first.url}/admin/keys`, {
        method: "POST",
        headers: { "x-api-key": first.adminKey, "content-type": "application/json" },
        body: JSON.stringify({ name: "carol" }),
      }).then((r) => r.json() as Promise<{ data: { id: string; key: string } }>);
      sim.enqueue(text("one"), text("two"));
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${first.url}/v1/messages`, { method: "POST", headers: { "x-api-key": made.data.key, "content-type": "application/json" }, body: ask });
        expect(res.status).toBe(200);
        await res.text();
      }
      await Bun.sleep(50);
      const lines = first.lastLines().filter((l) => l.includes("POST /v1/messages 200"));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/INFO +POST \/v1\/messages 200 key=carol account=acc-a model=claude-sonnet-4-5 tokens=\d+\/\d+ ms=\d+/);
      expect(await first.linesWithSecrets([made.data.key])).toBe(0);
      await first.stop();

      const second = await spawnGateway({ sim, accounts: accounts("acc-b"), config: { database: db.database } });
      try {
        const log = await fetch(`${second.url}/admin/requests?key=${made.data.id}`, { headers: { "x-api-key": second.adminKey } }).then((r) => r.json() as Promise<{ data: { items: unknown[] } }>);
        expect(log.data.items).toHaveLength(2);
        sim.enqueue(text("three"));
        const again = await fetch(`${second.url}/v1/messages`, { method: "POST", headers: { authorization: `Bearer ${made.data.key}`, "content-type": "application/json" }, body: ask });
        expect(again.status).toBe(200);
      } finally {
        await second.stop();
      }
    });
  });
}

describe("a database kiro-ts cannot use", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kiro-baddb-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const start = async (database: string) => {
    await writeFile(join(dir, "config.json"), JSON.stringify({ apiKey: "sk-test-key-123456", port: 0, database, credentialsDir: "creds" }));
    const p = Bun.spawn([process.execPath, MAIN, "-c", join(dir, "config.json")], { stdout: "pipe", stderr: "pipe", env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "64" } });
    const [stderr, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
    return { stderr, code };
  };

  test("a file that is not a database: one line naming it, exit code 2", async () => {
    await writeFile(join(dir, "notes.db"), "not a database at all, only words ".repeat(200));
    const { stderr, code } = await start("notes.db");
    expect(code).toBe(2);
    expect(stderr).toBe(`kiro-ts: cannot open the database ${join(dir, "notes.db")}: file is not a database\n`);
  });

  test("an unknown scheme: one line naming the setting, exit code 2", async () => {
    const { stderr, code } = await start("mysql://db/kiro");
    expect(code).toBe(2);
    expect(stderr).toMatch(/^kiro-ts: .*config\.json: "database" must be a file path, sqlite:\/\/\/path or postgres:\/\/…; got mysql:\/\/\n$/);
  });
});

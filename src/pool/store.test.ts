import { describe, expect, test } from "bun:test";
import { chmod, mkdtemp, readdir, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CredentialStore } from "./store";

const RT = "r".repeat(120);
const tempDir = () => mkdtemp(join(tmpdir(), "kiro-store-"));
const readJson = async (p: string) => JSON.parse(await Bun.file(p).text());

describe("CredentialStore", () => {
  test("kiro-rs API-key credentials load; api_key without a key is skipped, saying so", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "key.json"), JSON.stringify({ kiroApiKey: "ksk_0123456789", authMethod: "api_key" }));
    await writeFile(join(dir, "bare.json"), JSON.stringify({ kiroApiKey: "ksk_abcdef" }));
    await writeFile(join(dir, "empty.json"), JSON.stringify({ authMethod: "api_key" }));
    const loaded = await new CredentialStore().loadDir(dir);
    expect(loaded.credentials.map((c) => c.name)).toEqual(["bare", "key"]);
    expect(loaded.skipped).toEqual([`${join(dir, "empty.json")}: authMethod is api_key but there is no kiroApiKey`]);
  });

  test("a directory: one account per *.json, named by stem; bad files skipped with a line naming them", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "alice.json"), JSON.stringify({ refreshToken: RT, authMethod: "social" }));
    await writeFile(join(dir, "bob.json"), "{ not json");
    await writeFile(join(dir, "carol.json"), JSON.stringify({ accessToken: "only" }));
    await writeFile(join(dir, "notes.txt"), "ignored");
    const loaded = await new CredentialStore().loadDir(dir);
    expect(loaded.credentials.map((c) => c.name)).toEqual(["alice"]);
    expect(loaded.skipped).toHaveLength(2);
    expect(loaded.skipped[0]).toStartWith(`${join(dir, "bob.json")}: not valid JSON`);
    expect(loaded.skipped[1]).toBe(`${join(dir, "carol.json")}: no refreshToken`);
  });

  test("a world-readable credential file is reported", async () => {
    const dir = await tempDir();
    const file = join(dir, "open.json");
    await writeFile(file, JSON.stringify({ refreshToken: RT }));
    await chmod(file, 0o644);
    expect((await new CredentialStore().loadFile(file)).exposed).toEqual([file]);
  });

  test("save merges into the file: unknown keys kept, mode 0600, no temp files left", async () => {
    const dir = await tempDir();
    const file = join(dir, "acct.json");
    await writeFile(file, JSON.stringify({ refreshToken: RT, accessToken: "old", myNote: "keep me", nested: { a: 1 } }));
    const store = new CredentialStore();
    await store.save({ path: file }, { accessToken: "new", expiresAt: "2030-01-01T00:00:00.000Z" });
    expect(await readJson(file)).toEqual({
      refreshToken: RT,
      accessToken: "new",
      myNote: "keep me",
      nested: { a: 1 },
      expiresAt: "2030-01-01T00:00:00.000Z",
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(["acct.json"]);
  });

  test("a kiro.rs array file: one account per element, writes to one element keep the others", async () => {
    const dir = await tempDir();
    const file = join(dir, "credentials.json");
    await writeFile(file, JSON.stringify([{ id: 1, refreshToken: RT, extra: "x" }, { id: 2, refreshToken: RT + "2" }]));
    const store = new CredentialStore();
    const loaded = await store.loadFile(file);
    expect(loaded.credentials.map((c) => [c.name, c.source.index])).toEqual([["credentials-1", 0], ["credentials-2", 1]]);
    // Concurrent saves to two elements of one file must not lose either update.
    await Promise.all([
      store.save(loaded.credentials[0]!.source, { accessToken: "a1" }),
      store.save(loaded.credentials[1]!.source, { accessToken: "a2" }),
    ]);
    expect(await readJson(file)).toEqual([
      { id: 1, refreshToken: RT, extra: "x", accessToken: "a1" },
      { id: 2, refreshToken: RT + "2", accessToken: "a2" },
    ]);
  });

  test("create refuses to overwrite an existing credential", async () => {
    const dir = await tempDir();
    const store = new CredentialStore();
    await store.create(join(dir, "x.json"), { refreshToken: RT });
    await expect(store.create(join(dir, "x.json"), { refreshToken: "other" })).rejects.toThrow("x.json already exists");
    expect((await stat(join(dir, "x.json"))).mode & 0o777).toBe(0o600);
  });
});

describe("credentials that would send tokens elsewhere", () => {
  test("a region or proxy that is not one skips the file, saying which field", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "evil.json"), JSON.stringify({ refreshToken: RT, region: "x@attacker.example:443/?" }));
    await writeFile(join(dir, "fine.json"), JSON.stringify({ refreshToken: RT, region: "eu-central-1" }));
    const loaded = await new CredentialStore().loadDir(dir);
    expect(loaded.credentials.map((c) => c.name)).toEqual(["fine"]);
    expect(loaded.skipped).toEqual([`${join(dir, "evil.json")}: region "x@attacker.example:443/?" is not an AWS region (such as us-east-1)`]);
  });
});

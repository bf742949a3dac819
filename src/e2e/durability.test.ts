/**
 * A refresh token is never lost (issue 11): reloads during refreshes, two processes on one folder, a disk that
 * will not take the write, symlinked files, deleted accounts. The simulator rotates refresh tokens without grace:
 * the token before the newest is dead at once, as Kiro may make it.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { lstat, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createServices } from "../services";
import { startGateway, type Gateway } from "./harness";

let g: Gateway;
afterEach(() => g?.stop());

const fileToken = async (path: string) => (JSON.parse(await readFile(path, "utf8")) as { refreshToken: string }).refreshToken;

describe("reloads never install a stale token", () => {
  test("60 accounts refreshing while reloads run back to back: none disabled, every file holds Kiro's newest token", async () => {
    const names = Array.from({ length: 60 }, (_, i) => `acct-${String(i).padStart(2, "0")}`);
    g = await startGateway({ accounts: names.map((name) => ({ name, authMethod: "social" as const })) });
    g.sim.refreshAnswerDelayMs = 20;
    const pool = g.services.pool;
    const refreshes = Promise.allSettled(pool.accounts.map((a) => a.refresh(true)));
    const reloads = Promise.all(Array.from({ length: 8 }, async (_, i) => {
      await Bun.sleep(i * 5);
      return g.services.reloader.reload();
    }));
    const [settled, results] = await Promise.all([refreshes, reloads]);
    expect(settled.filter((r) => r.status === "rejected")).toEqual([]);
    expect(results.flatMap((r) => r.updated)).toEqual([]);
    for (const name of names) {
      const account = pool.get(name)!;
      expect(account.state).toEqual({ kind: "healthy" });
      const latest = g.sim.account(name)!.refreshToken;
      expect(account.credential.refreshToken).toBe(latest);
      expect(await fileToken(g.credentialFile(name))).toBe(latest);
    }
    // Every token in memory still refreshes: none was swapped for a dead one.
    g.sim.refreshAnswerDelayMs = 0;
    expect((await Promise.allSettled(pool.accounts.map((a) => a.refresh(true)))).filter((r) => r.status === "rejected")).toEqual([]);
  });

  test("a file replaced by hand while a refresh runs wins over the refresh: its credential is the one used, and kept", async () => {
    g = await startGateway();
    const account = g.services.pool.get("solo")!;
    const fresh = g.sim.addAccount({ name: "solo-again", authMethod: "social" });
    g.sim.refreshAnswerDelayMs = 50;
    const refreshing = account.refresh(true);
    await Bun.sleep(10);
    await writeFile(g.credentialFile("solo"), JSON.stringify(fresh.credentialJson(), null, 2));
    g.sim.refreshAnswerDelayMs = 0;
    await refreshing;
    expect(account.credential.refreshToken).toBe(fresh.refreshToken);
    expect(account.credentialSaved).toBe(true);
    expect((await g.services.reloader.reload()).updated).toEqual([]);
    expect(await fileToken(g.credentialFile("solo"))).toBe(fresh.refreshToken);
  });

  test("reloads asked for during a reload run once after it, not in parallel", async () => {
    g = await startGateway();
    const [a, b, c] = await Promise.all([g.services.reloader.reload(), g.services.reloader.reload(), g.services.reloader.reload()]);
    expect(a).toEqual({ added: [], removed: [], updated: [] });
    // The second and third ask share the one reload that runs after the first.
    expect(b).toBe(c);
  });
});

describe("two processes on one credentials folder", () => {
  test("both refreshing one account at once: one refresh at Kiro's, the other adopts its token, nothing disabled", async () => {
    g = await startGateway();
    g.sim.refreshAnswerDelayMs = 30;
    const other = await createServices({ config: g.services.config, log: g.services.log, credentialsFile: "" });
    const mine = g.services.pool.get("solo")!;
    const theirs = other.pool.get("solo")!;
    const before = g.sim.account("solo")!.refreshCount;
    const results = await Promise.allSettled([mine.refresh(true), theirs.refresh(true)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(g.sim.account("solo")!.refreshCount - before).toBe(1);
    const latest = g.sim.account("solo")!.refreshToken;
    expect(mine.credential.refreshToken).toBe(latest);
    expect(theirs.credential.refreshToken).toBe(latest);
    expect(await fileToken(g.credentialFile("solo"))).toBe(latest);
    expect([mine.state.kind, theirs.state.kind]).toEqual(["healthy", "healthy"]);
  });

  test("invalid_grant after another process rotated the token: the file's newer token is adopted, the account lives", async () => {
    g = await startGateway();
    const other = await createServices({ config: g.services.config, log: g.services.log, credentialsFile: "" });
    await other.pool.get("solo")!.refresh(true);
    // This process still holds the rotated-away token; its refresh is refused, then it reads the file.
    const mine = g.services.pool.get("solo")!;
    await mine.refresh(true);
    expect(mine.state.kind).toBe("healthy");
    expect(mine.credential.refreshToken).toBe(g.sim.account("solo")!.refreshToken);
  });

  test("a lock left by a process that died is taken over", async () => {
    g = await startGateway();
    const lock = join(g.dir, ".solo.json.lock");
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 17, at: Date.now() }));
    await g.services.pool.get("solo")!.refresh(true);
    expect(await fileToken(g.credentialFile("solo"))).toBe(g.sim.account("solo")!.refreshToken);
    expect(await readdir(g.dir)).not.toContain(".solo.json.lock");
  });
});

describe("the credential file itself", () => {
  test("a symlinked credential file is written through the link; the link stays a link", async () => {
    g = await startGateway({ accounts: [] });
    const account = g.sim.addAccount({ name: "ide", authMethod: "social" });
    const target = join(g.dir, ".ide-token-file");
    await writeFile(target, JSON.stringify(account.credentialJson(), null, 2));
    await symlink(target, join(g.dir, "ide.json"));
    await g.services.reloader.reload();
    await g.services.pool.get("ide")!.refresh(true);
    expect((await lstat(join(g.dir, "ide.json"))).isSymbolicLink()).toBe(true);
    expect(await fileToken(target)).toBe(g.sim.account("ide")!.refreshToken);
  });

  test("an account deleted while it refreshes does not bring its file back", async () => {
    g = await startGateway();
    g.sim.refreshAnswerDelayMs = 50;
    const account = g.services.pool.get("solo")!;
    const refreshing = account.refresh(true);
    await Bun.sleep(10);
    g.services.pool.remove("solo");
    await g.services.store.remove(g.credentialFile("solo"));
    await refreshing.catch(() => {});
    await Bun.sleep(20);
    expect(await readdir(g.dir)).not.toContain("solo.json");
  });

  test("two accounts of one name in an array file: the second is refused with one line naming it, the first kept", async () => {
    g = await startGateway({ accounts: [] });
    const a = g.sim.addAccount({ name: "a", authMethod: "social" });
    const b = g.sim.addAccount({ name: "b", authMethod: "social" });
    await writeFile(join(g.dir, "team.json"), JSON.stringify([{ ...a.credentialJson(), id: 1 }, { ...b.credentialJson(), id: 1 }]));
    await g.services.reloader.reload();
    expect(g.services.pool.accounts.map((x) => x.name)).toEqual(["team-1"]);
    expect(g.logLines.some((l) => l.includes(`${join(g.dir, "team.json")}[1]: a second account named "team-1"`))).toBe(true);
    await rm(join(g.dir, "team.json"));
  });
});

describe("a disk that will not take the write", () => {
  test("the rotated token is kept in memory, the write retried until it lands, and no early refresh meanwhile", async () => {
    g = await startGateway();
    const store = g.services.store;
    const save = store.save.bind(store);
    let refusals = 2;
    store.save = (source, update) =>
      refusals-- > 0 ? Promise.reject(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" })) : save(source, update);
    const account = g.services.pool.get("solo")!;
    await account.refresh(true);
    const latest = g.sim.account("solo")!.refreshToken;
    expect(account.credential.refreshToken).toBe(latest);
    expect(account.credentialSaved).toBe(false);
    expect(await fileToken(g.credentialFile("solo"))).not.toBe(latest);
    expect(g.logLines.some((l) => l.includes("could not write the refreshed credential; retrying") && l.includes("ENOSPC"))).toBe(true);
    const listed = async () =>
      ((await (await fetch(g.url + "/admin/accounts", { headers: { "x-api-key": g.adminKey } })).json()) as { data: Array<Record<string, unknown>> }).data[0]!;
    expect((await listed()).credential_saved).toBe(false);
    // A token with eight minutes left would be refreshed early; not while the last rotation is unsaved.
    expect(account.needsRefresh(Date.parse(account.credential.expiresAt!) - 8 * 60_000)).toBe(false);
    for (let i = 0; i < 80 && !account.credentialSaved; i++) await Bun.sleep(50);
    expect(account.credentialSaved).toBe(true);
    expect(await fileToken(g.credentialFile("solo"))).toBe(latest);
    expect(account.needsRefresh(Date.parse(account.credential.expiresAt!) - 8 * 60_000)).toBe(true);
    expect((await listed()).credential_saved).toBeUndefined();
    expect((await readdir(g.dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("regions are not host names", () => {
  test("an account added with a region that would name another host is refused, and nothing is called or written", async () => {
    g = await startGateway();
    const before = g.sim.requests.length;
    const add = (body: Record<string, unknown>) =>
      fetch(g.url + "/admin/accounts", { method: "POST", headers: { "x-api-key": g.adminKey, "content-type": "application/json" }, body: JSON.stringify(body) });
    const res = await add({ name: "evil", refreshToken: "r".repeat(100), region: "x@127.0.0.1:9/steal?" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: false, error: 'region "x@127.0.0.1:9/steal?" is not an AWS region (such as us-east-1)' });
    const sso = await fetch(g.url + "/admin/accounts/import-sso", {
      method: "POST",
      headers: { "x-api-key": g.adminKey, "content-type": "application/json" },
      body: JSON.stringify({ name: "evil2", ssoToken: "cookie", region: "evil.example/#" }),
    });
    expect(await sso.json()).toEqual({ success: false, error: 'region "evil.example/#" is not an AWS region (such as us-east-1)' });
    expect(g.sim.requests.length).toBe(before);
    expect(await readdir(g.dir)).not.toContain("evil.json");
  });

  test("a refused refresh is told to the admin by Kiro's code, not by quoting Kiro's body", async () => {
    g = await startGateway();
    g.sim.account("solo")!.revoke();
    const res = await fetch(g.url + "/admin/accounts/refresh", {
      method: "POST",
      headers: { "x-api-key": g.adminKey, "content-type": "application/json" },
      body: JSON.stringify({ name: "solo" }),
    });
    const body = (await res.json()) as { success: boolean; error: string };
    expect(body.success).toBe(false);
    expect(body.error).toStartWith("token refresh failed:");
    expect(body.error).not.toContain("{");
  });
});

import { describe, expect, test } from "bun:test";
import { addGroup, addTag, type AccountsMeta, forgetAccount, parseAccountsMeta, removeGroup, removeTag, renameGroup, setAccountMeta } from "./accounts-meta";

/** What the seed UI stores under kiro.accountsMetaStorage (with a field this UI does not know). */
const SEED_VALUE = JSON.stringify({
  version: 1,
  groups: [{ id: "grp-1", name: "Production", color: "#10b981", order: 0, createdAt: 1730000000000 }],
  tags: [
    { id: "tag-1", name: "paid", color: "#f59e0b" },
    { id: "tag-2", name: "eu", color: "#0ea5e9" },
  ],
  metaByName: {
    alice: { groupId: "grp-1", tagIds: ["tag-1", "tag-2"], notes: "main account" },
    bob: { tagIds: ["tag-1"] },
  },
  futureField: { kept: true },
});

const load = (): AccountsMeta => parseAccountsMeta(SEED_VALUE);

describe("parseAccountsMeta", () => {
  test("reads the seed's format and keeps fields it does not know", () => {
    const meta = load();
    expect(meta.groups[0]).toEqual({ id: "grp-1", name: "Production", color: "#10b981", order: 0, createdAt: 1730000000000 });
    expect(meta.metaByName.alice).toEqual({ groupId: "grp-1", tagIds: ["tag-1", "tag-2"], notes: "main account" });
    expect(JSON.parse(JSON.stringify(meta)).futureField).toEqual({ kept: true });
  });

  test("anything unreadable gives an empty set instead of an error", () => {
    for (const raw of [null, "", "not json", "[]", "42", '{"groups":"x","metaByName":[]}']) {
      expect(parseAccountsMeta(raw)).toMatchObject({ version: 1, groups: [], tags: [], metaByName: {} });
    }
  });

  test("entries with a broken tag list are repaired, not dropped", () => {
    const meta = parseAccountsMeta(JSON.stringify({ version: 1, groups: [], tags: [], metaByName: { x: { notes: "n", tagIds: "oops" } } }));
    expect(meta.metaByName.x).toEqual({ notes: "n", tagIds: [] });
  });
});

describe("mutations", () => {
  test("removing a group takes it off its accounts, and drops entries left empty", () => {
    const meta = load();
    meta.metaByName.carol = { groupId: "grp-1", tagIds: [] };
    removeGroup(meta, "grp-1");
    expect(meta.groups).toEqual([]);
    expect(meta.metaByName.alice).toEqual({ tagIds: ["tag-1", "tag-2"], notes: "main account" });
    expect(meta.metaByName.carol).toBeUndefined();
  });

  test("removing a tag takes it off every account", () => {
    const meta = load();
    removeTag(meta, "tag-1");
    expect(meta.tags.map((t) => t.id)).toEqual(["tag-2"]);
    expect(meta.metaByName.alice?.tagIds).toEqual(["tag-2"]);
    expect(meta.metaByName.bob).toBeUndefined();
  });

  test("new groups go last in order; renames keep the id", () => {
    const meta = load();
    addGroup(meta, { id: "grp-2", name: "Spare", createdAt: 1 });
    renameGroup(meta, "grp-1", "Prod");
    expect(meta.groups.map((g) => [g.id, g.name, g.order])).toEqual([
      ["grp-1", "Prod", 0],
      ["grp-2", "Spare", 1],
    ]);
  });

  test("setAccountMeta replaces an account's labels, trims notes, and forgets empty ones", () => {
    const meta = load();
    addTag(meta, { id: "tag-3", name: "new", color: "#000" });
    setAccountMeta(meta, "dave", { groupId: "grp-1", tagIds: ["tag-3"], notes: "  spare  " });
    expect(meta.metaByName.dave).toEqual({ groupId: "grp-1", tagIds: ["tag-3"], notes: "spare" });
    setAccountMeta(meta, "dave", { tagIds: [], notes: "   " });
    expect(meta.metaByName.dave).toBeUndefined();
    forgetAccount(meta, "alice");
    expect(Object.keys(meta.metaByName)).toEqual(["bob"]);
  });
});

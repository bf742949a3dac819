import { createStore, produce } from "solid-js/store";
import { readLocal, writeLocal } from "./local";

/**
 * Groups, tags and notes live only in this browser, in the seed UI's storage format, so a kiro-rs user keeps
 * theirs: `kiro.accountsMetaStorage` = {version:1, groups, tags, metaByName}. Unknown fields are carried along.
 */
export const ACCOUNTS_META_KEY = "kiro.accountsMetaStorage";

export interface AccountGroup {
  id: string;
  name: string;
  color?: string;
  order: number;
  createdAt: number | string;
}

export interface AccountTag {
  id: string;
  name: string;
  color: string;
}

export interface AccountMeta {
  groupId?: string;
  tagIds: string[];
  notes?: string;
}

export interface AccountsMeta {
  version: 1;
  groups: AccountGroup[];
  tags: AccountTag[];
  metaByName: Record<string, AccountMeta>;
}

export const PALETTE = ["#6366f1", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#ec4899", "#8b5cf6", "#64748b"] as const;

export const emptyAccountsMeta = (): AccountsMeta => ({ version: 1, groups: [], tags: [], metaByName: {} });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Reads what the seed (or this UI) stored; anything unreadable yields an empty set rather than an error. */
export function parseAccountsMeta(raw: string | null): AccountsMeta {
  if (raw === null) return emptyAccountsMeta();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return emptyAccountsMeta();
  }
  if (!isRecord(parsed)) return emptyAccountsMeta();
  const groups = Array.isArray(parsed.groups)
    ? parsed.groups.filter((g): g is AccountGroup => isRecord(g) && typeof g.id === "string" && typeof g.name === "string")
    : [];
  const tags = Array.isArray(parsed.tags)
    ? parsed.tags.filter((t): t is AccountTag => isRecord(t) && typeof t.id === "string" && typeof t.name === "string")
    : [];
  const metaByName: Record<string, AccountMeta> = {};
  if (isRecord(parsed.metaByName)) {
    for (const [name, value] of Object.entries(parsed.metaByName)) {
      if (!isRecord(value)) continue;
      const tagIds = Array.isArray(value.tagIds) ? value.tagIds.filter((id): id is string => typeof id === "string") : [];
      metaByName[name] = { ...value, tagIds } as AccountMeta;
    }
  }
  return { ...parsed, version: 1, groups, tags, metaByName };
}

/** Short ids that need no secure context (crypto.randomUUID is missing on plain-HTTP LAN addresses). */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

// Mutations on a draft (a plain object or a Solid `produce` draft), kept pure of storage so they can be tested.

function metaFor(draft: AccountsMeta, name: string): AccountMeta {
  const existing = draft.metaByName[name];
  if (existing) return existing;
  const created: AccountMeta = { tagIds: [] };
  draft.metaByName[name] = created;
  return created;
}

/** Drops entries that say nothing, so the stored object does not grow with every account ever seen. */
function prune(draft: AccountsMeta, name: string): void {
  const meta = draft.metaByName[name];
  if (meta && !meta.groupId && meta.tagIds.length === 0 && !meta.notes) delete draft.metaByName[name];
}

export function addGroup(draft: AccountsMeta, group: Omit<AccountGroup, "order">): void {
  const order = draft.groups.reduce((max, g) => Math.max(max, g.order ?? 0), -1) + 1;
  draft.groups.push({ ...group, order });
}

export function renameGroup(draft: AccountsMeta, id: string, name: string): void {
  const group = draft.groups.find((g) => g.id === id);
  if (group) group.name = name;
}

export function removeGroup(draft: AccountsMeta, id: string): void {
  draft.groups = draft.groups.filter((g) => g.id !== id);
  for (const [name, meta] of Object.entries(draft.metaByName)) {
    if (meta.groupId === id) {
      delete meta.groupId;
      prune(draft, name);
    }
  }
}

export function addTag(draft: AccountsMeta, tag: AccountTag): void {
  draft.tags.push(tag);
}

export function renameTag(draft: AccountsMeta, id: string, name: string): void {
  const tag = draft.tags.find((t) => t.id === id);
  if (tag) tag.name = name;
}

export function removeTag(draft: AccountsMeta, id: string): void {
  draft.tags = draft.tags.filter((t) => t.id !== id);
  for (const [name, meta] of Object.entries(draft.metaByName)) {
    if (meta.tagIds.includes(id)) {
      meta.tagIds = meta.tagIds.filter((t) => t !== id);
      prune(draft, name);
    }
  }
}

export function setAccountMeta(draft: AccountsMeta, name: string, update: { groupId?: string; tagIds: string[]; notes?: string }): void {
  const meta = metaFor(draft, name);
  if (update.groupId) meta.groupId = update.groupId;
  else delete meta.groupId;
  meta.tagIds = [...update.tagIds];
  const notes = update.notes?.trim();
  if (notes) meta.notes = notes;
  else delete meta.notes;
  prune(draft, name);
}

export function forgetAccount(draft: AccountsMeta, name: string): void {
  delete draft.metaByName[name];
}

/** The reactive copy the app uses; every change is written straight back to localStorage. */
export function createAccountsMetaStore() {
  const [meta, setMeta] = createStore<AccountsMeta>(parseAccountsMeta(readLocal(ACCOUNTS_META_KEY)));
  const change = (mutate: (draft: AccountsMeta) => void) => {
    setMeta(produce(mutate));
    writeLocal(ACCOUNTS_META_KEY, JSON.stringify(meta));
  };
  return { meta, change };
}

export type AccountsMetaStore = ReturnType<typeof createAccountsMetaStore>;

import { createMemo, createSignal } from "solid-js";
import { AdminClient } from "../api/client";
import { readLocal, writeLocal } from "./local";

/** The seed's key: a kiro-rs user who signed in before stays signed in. */
export const ADMIN_KEY_STORAGE = "adminApiKey";

export type SignOutReason = "user" | "expired";

const [adminKey, setAdminKey] = createSignal<string | null>(readLocal(ADMIN_KEY_STORAGE));
const [signOutReason, setSignOutReason] = createSignal<SignOutReason | null>(null);

export { adminKey, signOutReason };

export const client = createMemo(() => {
  const key = adminKey();
  return key === null ? null : new AdminClient(key);
});

export function signIn(key: string): void {
  writeLocal(ADMIN_KEY_STORAGE, key);
  setSignOutReason(null);
  setAdminKey(key);
}

export function signOut(reason: SignOutReason): void {
  writeLocal(ADMIN_KEY_STORAGE, null);
  setSignOutReason(reason);
  setAdminKey(null);
}

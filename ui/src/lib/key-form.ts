/** The key form: what the fields hold as text, and the request they make (or what is wrong with them). */
import type { KeyInfo, KeyLimitsInfo, NewKeyRequest } from "../api/records-types";
import type { MessageKey } from "../state/i18n";

export interface KeyForm {
  name: string;
  /** Comma- or line-separated model names; empty: any model. */
  models: string;
  /** A datetime-local value (the browser's time zone); empty: never. */
  expiresAt: string;
  requestsPerMinute: string;
  concurrency: string;
  tokensPerDay: string;
  creditsPerMonth: string;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `2026-12-02T14:30` in local time, as a datetime-local input shows it. */
export function localInput(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formOf(key?: KeyInfo): KeyForm {
  const l = key?.limits ?? {};
  const text = (n: number | undefined) => (n === undefined ? "" : String(n));
  return {
    name: key?.name ?? "",
    models: key?.models?.join(", ") ?? "",
    expiresAt: key?.expiresAt ? localInput(key.expiresAt) : "",
    requestsPerMinute: text(l.requestsPerMinute),
    concurrency: text(l.concurrency),
    tokensPerDay: text(l.tokensPerDay),
    creditsPerMonth: text(l.creditsPerMonth),
  };
}

export type FormResult = { ok: true; request: Required<Pick<NewKeyRequest, "name" | "limits">> & { models: string[] | null; expiresAt: string | null } } | { ok: false; error: MessageKey; field: keyof KeyForm };

/** The form as a request: models and expiry null when empty (any model, never), limits only where given. */
export function keyRequest(form: KeyForm): FormResult {
  const name = form.name.trim();
  if (!name) return { ok: false, error: "keyNameRequired", field: "name" };
  const models = form.models.split(/[\s,]+/).filter(Boolean);
  let expiresAt: string | null = null;
  if (form.expiresAt.trim()) {
    const ms = Date.parse(form.expiresAt);
    if (Number.isNaN(ms)) return { ok: false, error: "keyBadDate", field: "expiresAt" };
    expiresAt = new Date(ms).toISOString();
  }
  const limits: KeyLimitsInfo = {};
  for (const field of ["requestsPerMinute", "concurrency", "tokensPerDay"] as const) {
    const text = form[field].trim();
    if (!text) continue;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) return { ok: false, error: "keyBadWhole", field };
    limits[field] = n;
  }
  const credits = form.creditsPerMonth.trim();
  if (credits) {
    const n = Number(credits);
    if (!Number.isFinite(n) || n <= 0) return { ok: false, error: "keyBadNumber", field: "creditsPerMonth" };
    limits.creditsPerMonth = n;
  }
  return { ok: true, request: { name, models: models.length ? models : null, expiresAt, limits } };
}

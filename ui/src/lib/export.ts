import type { AccountCredentialsExport, AccountInfo } from "../api/types";
import type { AccountsMeta } from "../state/accounts-meta";

export type ExportScope = "basic" | "full";
export type ExportFormat = "json" | "csv";

/** The seed's export fields, in its order. */
export const BASIC_FIELDS = ["name", "healthy", "requestCount", "failureCount", "inPool", "provider", "authMethod", "profileArn", "region"] as const;
/** kiroApiKey (an API-key account's whole credential) comes last, so the seed's columns keep their places. */
export const SECRET_FIELDS = ["accessToken", "refreshToken", "csrfToken", "clientId", "clientSecret", "expiresAt", "kiroApiKey"] as const;
export const META_COLUMNS = ["group", "tags", "notes"] as const;

export type ExportRecord = Partial<AccountCredentialsExport> & { name: string; _meta?: ExportMeta };

export interface ExportMeta {
  group?: string;
  tags: string[];
  notes?: string;
}

/** A basic record comes from what the UI already has; only a full export asks the server for secrets. */
export function basicRecord(account: AccountInfo): ExportRecord {
  return {
    name: account.name,
    healthy: account.healthy,
    requestCount: account.request_count,
    failureCount: account.failure_count,
    inPool: account.in_pool,
    provider: account.provider,
    authMethod: account.auth_method,
    profileArn: account.profile_arn,
    region: account.region,
  };
}

/** Keeps only the export's fields, in the seed's order (and drops empty ones). */
export function pickFields(record: Partial<AccountCredentialsExport> & { name: string }, scope: ExportScope): ExportRecord {
  const fields: readonly string[] = scope === "full" ? [...BASIC_FIELDS, ...SECRET_FIELDS] : BASIC_FIELDS;
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    const value = (record as Record<string, unknown>)[field];
    if (value !== undefined && value !== null) picked[field] = value;
  }
  return picked as ExportRecord;
}

export function metaOf(meta: AccountsMeta, name: string): ExportMeta {
  const entry = meta.metaByName[name];
  const group = entry?.groupId ? meta.groups.find((g) => g.id === entry.groupId)?.name : undefined;
  const tags = (entry?.tagIds ?? []).map((id) => meta.tags.find((t) => t.id === id)?.name).filter((n): n is string => n !== undefined);
  return { group, tags, notes: entry?.notes };
}

export function withMeta(records: readonly ExportRecord[], meta: AccountsMeta): ExportRecord[] {
  return records.map((record) => ({ ...record, _meta: metaOf(meta, record.name) }));
}

export function toJson(records: readonly ExportRecord[]): string {
  return `${JSON.stringify(records, null, 2)}\n`;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV with a header row; tags are joined with ";" in one cell. */
export function toCsv(records: readonly ExportRecord[], scope: ExportScope, includeMeta: boolean): string {
  const fields: string[] = [...BASIC_FIELDS, ...(scope === "full" ? SECRET_FIELDS : [])];
  const columns = includeMeta ? [...fields, ...META_COLUMNS] : fields;
  const lines = [columns.join(",")];
  for (const record of records) {
    const row = fields.map((field) => csvCell((record as Record<string, unknown>)[field]));
    if (includeMeta) {
      const meta = record._meta;
      row.push(csvCell(meta?.group), csvCell(meta?.tags.join(";")), csvCell(meta?.notes));
    }
    lines.push(row.join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** The seed's file name: kiro-accounts-{full|basic}-{YYYY-MM-DD}.{json|csv}, in local time. */
export function exportFileName(scope: ExportScope, format: ExportFormat, date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `kiro-accounts-${scope}-${day}.${format}`;
}

/** Shapes of the keys, usage and request-log endpoints: the server's own schemas, as types only. */
import type { Static } from "@sinclair/typebox";
import type { KeyInfo, KeyLimits } from "../../../src/admin/keys";
import type { LoggedRequestInfo, UsageReport } from "../../../src/admin/usage";

export type { KeyInfo, UsageReport };
export type KeyLimitsInfo = Static<typeof KeyLimits>;
export type LoggedRequest = Static<typeof LoggedRequestInfo>;
export type MadeKey = KeyInfo & { key: string };

export interface NewKeyRequest {
  name: string;
  models?: string[];
  expiresAt?: string;
  limits?: KeyLimitsInfo;
}

export interface KeyUpdateRequest {
  id: string;
  name?: string;
  models?: string[] | null;
  expiresAt?: string | null;
  limits?: KeyLimitsInfo;
  disabled?: boolean;
}

export type UsageGroup = "key" | "model" | "account";
export type UsageBucket = "hour" | "day";

export interface UsageQuery {
  by: UsageGroup;
  bucket: UsageBucket;
  from: string;
  to: string;
}

export interface RequestFilter {
  key?: string;
  account?: string;
  model?: string;
  status?: number;
  limit?: number;
  before?: number;
}

export interface RequestPage {
  items: LoggedRequest[];
  next: number | null;
}

/**
 * Several kiro-ts instances on the same accounts (design.md "Several instances"): what they share — the latest
 * credential and the one refresh at a time of each account, rests and disabled states, quota results, recent load,
 * admin changes, key limits — goes through a Cluster. Alone (no redisUrl) the LocalCluster shares nothing and
 * kiro-ts runs as a single process always did: memory and files. With redisUrl, RedisCluster (redis-cluster.ts).
 */
import type { Account, AccountSharing } from "../pool/account";
import type { ClientKey } from "../records/keys";
import type { RequestRecord } from "../records/request-record";

/** What /ready and the admin API say about the cluster. */
export interface ClusterStatus {
  mode: "alone" | "redis";
  /** This instance's name among the others. */
  instance?: string;
  /** connected, or unreachable (serving with this instance's own state meanwhile). */
  redis?: "connected" | "unreachable";
  /** Since when Redis could not be reached (ISO time). */
  unreachableSince?: string;
  /** Other instances heard from in the last few seconds. */
  peers?: number;
}

/** A client key's limits counted over every instance. */
export interface SharedKeyLimits {
  /** Takes the request under the key's limits across the cluster, or throws their 429; Redis away: admits. */
  admit(key: ClientKey, record: RequestRecord, now: number): Promise<void>;
  /** A request ended: its slot is free, its tokens and credits count. */
  finished(record: RequestRecord): void;
}

export interface Cluster {
  /** Given to every account; absent alone. */
  readonly sharing?: AccountSharing;
  /** Absent alone: each key's own counters decide (records/keys.ts). */
  readonly keyLimits?: SharedKeyLimits;
  status(): ClusterStatus;
  /** After the accounts are loaded: take the newer tokens the others hold, tell them what this one knows. */
  join(): Promise<void>;
  /** An admin added an account here. */
  accountAdded(account: Account): void;
  /** An admin removed an account here (and its file, when `fileDeleted`). */
  accountRemoved(name: string, fileDeleted: boolean): void;
  /** A reload here found a credential file replaced by hand (a new sign-in). */
  credentialReplaced(account: Account): void;
  /** An admin made, changed or deleted a client key here. */
  keysChanged(): void;
  leave(): Promise<void>;
}

/** One instance alone: nothing to share. */
export class LocalCluster implements Cluster {
  status(): ClusterStatus {
    return { mode: "alone" };
  }
  async join(): Promise<void> {}
  accountAdded(): void {}
  accountRemoved(): void {}
  credentialReplaced(): void {}
  keysChanged(): void {}
  async leave(): Promise<void> {}
}

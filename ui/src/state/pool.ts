import { onCleanup } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import { type AdminClient, UnauthorizedError } from "../api/client";
import type { PoolStatus } from "../api/types";

export const POLL_INTERVAL_MS = 5000;

export interface PoolView {
  status?: PoolStatus;
  error?: string;
  /** Unix ms of the last successful answer. */
  updatedAt?: number;
}

/**
 * Polls `/admin/pool/status` (counts, the per-minute series and every account) every five seconds while
 * signed in. Accounts are reconciled by name so a 1,000-row table re-renders only the rows that changed.
 */
export function createPoolPoller(client: AdminClient, onUnauthorized: () => void) {
  const [view, setView] = createStore<PoolView>({});
  let inFlight: Promise<void> | null = null;

  const refresh = (): Promise<void> => {
    inFlight ??= client
      .poolStatus()
      .then((status) => {
        setView("status", reconcile(status, { key: "name", merge: true }));
        setView({ error: undefined, updatedAt: Date.now() });
      })
      .catch((error: unknown) => {
        if (error instanceof UnauthorizedError) onUnauthorized();
        else setView("error", error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };

  void refresh();
  const timer = setInterval(() => void refresh(), POLL_INTERVAL_MS);
  onCleanup(() => clearInterval(timer));

  return { view, refresh };
}

export type PoolPoller = ReturnType<typeof createPoolPoller>;

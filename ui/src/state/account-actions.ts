import { createStore, produce } from "solid-js/store";
import type { AdminClient } from "../api/client";
import type { AddAccountRequest, CheckAccountResponse, ImportSsoRequest, ImportSsoResult } from "../api/types";
import { runBatch } from "../lib/batch";
import type { AccountsMetaStore } from "./accounts-meta";
import { forgetAccount } from "./accounts-meta";
import type { CheckResultsStore } from "./check-results";
import { t } from "./i18n";
import type { PoolPoller } from "./pool";
import { notify } from "./toasts";

export type BatchKind = "check" | "refresh" | "remove" | "add";

export interface BatchProgress {
  kind: BatchKind;
  total: number;
  done: number;
  ok: number;
  failed: number;
  failures: { name: string; error: string }[];
  running: boolean;
}

/** Calls in flight at once for batches the server has no batch endpoint for. */
export const BATCH_CONCURRENCY = 4;

interface Dependencies {
  client: AdminClient;
  pool: PoolPoller;
  accountsMeta: AccountsMetaStore;
  checkResults: CheckResultsStore;
  describe: (error: unknown) => string;
}

/**
 * Every account operation the pages offer, with its side effects in one place: a toast, the stored check
 * results, the local labels of removed accounts, an immediate pool refresh, and one shared progress bar for
 * batches (it survives switching pages).
 */
export function createAccountActions({ client, pool, accountsMeta, checkResults, describe }: Dependencies) {
  const [progress, setProgress] = createStore<{ current: BatchProgress | null }>({ current: null });
  const [busy, setBusy] = createStore<Record<string, boolean>>({});

  const startBatch = (kind: BatchKind, total: number) =>
    setProgress("current", { kind, total, done: 0, ok: 0, failed: 0, failures: [], running: true });

  const advance = (done: number, name: string, error?: string) =>
    setProgress(
      produce(({ current }) => {
        if (!current) return;
        current.done = Math.max(current.done, done);
        if (error === undefined) current.ok += 1;
        else {
          current.failed += 1;
          current.failures.push({ name, error });
        }
      }),
    );

  const finishBatch = () => setProgress("current", "running", false);

  /** Runs one call for one account with its row marked busy; returns undefined when it failed (already reported). */
  async function single<T>(name: string, call: () => Promise<T>, success: (value: T) => string): Promise<T | undefined> {
    setBusy(name, true);
    try {
      const value = await call();
      notify("ok", success(value));
      return value;
    } catch (error) {
      notify("error", t("actionFailed", { name, error: describe(error) }));
      return undefined;
    } finally {
      setBusy(name, false);
      void pool.refresh();
    }
  }

  const checkMessage = (r: CheckAccountResponse) =>
    r.error ? t("checkFailed", { name: r.name, error: r.error }) : t("checkDone", { name: r.name, used: r.currentUsage, limit: r.usageLimit });

  async function batchOver<T>(kind: BatchKind, items: readonly T[], nameOf: (item: T) => string, work: (item: T) => Promise<unknown>) {
    if (progress.current?.running || items.length === 0) return;
    startBatch(kind, items.length);
    await runBatch(items, work, {
      concurrency: BATCH_CONCURRENCY,
      onSettled: (done, _total, outcome) => advance(done, nameOf(outcome.item), outcome.ok ? undefined : outcome.error),
    });
    finishBatch();
    void pool.refresh();
  }

  return {
    progress,
    busy,
    dismissProgress: () => setProgress("current", null),

    async check(name: string) {
      setBusy(name, true);
      try {
        const result = await client.checkAccount(name);
        checkResults.record([result]);
        notify(result.error ? "error" : "ok", checkMessage(result));
      } catch (error) {
        notify("error", t("actionFailed", { name, error: describe(error) }));
      } finally {
        setBusy(name, false);
        void pool.refresh();
      }
    },

    refresh: (name: string) => single(name, () => client.refreshAccount(name), () => t("refreshDone", { name })),

    reset: (name: string) => single(name, () => client.resetAccount(name), () => t("resetDone", { name })),

    async remove(name: string, deleteFile: boolean) {
      const removed = await single(name, () => client.removeAccount(name, deleteFile).then(() => true), () => t("removeDone", { name }));
      if (removed) {
        accountsMeta.change((draft) => forgetAccount(draft, name));
        checkResults.forget(name);
      }
    },

    /** One server call that streams a line per finished account, so the bar moves as results arrive. */
    async batchCheck(names: readonly string[]) {
      if (progress.current?.running || names.length === 0) return;
      startBatch("check", names.length);
      try {
        await client.batchCheck([...names], (done, _total, result) => {
          checkResults.record([result]);
          advance(done, result.name, result.error);
        });
      } catch (error) {
        notify("error", describe(error));
      } finally {
        finishBatch();
        void pool.refresh();
      }
    },

    batchRefresh: (names: readonly string[]) => batchOver("refresh", names, (name) => name, (name) => client.refreshAccount(name)),

    batchRemove: (names: readonly string[], deleteFile: boolean) =>
      batchOver("remove", names, (name) => name, async (name) => {
        await client.removeAccount(name, deleteFile);
        accountsMeta.change((draft) => forgetAccount(draft, name));
        checkResults.forget(name);
      }),

    /** Adds one account; the error is thrown back so the form can show it beside the fields. */
    async add(request: AddAccountRequest) {
      const account = await client.addAccount(request);
      notify("ok", t("addDone", { name: account.name }));
      void pool.refresh();
      return account;
    },

    addMany: (requests: readonly AddAccountRequest[]) =>
      batchOver("add", requests, (request) => request.name, (request) => client.addAccount(request)),

    async importSso(request: ImportSsoRequest): Promise<ImportSsoResult> {
      const result = await client.importSso(request);
      notify("ok", t("importDone", { name: result.account.name, email: result.email ? ` (${result.email})` : "" }));
      void pool.refresh();
      return result;
    },
  };
}

export type AccountActions = ReturnType<typeof createAccountActions>;

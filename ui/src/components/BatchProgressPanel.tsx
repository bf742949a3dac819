import { For, Show } from "solid-js";
import type { BatchKind } from "../state/account-actions";
import { useApp } from "../state/app-context";
import { t } from "../state/i18n";
import { ProgressBar } from "./common";

const TITLE = { check: "progressCheck", refresh: "progressRefresh", remove: "progressRemove", add: "progressAdd" } as const satisfies Record<BatchKind, string>;

/** The one progress bar of batch operations: shown while one runs, and after it with its failures until dismissed. */
export function BatchProgressPanel() {
  const { actions } = useApp();
  return (
    <Show when={actions.progress.current}>
      {(progress) => {
        const percent = () => (progress().total === 0 ? 100 : (progress().done / progress().total) * 100);
        return (
          <section class="card mb-4" data-testid="batch-progress" data-running={String(progress().running)} aria-busy={progress().running}>
            <div class="mb-2 flex flex-wrap items-center gap-3">
              <h2 class="text-sm font-semibold">{t(TITLE[progress().kind])}</h2>
              <span class="muted text-sm tabular-nums" data-testid="batch-progress-counts">
                {t("progressCounts", { done: progress().done, total: progress().total, ok: progress().ok, failed: progress().failed })}
              </span>
              <span class="ml-auto text-sm font-semibold tabular-nums" data-testid="batch-progress-percent">
                {Math.round(percent())} %
              </span>
              <Show when={!progress().running}>
                <button type="button" class="btn-icon" aria-label={t("close")} onClick={() => actions.dismissProgress()}>
                  ✕
                </button>
              </Show>
            </div>
            <ProgressBar percent={percent()} tone={progress().failed > 0 && !progress().running ? "warn" : "accent"} label={t(TITLE[progress().kind])} />
            <Show when={progress().failures.length > 0}>
              <details class="mt-2 text-sm">
                <summary class="cursor-pointer text-red-600 dark:text-red-400">
                  {t("progressFailures")} ({progress().failures.length})
                </summary>
                <ul class="mt-1 max-h-40 overflow-y-auto text-xs">
                  <For each={progress().failures}>
                    {(failure) => (
                      <li>
                        <span class="font-medium">{failure.name}</span>: <span class="muted">{failure.error}</span>
                      </li>
                    )}
                  </For>
                </ul>
              </details>
            </Show>
          </section>
        );
      }}
    </Show>
  );
}

import { A } from "@solidjs/router";
import { createMemo, For, Show } from "solid-js";
import { ErrorLine, ProgressBar, StateBadge } from "../components/common";
import { credentialUnsaved } from "../components/CredentialBadge";
import { KeyUsagePanel } from "../components/KeyUsagePanel";
import { RequestsChart } from "../components/RequestsChart";
import { formatNumber, formatRelative } from "../lib/format";
import { quotaTotals, usageTone } from "../lib/quota";
import { ROUTES } from "../routes";
import { useApp } from "../state/app-context";
import { now } from "../state/clock";
import { lang, t } from "../state/i18n";

const ATTENTION_LIMIT = 12;

function Stat(props: { label: string; value: number; hint?: string; tone?: string; testId: string }) {
  return (
    <div class="card" data-testid={props.testId}>
      <div class="muted text-xs font-medium uppercase tracking-wide">{props.label}</div>
      <div class={`mt-1 text-2xl font-semibold tabular-nums ${props.tone ?? ""}`}>{formatNumber(props.value, lang())}</div>
      <Show when={props.hint}>
        <div class="muted mt-0.5 text-xs">{props.hint}</div>
      </Show>
    </div>
  );
}

function QuotaFigure(props: { label: string; value: number }) {
  return (
    <div>
      <div class="muted text-xs">{props.label}</div>
      <div class="text-lg font-semibold tabular-nums">{formatNumber(props.value, lang())}</div>
    </div>
  );
}

export function DashboardPage() {
  const { pool, checkResults, actions, handleError } = useApp();
  const status = () => pool.view.status;
  const accounts = () => status()?.accounts ?? [];

  const totals = createMemo(() => quotaTotals(accounts(), checkResults.checks.results));
  const lastHour = createMemo(() => (status()?.requests_per_minute ?? []).reduce((sum, m) => sum + m.count, 0));
  const attention = createMemo(() => accounts().filter((a) => a.state !== "healthy" || credentialUnsaved(a)));
  const unsaved = createMemo(() => accounts().filter(credentialUnsaved).length);
  const healthRate = () => {
    const s = status();
    return s && s.total_accounts > 0 ? Math.round((s.healthy_accounts / s.total_accounts) * 100) : 0;
  };

  return (
    <div class="space-y-4" data-testid="dashboard">
      <div class="flex items-center gap-3">
        <h1 class="text-lg font-semibold">{t("navDashboard")}</h1>
        <Show when={pool.view.updatedAt}>
          {(at) => <span class="muted text-xs">{t("updatedAgo", { time: formatRelative(at(), Math.max(now(), at()), lang()) })}</span>}
        </Show>
        <button type="button" class="btn ml-auto" onClick={() => void pool.refresh()}>
          {t("refreshNow")}
        </button>
      </div>

      <Show when={pool.view.error}>{(error) => <ErrorLine error={handleError(error())} retry={() => void pool.refresh()} />}</Show>

      <Show when={status()} fallback={<p class="muted">{t("loading")}</p>}>
        {(s) => (
          <>
            <Show when={unsaved() > 0}>
              <p
                class="flex items-center gap-2 rounded-lg border border-amber-500/50 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-500/10 dark:text-amber-200"
                data-testid="credential-unsaved-count"
                title={t("credentialNotSavedHint")}
              >
                <span aria-hidden="true">⚠</span>
                <A href={ROUTES.accounts} class="font-medium hover:underline">
                  {t("credentialNotSavedCount", { count: formatNumber(unsaved(), lang()), total: formatNumber(s().total_accounts, lang()) })}
                </A>
              </p>
            </Show>
            <div class="grid grid-cols-2 gap-4 md:grid-cols-4 xl:grid-cols-7">
              <Stat testId="stat-total" label={t("statTotal")} value={s().total_accounts} hint={t("healthRate", { percent: healthRate() })} />
              <Stat testId="stat-healthy" label={t("statHealthy")} value={s().healthy_accounts} tone="text-emerald-600 dark:text-emerald-400" />
              <Stat testId="stat-cooling" label={t("statCooling")} value={s().cooling_accounts} tone="text-amber-600 dark:text-amber-400" />
              <Stat testId="stat-disabled" label={t("statDisabled")} value={s().disabled_accounts} tone="text-red-600 dark:text-red-400" />
              <Stat testId="stat-suspended" label={t("statSuspended")} value={s().suspended_accounts} tone="text-fuchsia-600 dark:text-fuchsia-400" hint={t("statSuspendedHint")} />
              <Stat testId="stat-requests" label={t("statRequests")} value={s().total_requests} />
              <Stat
                testId="stat-waiting"
                label={t("statWaiting")}
                value={s().waiting_requests}
                hint={s().waiting_requests > 0 ? t("longestWait", { secs: s().longest_wait_secs }) : t("nobodyWaits")}
              />
            </div>

            <div class="grid gap-4 lg:grid-cols-3">
              <section class="card lg:col-span-2">
                <div class="mb-2 flex items-baseline justify-between gap-2">
                  <h2 class="text-sm font-semibold">{t("requestsLastHour")}</h2>
                  <span class="muted text-xs" data-testid="requests-last-hour">
                    {t("requestsLastHourTotal", { count: formatNumber(lastHour(), lang()) })}
                  </span>
                </div>
                <RequestsChart series={s().requests_per_minute} />
              </section>

              <section class="card flex flex-col gap-3" data-testid="quota-panel">
                <div class="flex items-center justify-between gap-2">
                  <h2 class="text-sm font-semibold">{t("quotaTitle")}</h2>
                  <button
                    type="button"
                    class="btn"
                    disabled={Boolean(actions.progress.current?.running) || accounts().length === 0}
                    onClick={() => void actions.batchCheck(accounts().map((a) => a.name))}
                  >
                    {t("checkAll")}
                  </button>
                </div>
                <div class="grid grid-cols-3 gap-2">
                  <QuotaFigure label={t("quotaUsed")} value={totals().used} />
                  <QuotaFigure label={t("quotaLimit")} value={totals().limit} />
                  <QuotaFigure label={t("quotaRemaining")} value={totals().remaining} />
                </div>
                <div>
                  <div class="mb-1 flex justify-between text-xs">
                    <span class="muted">{t("quotaChecked", { checked: totals().checked, total: totals().total })}</span>
                    <span class="font-medium tabular-nums">{totals().percent.toFixed(1)}%</span>
                  </div>
                  <ProgressBar percent={totals().percent} tone={usageTone(totals().percent)} label={t("quotaTitle")} />
                </div>
              </section>
            </div>

            <KeyUsagePanel />

            <section class="card" data-testid="attention">
              <h2 class="mb-2 text-sm font-semibold">{t("attentionTitle")}</h2>
              <Show when={attention().length > 0} fallback={<p class="muted text-sm">{t("attentionNone")}</p>}>
                <ul class="divide-y divide-slate-200 dark:divide-slate-800">
                  <For each={attention().slice(0, ATTENTION_LIMIT)}>
                    {(account) => (
                      <li class="flex flex-wrap items-start justify-between gap-2 py-2">
                        <div class="min-w-0">
                          <div class="truncate text-sm font-medium">{account.name}</div>
                          <Show when={account.email}>
                            <div class="muted truncate text-xs">{account.email}</div>
                          </Show>
                        </div>
                        <div class="max-w-md text-right">
                          <StateBadge account={account} />
                        </div>
                      </li>
                    )}
                  </For>
                </ul>
                <Show when={attention().length > ATTENTION_LIMIT}>
                  <A href={ROUTES.accounts} class="mt-2 inline-block text-sm text-violet-600 hover:underline dark:text-violet-400">
                    {t("attentionMore", { count: attention().length - ATTENTION_LIMIT })}
                  </A>
                </Show>
              </Show>
            </section>
          </>
        )}
      </Show>
    </div>
  );
}

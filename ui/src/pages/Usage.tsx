import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import type { UsageGroup } from "../api/records-types";
import { ErrorLine } from "../components/common";
import { UsageChart } from "../components/UsageChart";
import { formatCredits, formatNumber } from "../lib/format";
import { chartData, RANGES, type Range, type UsageMetric, usageCsv, usageQuery } from "../lib/usage-view";
import { useApp } from "../state/app-context";
import { lang, type MessageKey, t } from "../state/i18n";

const GROUPS: Array<[UsageGroup, MessageKey]> = [
  ["key", "usageByKey"],
  ["model", "usageByModel"],
  ["account", "usageByAccount"],
];
const METRICS: Array<[UsageMetric, MessageKey]> = [
  ["requests", "metricRequests"],
  ["tokens", "metricTokens"],
  ["credits", "metricCredits"],
];
const RANGE_LABELS: Record<Range, MessageKey> = { "24h": "usageRange24h", "7d": "usageRange7d", "30d": "usageRange30d", "90d": "usageRange90d" };
const TOP_SERIES = 8;

function Choice<T extends string>(props: { label: string; options: Array<[T, string]>; value: T; onChange: (v: T) => void; testId: string }) {
  return (
    <div role="group" aria-label={props.label} class="flex items-center gap-1" data-testid={props.testId}>
      <span class="muted mr-1 text-xs">{props.label}</span>
      <For each={props.options}>
        {([value, label]) => (
          <button type="button" class={`btn ${props.value === value ? "btn-primary" : ""}`} aria-pressed={props.value === value} onClick={() => props.onChange(value)}>
            {label}
          </button>
        )}
      </For>
    </div>
  );
}

export function UsagePage() {
  const { client, handleError } = useApp();
  const [by, setBy] = createSignal<UsageGroup>("key");
  const [range, setRange] = createSignal<Range>("7d");
  const [metric, setMetric] = createSignal<UsageMetric>("requests");
  const [report, { refetch }] = createResource(
    () => ({ by: by(), range: range() }),
    ({ by, range }) => client.usage(usageQuery(range, by, Date.now())),
  );
  const data = createMemo(() => {
    const r = report();
    return r ? chartData(r, metric(), TOP_SERIES, t("usageOther")) : undefined;
  });
  const num = (n: number) => formatNumber(n, lang());

  const exportCsv = () => {
    const r = report();
    if (!r) return;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([usageCsv(r)], { type: "text/csv" }));
    link.download = `kiro-ts-usage-by-${r.by}-${r.from.slice(0, 10)}-${r.to.slice(0, 10)}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  };

  return (
    <div class="space-y-4" data-testid="usage-page">
      <div class="flex flex-wrap items-center gap-3">
        <h1 class="text-lg font-semibold">{t("usageTitle")}</h1>
        <button type="button" class="btn ml-auto" onClick={() => void refetch()}>
          {t("refreshNow")}
        </button>
        <button type="button" class="btn" data-testid="usage-export" disabled={!report()} onClick={exportCsv}>
          {t("usageExport")}
        </button>
      </div>
      <div class="card flex flex-wrap gap-4">
        <Choice label={t("usageBy")} testId="usage-by" options={GROUPS.map(([v, k]) => [v, t(k)])} value={by()} onChange={setBy} />
        <Choice label={t("usageRange")} testId="usage-range" options={(Object.keys(RANGES) as Range[]).map((r) => [r, t(RANGE_LABELS[r])])} value={range()} onChange={setRange} />
        <Choice label={t("usageMetric")} testId="usage-metric" options={METRICS.map(([v, k]) => [v, t(k)])} value={metric()} onChange={setMetric} />
      </div>
      <Show when={report.error}>{(error) => <ErrorLine error={handleError(error())} retry={() => void refetch()} />}</Show>
      <div class="card">
        <Show when={data()} fallback={<p class="muted text-sm">{t("loading")}</p>}>
          {(d) => (
            <Show when={d().series.length} fallback={<p class="muted text-sm" data-testid="usage-empty">{t("usageNoData")}</p>}>
              <UsageChart
                data={d()}
                daily={report()?.bucket === "day"}
                label={t("usageChartLabel", { metric: t(METRICS.find(([m]) => m === metric())![1]), by: t(GROUPS.find(([g]) => g === by())![1]) })}
              />
            </Show>
          )}
        </Show>
      </div>
      <div class="card overflow-x-auto p-0">
        <table class="w-full text-left text-sm" data-testid="usage-totals">
          <thead class="muted border-b border-slate-200 text-xs uppercase dark:border-slate-800">
            <tr>
              <th class="px-3 py-2">{t(GROUPS.find(([g]) => g === by())![1])}</th>
              <th class="px-3 py-2 text-right">{t("metricRequests")}</th>
              <th class="px-3 py-2 text-right">{t("usageErrors")}</th>
              <th class="px-3 py-2 text-right">{t("usageInput")}</th>
              <th class="px-3 py-2 text-right">{t("usageOutput")}</th>
              <th class="px-3 py-2 text-right">{t("usageCacheRead")}</th>
              <th class="px-3 py-2 text-right">{t("usageCacheWrite")}</th>
              <th class="px-3 py-2 text-right">{t("metricCredits")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={report()?.totals ?? []}>
              {(row) => (
                <tr class="border-b border-slate-100 tabular-nums last:border-0 dark:border-slate-800" data-testid="usage-row" data-key={row.key}>
                  <td class="px-3 py-2 font-medium">{row.key}</td>
                  <td class="px-3 py-2 text-right">{num(row.requests)}</td>
                  <td class="px-3 py-2 text-right">{num(row.errors)}</td>
                  <td class="px-3 py-2 text-right">{num(row.inputTokens)}</td>
                  <td class="px-3 py-2 text-right">{num(row.outputTokens)}</td>
                  <td class="px-3 py-2 text-right">{num(row.cacheReadTokens)}</td>
                  <td class="px-3 py-2 text-right">{num(row.cacheWriteTokens)}</td>
                  <td class="px-3 py-2 text-right">{formatCredits(row.credits, lang())}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </div>
  );
}

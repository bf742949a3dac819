import { createVirtualizer } from "@tanstack/solid-virtual";
import { For, Show } from "solid-js";
import type { AccountInfo } from "../api/types";
import { formatDateTime, formatNumber, formatRelative, parseTime } from "../lib/format";
import { quotaOf } from "../lib/quota";
import { useApp } from "../state/app-context";
import { now } from "../state/clock";
import { authMethodLabel, lang, t } from "../state/i18n";
import { Chip, QuotaBar, StateBadge } from "./common";
import { GaugeIcon, NoteIcon, RefreshIcon, ResetIcon, TagIcon, TrashIcon } from "./icons";

/** Matches the rows' `h-16` class; a class rather than an inline style, which the CSP would block once Solid inlines it. */
const ROW_HEIGHT = 64;

/** Header and rows share one grid, so the columns line up without a <table> (rows are absolutely placed). */
const GRID =
  "grid grid-cols-[2rem_minmax(11rem,2fr)_minmax(9rem,1.4fr)_4.5rem_4rem_minmax(8rem,1.2fr)_6.5rem_minmax(7rem,1fr)_minmax(6rem,1fr)_9rem] items-center gap-x-3 px-3";

export interface AccountTableProps {
  rows: readonly AccountInfo[];
  isSelected: (name: string) => boolean;
  onToggle: (name: string) => void;
  allSelected: boolean;
  onToggleAll: () => void;
  onRemove: (name: string) => void;
  onLabels: (name: string) => void;
  emptyText: string;
}

function TokenExpiry(props: { expiresAt?: string }) {
  const at = () => parseTime(props.expiresAt);
  return (
    <Show when={at()} fallback={<span class="muted">—</span>}>
      {(ms) => (
        <span class={`text-xs ${ms() < now() ? "text-red-600 dark:text-red-400" : ""}`} title={formatDateTime(ms(), lang())}>
          {formatRelative(ms(), now(), lang())}
        </span>
      )}
    </Show>
  );
}

function Labels(props: { name: string }) {
  const { accountsMeta } = useApp();
  const entry = () => accountsMeta.meta.metaByName[props.name];
  const group = () => {
    const id = entry()?.groupId;
    return id ? accountsMeta.meta.groups.find((g) => g.id === id) : undefined;
  };
  const tags = () => (entry()?.tagIds ?? []).map((id) => accountsMeta.meta.tags.find((tag) => tag.id === id)).filter((tag) => tag !== undefined);
  return (
    <div class="flex max-h-12 min-w-0 flex-wrap gap-1 overflow-hidden">
      <Show when={group()}>{(g) => <Chip color={g().color}>{g().name}</Chip>}</Show>
      <For each={tags()}>{(tag) => <Chip color={tag.color}>{tag.name}</Chip>}</For>
    </div>
  );
}

/** Renders only the rows in view (plus a few), so 1,000+ accounts scroll as smoothly as ten. */
export function AccountTable(props: AccountTableProps) {
  const { actions, checkResults, accountsMeta } = useApp();
  let scroller!: HTMLDivElement;
  const virtualizer = createVirtualizer({
    get count() {
      return props.rows.length;
    },
    getScrollElement: () => scroller,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => props.rows[index]?.name ?? index,
  });

  return (
    <div class="card overflow-x-auto p-0" role="table" aria-label={t("navAccounts")} aria-rowcount={props.rows.length}>
      <div class="min-w-[1220px]">
        <div role="row" class={`${GRID} muted h-10 border-b border-slate-200 text-xs font-medium uppercase tracking-wide dark:border-slate-800`}>
          <span role="columnheader">
            <input type="checkbox" aria-label={t("selectAll")} checked={props.allSelected} onChange={() => props.onToggleAll()} />
          </span>
          <span role="columnheader">{t("colAccount")}</span>
          <span role="columnheader">{t("colState")}</span>
          <span role="columnheader" class="text-right">
            {t("colRequests")}
          </span>
          <span role="columnheader" class="text-right">
            {t("colFailures")}
          </span>
          <span role="columnheader">{t("colQuota")}</span>
          <span role="columnheader">{t("colExpiry")}</span>
          <span role="columnheader">{t("colProvider")}</span>
          <span role="columnheader">{t("colLabels")}</span>
          <span role="columnheader" class="text-right">
            {t("colActions")}
          </span>
        </div>
        <div ref={scroller} class="h-[calc(100vh-17rem)] min-h-80 overflow-y-auto" data-testid="accounts-scroller">
          <Show when={props.rows.length > 0} fallback={<p class="muted p-6 text-center text-sm">{props.emptyText}</p>}>
            <div class="relative w-full" style={{ height: `${virtualizer.getTotalSize()}px` }}>
              <For each={virtualizer.getVirtualItems()}>
                {(item) => {
                  const account = () => props.rows[item.index];
                  return (
                    <Show when={account()}>
                      {(a) => (
                        <div
                          role="row"
                          aria-rowindex={item.index + 2}
                          data-testid="account-row"
                          data-name={a().name}
                          class={`${GRID} absolute left-0 top-0 h-16 w-full border-b border-slate-100 text-sm hover:bg-slate-50 dark:border-slate-800/70 dark:hover:bg-slate-800/40 ${props.isSelected(a().name) ? "bg-violet-50 dark:bg-violet-500/10" : ""}`}
                          style={{ transform: `translateY(${item.start}px)` }}
                        >
                          <span role="cell">
                            <input type="checkbox" aria-label={a().name} checked={props.isSelected(a().name)} onChange={() => props.onToggle(a().name)} />
                          </span>
                          <div role="cell" class="min-w-0">
                            <div class="flex items-center gap-1 truncate font-medium" title={a().name}>
                              <span class="truncate">{a().name}</span>
                              <Show when={accountsMeta.meta.metaByName[a().name]?.notes}>
                                {(notes) => (
                                  <span class="muted shrink-0" title={notes()}>
                                    <NoteIcon />
                                  </span>
                                )}
                              </Show>
                            </div>
                            <div class="muted truncate text-xs" title={a().email}>
                              {a().email ?? authMethodLabel(a().auth_method) ?? ""}
                            </div>
                          </div>
                          <div role="cell" class="min-w-0">
                            <StateBadge account={a()} compact />
                          </div>
                          <span role="cell" class="text-right tabular-nums">
                            {formatNumber(a().request_count, lang())}
                          </span>
                          <span role="cell" class={`text-right tabular-nums ${a().failure_count > 0 ? "text-red-600 dark:text-red-400" : ""}`}>
                            {formatNumber(a().failure_count, lang())}
                          </span>
                          <div role="cell" class="min-w-0">
                            <QuotaBar quota={quotaOf(a(), checkResults.checks.results[a().name])} />
                          </div>
                          <div role="cell">
                            <TokenExpiry expiresAt={a().expires_at} />
                          </div>
                          <div role="cell" class="min-w-0 text-xs">
                            <div class="truncate">{[a().provider, authMethodLabel(a().auth_method)].filter(Boolean).join(" · ") || "—"}</div>
                            <div class="muted truncate">{a().region ?? ""}</div>
                          </div>
                          <div role="cell" class="min-w-0">
                            <Labels name={a().name} />
                          </div>
                          <div role="cell" class="flex justify-end gap-0.5" aria-busy={Boolean(actions.busy[a().name])}>
                            <button type="button" class="btn-icon" title={t("actionCheck")} aria-label={`${t("actionCheck")} ${a().name}`} disabled={actions.busy[a().name]} onClick={() => void actions.check(a().name)}>
                              <GaugeIcon />
                            </button>
                            <button type="button" class="btn-icon" title={t("actionRefresh")} aria-label={`${t("actionRefresh")} ${a().name}`} disabled={actions.busy[a().name]} onClick={() => void actions.refresh(a().name)}>
                              <RefreshIcon />
                            </button>
                            <button type="button" class="btn-icon" title={t("actionReset")} aria-label={`${t("actionReset")} ${a().name}`} disabled={actions.busy[a().name]} onClick={() => void actions.reset(a().name)}>
                              <ResetIcon />
                            </button>
                            <button type="button" class="btn-icon" title={t("actionLabels")} aria-label={`${t("actionLabels")} ${a().name}`} onClick={() => props.onLabels(a().name)}>
                              <TagIcon />
                            </button>
                            <button type="button" class="btn-icon hover:text-red-600 dark:hover:text-red-400" title={t("actionRemove")} aria-label={`${t("actionRemove")} ${a().name}`} disabled={actions.busy[a().name]} onClick={() => props.onRemove(a().name)}>
                              <TrashIcon />
                            </button>
                          </div>
                        </div>
                      )}
                    </Show>
                  );
                }}
              </For>
            </div>
          </Show>
        </div>
      </div>
    </div>
  );
}

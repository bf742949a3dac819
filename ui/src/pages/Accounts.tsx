import { createMemo, createSignal, Match, Show, Switch } from "solid-js";
import { createStore } from "solid-js/store";
import { AccountTable } from "../components/AccountTable";
import { AddAccountDialog } from "../components/AddAccountDialog";
import { ErrorLine, STATE_LABEL, Select } from "../components/common";
import { ExportDialog } from "../components/ExportDialog";
import { LabelsDialog } from "../components/LabelsDialog";
import { ManageLabelsDialog } from "../components/ManageLabelsDialog";
import { RemoveDialog } from "../components/RemoveDialog";
import { ACCOUNT_STATES, ANY, type AccountFilters, type AccountSort, distinctValues, isAccountState, filterAccounts, NO_GROUP, noFilters, type SortKey, sortAccounts } from "../lib/accounts-view";
import { keepShown, selectionInView, toggleOne, toggleShown, without } from "../lib/selection";
import { useApp } from "../state/app-context";
import { authMethodLabel, type MessageKey, t } from "../state/i18n";

type OpenDialog = { kind: "add" } | { kind: "export" } | { kind: "manage" } | { kind: "remove"; names: string[] } | { kind: "labels"; name: string };

const SORT_KEYS: [SortKey, MessageKey][] = [
  ["name", "sortName"],
  ["state", "sortState"],
  ["requests", "sortRequests"],
  ["failures", "sortFailures"],
  ["usage", "sortUsage"],
  ["expiry", "sortExpiry"],
  ["provider", "sortProvider"],
];

export function AccountsPage() {
  const { pool, accountsMeta, checkResults, actions, handleError } = useApp();
  const [filters, setFilters] = createStore<AccountFilters>(noFilters());
  const [sort, setSort] = createStore<AccountSort>({ key: "name", direction: "asc" });
  const [selected, setSelected] = createSignal<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = createSignal<OpenDialog | null>(null);

  const all = () => pool.view.status?.accounts ?? [];
  const context = () => ({ meta: accountsMeta.meta, checks: checkResults.checks.results });
  const rows = createMemo(() => sortAccounts(filterAccounts(all(), filters, context()), sort, context()));

  // Batch actions touch the selected accounts the table shows, never ones the filters hide (nor removed ones).
  const selection = createMemo(() => selectionInView(selected(), rows(), all()));
  const targetNames = () => selection().targets.map((a) => a.name);
  const targetsTitle = () => t("batchTargets", { names: targetNames().join(", ") });
  const allShownSelected = () => rows().length > 0 && rows().every((a) => selected().has(a.name));

  const toggle = (name: string) => setSelected((current) => toggleOne(current, name));
  const toggleAllShown = () => setSelected((current) => toggleShown(current, rows()));
  const clearSelection = () => setSelected(new Set<string>());

  const removing = () => {
    const open = dialog();
    return open?.kind === "remove" ? open : undefined;
  };
  const labelling = () => {
    const open = dialog();
    return open?.kind === "labels" ? open : undefined;
  };

  const batchRunning = () => Boolean(actions.progress.current?.running);
  const option = (value: string, label: string) => ({ value, label });

  return (
    <div class="space-y-3" data-testid="accounts-page">
      <div class="flex flex-wrap items-center gap-2">
        <h1 class="mr-2 text-lg font-semibold">{t("navAccounts")}</h1>
        <input
          type="search"
          class="input w-64"
          placeholder={t("searchPlaceholder")}
          aria-label={t("searchPlaceholder")}
          value={filters.search}
          onInput={(e) => setFilters("search", e.currentTarget.value)}
        />
        <Select
          class="w-auto max-w-48"
          label={t("filterState")}
          value={filters.state}
          onChange={(v) => setFilters("state", isAccountState(v) ? v : ANY)}
          options={[option(ANY, `${t("filterState")}: ${t("all")}`), ...ACCOUNT_STATES.map((state) => option(state, `${t("filterState")}: ${t(STATE_LABEL[state])}`))]}
        />
        <Select
          class="w-auto max-w-48"
          label={t("filterProvider")}
          value={filters.provider}
          onChange={(v) => setFilters("provider", v)}
          options={[option(ANY, `${t("filterProvider")}: ${t("all")}`), ...distinctValues(all(), "provider").map((p) => option(p, `${t("filterProvider")}: ${p}`))]}
        />
        <Select
          class="w-auto max-w-48"
          label={t("filterAuth")}
          value={filters.authMethod}
          onChange={(v) => setFilters("authMethod", v)}
          options={[option(ANY, `${t("filterAuth")}: ${t("all")}`), ...distinctValues(all(), "auth_method").map((m) => option(m, `${t("filterAuth")}: ${authMethodLabel(m)}`))]}
        />
        <Select
          class="w-auto max-w-48"
          label={t("filterGroup")}
          value={filters.groupId}
          onChange={(v) => setFilters("groupId", v)}
          options={[option(ANY, `${t("filterGroup")}: ${t("all")}`), option(NO_GROUP, `${t("filterGroup")}: ${t("noGroup")}`), ...accountsMeta.meta.groups.map((g) => option(g.id, `${t("filterGroup")}: ${g.name}`))]}
        />
        <Select
          class="w-auto max-w-48"
          label={t("filterTag")}
          value={filters.tagId}
          onChange={(v) => setFilters("tagId", v)}
          options={[option(ANY, `${t("filterTag")}: ${t("all")}`), ...accountsMeta.meta.tags.map((tag) => option(tag.id, `${t("filterTag")}: ${tag.name}`))]}
        />
        <Select
          class="w-auto max-w-48"
          label={t("sortBy")}
          value={sort.key}
          onChange={(v) => setSort("key", SORT_KEYS.find(([key]) => key === v)?.[0] ?? "name")}
          options={SORT_KEYS.map(([key, label]) => option(key, `${t("sortBy")}: ${t(label)}`))}
        />
        <button
          type="button"
          class="btn"
          aria-label={sort.direction === "asc" ? t("ascending") : t("descending")}
          title={sort.direction === "asc" ? t("ascending") : t("descending")}
          onClick={() => setSort("direction", sort.direction === "asc" ? "desc" : "asc")}
        >
          {sort.direction === "asc" ? "↑" : "↓"}
        </button>
        <button type="button" class="btn" onClick={() => setDialog({ kind: "manage" })}>
          {t("manageLabels")}
        </button>
      </div>

      <div class="flex flex-wrap items-center gap-2">
        <span class="muted text-sm tabular-nums" data-testid="accounts-count">
          {t("shownOf", { shown: rows().length, total: all().length })}
        </span>
        <Show when={selection().targets.length > 0 || selection().hidden > 0}>
          <span class="text-sm font-medium" data-testid="selection-count">
            · {t("selected", { count: selection().targets.length })}
          </span>
          <Show when={selection().hidden > 0}>
            <span class="text-sm text-amber-700 dark:text-amber-400" data-testid="selection-hidden">
              · {t("selectedHidden", { count: selection().hidden })}
            </span>
            <button type="button" class="btn" onClick={() => setSelected((current) => keepShown(current, rows()))}>
              {t("deselectHidden")}
            </button>
          </Show>
          <button type="button" class="btn" onClick={clearSelection}>
            {t("clearSelection")}
          </button>
          <Show when={selection().targets.length > 0}>
            <button type="button" class="btn" title={targetsTitle()} disabled={batchRunning()} onClick={() => void actions.batchCheck(targetNames())}>
              {t("batchCheck", { count: selection().targets.length })}
            </button>
            <button type="button" class="btn" title={targetsTitle()} disabled={batchRunning()} onClick={() => void actions.batchRefresh(targetNames())}>
              {t("batchRefresh", { count: selection().targets.length })}
            </button>
            <button
              type="button"
              class="btn hover:text-red-600"
              title={targetsTitle()}
              disabled={batchRunning()}
              onClick={() => setDialog({ kind: "remove", names: targetNames() })}
            >
              {t("batchRemove", { count: selection().targets.length })}
            </button>
          </Show>
        </Show>
        <div class="ml-auto flex gap-2">
          <button type="button" class="btn" onClick={() => setDialog({ kind: "export" })}>
            {t("exportAccounts")}
          </button>
          <button type="button" class="btn btn-primary" onClick={() => setDialog({ kind: "add" })}>
            {t("addAccount")}
          </button>
        </div>
      </div>

      <Show when={pool.view.error}>{(error) => <ErrorLine error={handleError(error())} retry={() => void pool.refresh()} />}</Show>

      <Show when={pool.view.status} fallback={<p class="muted">{t("loading")}</p>}>
        <AccountTable
          rows={rows()}
          isSelected={(name) => selected().has(name)}
          onToggle={toggle}
          allSelected={allShownSelected()}
          onToggleAll={toggleAllShown}
          onRemove={(name) => setDialog({ kind: "remove", names: [name] })}
          onLabels={(name) => setDialog({ kind: "labels", name })}
          emptyText={all().length === 0 ? t("noAccountsYet") : t("noAccounts")}
        />
      </Show>

      <Switch>
        <Match when={dialog()?.kind === "add"}>
          <AddAccountDialog onClose={() => setDialog(null)} />
        </Match>
        <Match when={dialog()?.kind === "export"}>
          <ExportDialog selected={selection().targets} shown={rows()} all={all()} onClose={() => setDialog(null)} />
        </Match>
        <Match when={dialog()?.kind === "manage"}>
          <ManageLabelsDialog onClose={() => setDialog(null)} />
        </Match>
        <Match when={removing()}>
          {(d) => <RemoveDialog names={d().names} onClose={() => setDialog(null)} onDone={() => setSelected((current) => without(current, d().names))} />}
        </Match>
        <Match when={labelling()}>
          {(d) => <LabelsDialog name={d().name} onClose={() => setDialog(null)} />}
        </Match>
      </Switch>
    </div>
  );
}

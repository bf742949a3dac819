import { createResource, createSignal, For, Show } from "solid-js";
import type { LoggedRequest, RequestFilter } from "../api/records-types";
import { ErrorLine, Modal } from "../components/common";
import { formatCredits, formatDateTime, formatNumber } from "../lib/format";
import { useApp } from "../state/app-context";
import { lang, t } from "../state/i18n";

const PAGE = 50;

const statusTone = (r: LoggedRequest) =>
  r.status >= 400 || r.errorType ? "text-red-600 dark:text-red-400" : "text-emerald-600 dark:text-emerald-400";

function Detail(props: { request: LoggedRequest; onClose: () => void }) {
  const r = () => props.request;
  const rows = (): Array<[string, string]> => [
    [t("reqTime"), formatDateTime(Date.parse(r().at), lang())],
    [t("reqKey"), r().key],
    [t("reqRoute"), r().route],
    [t("reqModel"), r().model ?? "—"],
    [t("reqKiroModel"), r().kiroModel ?? "—"],
    [t("reqStream"), r().stream ? t("yes") : t("no")],
    [t("reqStatus"), `${r().status}${r().errorType ? ` · ${r().errorType}` : ""}`],
    [t("reqAccount"), r().account ?? "—"],
    [t("reqTokens"), `${formatNumber(r().inputTokens, lang())} / ${formatNumber(r().outputTokens, lang())}`],
    [t("reqCache"), `${formatNumber(r().cacheReadTokens, lang())} / ${formatNumber(r().cacheWriteTokens, lang())}`],
    [t("reqCredits"), formatCredits(r().credits, lang())],
    [t("reqFirstByte"), r().firstByteMs === null ? "—" : t("milliseconds", { count: r().firstByteMs! })],
    [t("reqDuration"), t("milliseconds", { count: r().durationMs })],
    [t("reqSession"), r().session ?? "—"],
  ];
  return (
    <Modal title={t("reqDetail", { id: r().id })} onClose={props.onClose} wide testId="request-detail">
      <dl class="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-1 text-sm">
        <For each={rows()}>
          {([label, value]) => (
            <>
              <dt class="muted">{label}</dt>
              <dd class="break-all">{value}</dd>
            </>
          )}
        </For>
      </dl>
      <h3 class="mb-1 mt-4 text-sm font-semibold">{t("reqAttempts")}</h3>
      <Show when={r().attempts.length} fallback={<p class="muted text-sm">{t("reqNoAttempts")}</p>}>
        <ol class="list-decimal space-y-0.5 pl-5 text-sm" data-testid="request-attempts">
          <For each={r().attempts}>
            {(a) => (
              <li>
                <span class="font-medium">{a.account}</span> — <span class={a.outcome === "ok" ? "text-emerald-600 dark:text-emerald-400" : "text-amber-600 dark:text-amber-400"}>{a.outcome}</span>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </Modal>
  );
}

export function RequestsPage() {
  const { client, handleError } = useApp();
  const [keys] = createResource(() => client.keys());
  const [draft, setDraft] = createSignal<RequestFilter>({});
  const [filter, setFilter] = createSignal<RequestFilter>({});
  const [older, setOlder] = createSignal<LoggedRequest[]>([]);
  const [next, setNext] = createSignal<number | null>(null);
  const [open, setOpen] = createSignal<LoggedRequest>();
  const [page, { refetch }] = createResource(filter, async (f) => {
    const first = await client.requests({ ...f, limit: PAGE });
    setOlder([]);
    setNext(first.next);
    return first.items;
  });
  const items = () => [...(page() ?? []), ...older()];

  const loadOlder = async () => {
    const before = next();
    if (before === null) return;
    try {
      const more = await client.requests({ ...filter(), limit: PAGE, before });
      setOlder([...older(), ...more.items]);
      setNext(more.next);
    } catch (err) {
      handleError(err);
    }
  };
  const edit = (field: keyof RequestFilter) => (value: string) => {
    const next: RequestFilter = { ...draft() };
    if (value === "") delete next[field];
    else (next as Record<string, string | number>)[field] = field === "status" ? Number(value) : value;
    setDraft(next);
  };

  return (
    <div class="space-y-4" data-testid="requests-page">
      <div class="flex items-center gap-3">
        <h1 class="text-lg font-semibold">{t("requestsTitle")}</h1>
        <button type="button" class="btn ml-auto" onClick={() => void refetch()}>
          {t("refreshNow")}
        </button>
      </div>
      <form
        class="card flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ ...draft() });
        }}
      >
        <div>
          <label class="label" for="filter-key">
            {t("requestsFilterKey")}
          </label>
          <select id="filter-key" class="input" onChange={(e) => edit("key")(e.currentTarget.value)}>
            <option value="">{t("all")}</option>
            <For each={keys() ?? []}>{(k) => <option value={k.id}>{k.name}</option>}</For>
          </select>
        </div>
        <div>
          <label class="label" for="filter-account">
            {t("requestsFilterAccount")}
          </label>
          <input id="filter-account" class="input" onInput={(e) => edit("account")(e.currentTarget.value.trim())} />
        </div>
        <div>
          <label class="label" for="filter-model">
            {t("requestsFilterModel")}
          </label>
          <input id="filter-model" class="input" onInput={(e) => edit("model")(e.currentTarget.value.trim())} />
        </div>
        <div class="w-24">
          <label class="label" for="filter-status">
            {t("requestsFilterStatus")}
          </label>
          <input id="filter-status" class="input" inputMode="numeric" onInput={(e) => edit("status")(e.currentTarget.value.trim())} />
        </div>
        <button type="submit" class="btn btn-primary" data-testid="requests-filter">
          {t("requestsApply")}
        </button>
      </form>
      <Show when={page.error}>{(error) => <ErrorLine error={handleError(error())} retry={() => void refetch()} />}</Show>
      <div class="card overflow-x-auto p-0">
        <table class="w-full text-left text-sm">
          <thead class="muted border-b border-slate-200 text-xs uppercase dark:border-slate-800">
            <tr>
              <th class="px-3 py-2">{t("reqTime")}</th>
              <th class="px-3 py-2">{t("reqKey")}</th>
              <th class="px-3 py-2">{t("reqModel")}</th>
              <th class="px-3 py-2">{t("reqAccount")}</th>
              <th class="px-3 py-2">{t("reqStatus")}</th>
              <th class="px-3 py-2 text-right">{t("reqTokens")}</th>
              <th class="px-3 py-2 text-right">{t("reqCredits")}</th>
              <th class="px-3 py-2 text-right">{t("reqFirstByte")}</th>
              <th class="px-3 py-2 text-right">{t("reqDuration")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={items()} fallback={<tr><td class="muted px-3 py-4" colspan={9}>{page.loading ? t("loading") : t("requestsNone")}</td></tr>}>
              {(r) => (
                <tr
                  class="cursor-pointer border-b border-slate-100 tabular-nums last:border-0 hover:bg-slate-50 dark:border-slate-800 dark:hover:bg-slate-800/50"
                  data-testid="request-row"
                  tabIndex={0}
                  onClick={() => setOpen(r)}
                  onKeyDown={(e) => e.key === "Enter" && setOpen(r)}
                >
                  <td class="whitespace-nowrap px-3 py-2 text-xs">{formatDateTime(Date.parse(r.at), lang())}</td>
                  <td class="px-3 py-2">{r.key}</td>
                  <td class="px-3 py-2 text-xs">{r.model ?? "—"}</td>
                  <td class="px-3 py-2 text-xs">{r.account ?? "—"}</td>
                  <td class={`px-3 py-2 text-xs font-medium ${statusTone(r)}`}>
                    {r.status}
                    <Show when={r.errorType}> · {r.errorType}</Show>
                  </td>
                  <td class="px-3 py-2 text-right text-xs">
                    {formatNumber(r.inputTokens + r.cacheReadTokens + r.cacheWriteTokens, lang())} / {formatNumber(r.outputTokens, lang())}
                  </td>
                  <td class="px-3 py-2 text-right text-xs">{r.credits ? formatCredits(r.credits, lang()) : "—"}</td>
                  <td class="px-3 py-2 text-right text-xs">{r.firstByteMs === null ? "—" : t("milliseconds", { count: r.firstByteMs })}</td>
                  <td class="px-3 py-2 text-right text-xs">{t("milliseconds", { count: r.durationMs })}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <Show when={next() !== null}>
        <button type="button" class="btn" data-testid="requests-older" onClick={() => void loadOlder()}>
          {t("requestsOlder")}
        </button>
      </Show>
      <Show when={open()}>{(r) => <Detail request={r()} onClose={() => setOpen()} />}</Show>
    </div>
  );
}

import { A } from "@solidjs/router";
import { createMemo, createResource, For, Show } from "solid-js";
import { formatCredits, formatNumber } from "../lib/format";
import { ROUTES } from "../routes";
import { useApp } from "../state/app-context";
import { lang, t } from "../state/i18n";

const BUSIEST = 5;

/** The dashboard's view of the client keys: today's credits (UTC) and the keys that sent the most requests today. */
export function KeyUsagePanel() {
  const { client, pool } = useApp();
  // Read again whenever the pool poller refreshes, so both panels show the same moment.
  const [keys] = createResource(() => pool.view.updatedAt ?? 0, () => client.keys());
  // A server without the keys endpoint (an older kiro-ts) shows nothing rather than breaking the dashboard.
  const list = () => (keys.error ? [] : keys() ?? []);
  const today = createMemo(() => list().reduce((t, k) => ({ credits: t.credits + k.usage.day.credits, requests: t.requests + k.usage.day.requests }), { credits: 0, requests: 0 }));
  const busiest = createMemo(() => list().filter((k) => k.usage.day.requests > 0).sort((a, b) => b.usage.day.requests - a.usage.day.requests).slice(0, BUSIEST));
  const num = (n: number) => formatNumber(n, lang());

  return (
    <div class="grid gap-4 lg:grid-cols-3">
      <section class="card" data-testid="credits-today">
        <div class="muted text-xs font-medium uppercase tracking-wide">{t("dashCreditsToday")}</div>
        <div class="mt-1 text-2xl font-semibold tabular-nums" data-testid="credits-today-value">
          {formatCredits(today().credits, lang())}
        </div>
        <div class="muted mt-0.5 text-xs">{t("dashCreditsHint", { requests: num(today().requests) })}</div>
      </section>
      <section class="card lg:col-span-2" data-testid="busiest-keys">
        <div class="mb-2 flex items-baseline justify-between">
          <h2 class="text-sm font-semibold">{t("dashBusiestKeys")}</h2>
          <A href={ROUTES.usage} class="text-xs text-violet-600 hover:underline dark:text-violet-400">
            {t("navUsage")}
          </A>
        </div>
        <Show when={busiest().length} fallback={<p class="muted text-sm">{t("dashNoKeyUse")}</p>}>
          <ul class="divide-y divide-slate-200 text-sm dark:divide-slate-800">
            <For each={busiest()}>
              {(k) => (
                <li class="flex justify-between gap-2 py-1.5" data-testid="busy-key">
                  <span class="font-medium">{k.name}</span>
                  <span class="muted tabular-nums">{t("keyUsageLine", { requests: num(k.usage.day.requests), tokens: num(k.usage.day.tokens), credits: formatCredits(k.usage.day.credits, lang()) })}</span>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>
    </div>
  );
}

import { createResource, For, Show } from "solid-js";
import { ErrorLine } from "../components/common";
import { useApp } from "../state/app-context";
import { type MessageKey, t } from "../state/i18n";

export function ConfigPage() {
  const { client, handleError, accountsMeta, checkResults } = useApp();
  const [config, { refetch }] = createResource(() => client.config());

  const rows = (): [MessageKey, string][] => {
    const c = config();
    if (!c) return [];
    return [
      ["configHost", c.host],
      ["configPort", String(c.port)],
      ["configRegion", c.region],
      ["configKiroVersion", c.kiroVersion],
      ["configCredentialsDir", c.credentialsDir ?? t("notSet")],
      ["configCooldown", t("seconds", { count: c.failureCooldownSecs })],
      ["configMaxFailures", String(c.maxFailures)],
    ];
  };

  const notesCount = () => Object.values(accountsMeta.meta.metaByName).filter((m) => m.notes).length;

  return (
    <div class="grid gap-4 lg:grid-cols-2">
      <section class="card" data-testid="config">
        <h1 class="mb-1 text-lg font-semibold">{t("configTitle")}</h1>
        <p class="muted mb-4 text-sm">{t("configReadOnly")}</p>
        <Show when={!config.error} fallback={<ErrorLine error={handleError(config.error)} retry={refetch} />}>
          <Show when={config()} fallback={<p class="muted">{t("loading")}</p>}>
            <dl class="divide-y divide-slate-200 dark:divide-slate-800">
              <For each={rows()}>
                {([label, value]) => (
                  <div class="flex justify-between gap-4 py-2 text-sm">
                    <dt class="muted">{t(label)}</dt>
                    <dd class="break-all text-right font-mono">{value}</dd>
                  </div>
                )}
              </For>
            </dl>
          </Show>
        </Show>
      </section>
      <section class="card">
        <h2 class="mb-1 text-lg font-semibold">{t("configBrowser")}</h2>
        <p class="muted mb-4 text-sm">{t("configBrowserHint")}</p>
        <ul class="space-y-1 text-sm">
          <li>{t("configLocalGroups", { groups: accountsMeta.meta.groups.length, tags: accountsMeta.meta.tags.length, notes: notesCount() })}</li>
          <li>{t("configLocalChecks", { count: Object.keys(checkResults.checks.results).length })}</li>
        </ul>
      </section>
    </div>
  );
}

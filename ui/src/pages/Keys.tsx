import { createResource, createSignal, For, Show } from "solid-js";
import type { KeyInfo, MadeKey } from "../api/records-types";
import { ErrorLine, Modal } from "../components/common";
import { formatCredits, formatDateTime, formatNumber, parseTime } from "../lib/format";
import { formOf, type KeyForm, keyRequest } from "../lib/key-form";
import { useApp } from "../state/app-context";
import { now } from "../state/clock";
import { lang, type MessageKey, t } from "../state/i18n";
import { notify } from "../state/toasts";

function status(key: KeyInfo, at: number): { label: MessageKey; tone: string } {
  if (key.disabled) return { label: "keyStatusDisabled", tone: "text-red-600 dark:text-red-400" };
  const expires = parseTime(key.expiresAt ?? undefined);
  if (expires !== undefined && expires <= at) return { label: "keyStatusExpired", tone: "text-amber-600 dark:text-amber-400" };
  return { label: "keyStatusActive", tone: "text-emerald-600 dark:text-emerald-400" };
}

const when = (iso: string | null) => (iso ? formatDateTime(Date.parse(iso), lang()) : "—");

export function usageLine(u: KeyInfo["usage"]["day"]): string {
  return t("keyUsageLine", { requests: formatNumber(u.requests, lang()), tokens: formatNumber(u.tokens, lang()), credits: formatCredits(u.credits, lang()) });
}

function limitsText(key: KeyInfo): string {
  const l = key.limits;
  const parts = [
    l.requestsPerMinute !== undefined && `${l.requestsPerMinute}/min`,
    l.concurrency !== undefined && `×${l.concurrency}`,
    l.tokensPerDay !== undefined && `${formatNumber(l.tokensPerDay, lang())} tok/d`,
    l.creditsPerMonth !== undefined && `${formatCredits(l.creditsPerMonth, lang())} cr/mo`,
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : t("keyNoLimits");
}

function Field(props: { id: string; label: string; value: string; onInput: (v: string) => void; type?: string; hint?: string; multiline?: boolean }) {
  return (
    <div>
      <label class="label" for={props.id}>
        {props.label}
      </label>
      <Show
        when={props.multiline}
        fallback={<input id={props.id} class="input" type={props.type ?? "text"} value={props.value} onInput={(e) => props.onInput(e.currentTarget.value)} />}
      >
        <textarea id={props.id} class="input" rows={2} value={props.value} onInput={(e) => props.onInput(e.currentTarget.value)} />
      </Show>
      <Show when={props.hint}>
        <p class="muted mt-1 text-xs">{props.hint}</p>
      </Show>
    </div>
  );
}

/** Make or edit a key; a made key is then shown once, with a copy button. */
function KeyDialog(props: { editing?: KeyInfo; onClose: () => void; onSaved: () => void }) {
  const { client, handleError } = useApp();
  const [form, setForm] = createSignal<KeyForm>(formOf(props.editing));
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const [made, setMade] = createSignal<MadeKey>();
  const [copied, setCopied] = createSignal(false);
  const set = (field: keyof KeyForm) => (value: string) => setForm({ ...form(), [field]: value });

  const submit = async (e: Event) => {
    e.preventDefault();
    const result = keyRequest(form());
    if (!result.ok) return setError(t(result.error));
    setBusy(true);
    setError(undefined);
    try {
      const r = result.request;
      if (props.editing) {
        await client.updateKey({ id: props.editing.id, ...r });
        notify("ok", t("keySaved", { name: r.name }));
        props.onSaved();
        props.onClose();
      } else {
        setMade(await client.createKey({ name: r.name, limits: r.limits, ...(r.models ? { models: r.models } : {}), ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}) }));
        props.onSaved();
      }
    } catch (err) {
      setError(handleError(err));
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    await navigator.clipboard?.writeText(made()?.key ?? "").catch(() => {});
    setCopied(true);
  };

  return (
    <Modal title={props.editing ? t("keyEditTitle", { name: props.editing.name }) : t("keyMakeTitle")} onClose={props.onClose} testId="key-dialog">
      <Show
        when={made()}
        fallback={
          <form class="space-y-3" onSubmit={submit}>
            <Field id="key-name" label={t("keyName")} value={form().name} onInput={set("name")} />
            <Field id="key-models" label={t("keyModels")} value={form().models} onInput={set("models")} hint={t("keyModelsHint")} multiline />
            <Field id="key-expires" label={t("keyExpiresAt")} type="datetime-local" value={form().expiresAt} onInput={set("expiresAt")} hint={t("keyExpiresHint")} />
            <fieldset class="grid grid-cols-2 gap-3">
              <legend class="label">{t("keyLimits")}</legend>
              <Field id="key-rpm" label={t("keyRpm")} type="number" value={form().requestsPerMinute} onInput={set("requestsPerMinute")} />
              <Field id="key-concurrency" label={t("keyConcurrency")} type="number" value={form().concurrency} onInput={set("concurrency")} />
              <Field id="key-tokens" label={t("keyTokensPerDay")} type="number" value={form().tokensPerDay} onInput={set("tokensPerDay")} />
              <Field id="key-credits" label={t("keyCreditsPerMonth")} type="number" value={form().creditsPerMonth} onInput={set("creditsPerMonth")} />
            </fieldset>
            <Show when={error()}>
              <p class="text-sm text-red-600 dark:text-red-400" role="alert" data-testid="key-form-error">
                {error()}
              </p>
            </Show>
            <div class="flex justify-end gap-2">
              <button type="button" class="btn" onClick={() => props.onClose()}>
                {t("cancel")}
              </button>
              <button type="submit" class="btn btn-primary" disabled={busy()} data-testid="key-submit">
                {props.editing ? t("save") : t("keyMake")}
              </button>
            </div>
          </form>
        }
      >
        {(key) => (
          <div class="space-y-3">
            <p class="text-sm font-medium text-amber-700 dark:text-amber-300">{t("keyShownOnce")}</p>
            <div class="flex gap-2">
              <input class="input font-mono" readOnly value={key().key} data-testid="made-key" onFocus={(e) => e.currentTarget.select()} />
              <button type="button" class="btn" onClick={() => void copy()} data-testid="copy-key">
                {copied() ? t("keyCopied") : t("keyCopy")}
              </button>
            </div>
            <div class="flex justify-end">
              <button type="button" class="btn btn-primary" onClick={() => props.onClose()}>
                {t("keyDone")}
              </button>
            </div>
          </div>
        )}
      </Show>
    </Modal>
  );
}

export function KeysPage() {
  const { client, handleError } = useApp();
  const [keys, { refetch }] = createResource(() => client.keys());
  const [dialog, setDialog] = createSignal<{ editing?: KeyInfo }>();
  const [deleting, setDeleting] = createSignal<KeyInfo>();

  const act = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      notify("ok", done);
    } catch (err) {
      notify("error", handleError(err));
    }
    void refetch();
  };

  return (
    <div class="space-y-4" data-testid="keys-page">
      <div class="flex flex-wrap items-center gap-3">
        <h1 class="text-lg font-semibold">{t("keysTitle")}</h1>
        <button type="button" class="btn ml-auto" onClick={() => void refetch()}>
          {t("refreshNow")}
        </button>
        <button type="button" class="btn btn-primary" data-testid="make-key" onClick={() => setDialog({})}>
          {t("keyMake")}
        </button>
      </div>
      <p class="muted text-sm">{t("keysHint")}</p>
      <Show when={keys.error}>{(error) => <ErrorLine error={handleError(error())} retry={() => void refetch()} />}</Show>
      <div class="card overflow-x-auto p-0">
        <table class="w-full text-left text-sm">
          <thead class="muted border-b border-slate-200 text-xs uppercase dark:border-slate-800">
            <tr>
              <th class="px-3 py-2">{t("keyName")}</th>
              <th class="px-3 py-2">{t("keyPrefix")}</th>
              <th class="px-3 py-2">{t("keyModels")}</th>
              <th class="px-3 py-2">{t("keyLimits")}</th>
              <th class="px-3 py-2">{t("keyToday")}</th>
              <th class="px-3 py-2">{t("keyMonth")}</th>
              <th class="px-3 py-2">{t("keyLastUsed")}</th>
              <th class="px-3 py-2">{t("keyExpires")}</th>
              <th class="px-3 py-2" />
            </tr>
          </thead>
          <tbody>
            <For each={keys() ?? []} fallback={<tr><td class="muted px-3 py-4" colspan={9}>{keys.loading ? t("loading") : t("keysEmpty")}</td></tr>}>
              {(key) => (
                <tr class="border-b border-slate-100 last:border-0 dark:border-slate-800" data-testid="key-row" data-name={key.name}>
                  <td class="px-3 py-2">
                    <div class="font-medium">{key.name}</div>
                    <div class={`text-xs ${status(key, now()).tone}`} data-testid="key-status">
                      {t(status(key, now()).label)}
                      <Show when={key.builtIn}> · {t("keyBuiltIn")}</Show>
                    </div>
                  </td>
                  <td class="px-3 py-2 font-mono text-xs">{key.prefix}…</td>
                  <td class="px-3 py-2 text-xs">{key.models?.join(", ") ?? t("keyAnyModel")}</td>
                  <td class="px-3 py-2 text-xs">{limitsText(key)}</td>
                  <td class="px-3 py-2 text-xs tabular-nums">{usageLine(key.usage.day)}</td>
                  <td class="px-3 py-2 text-xs tabular-nums">{usageLine(key.usage.month)}</td>
                  <td class="px-3 py-2 text-xs">{when(key.lastUsedAt)}</td>
                  <td class="px-3 py-2 text-xs">{key.expiresAt ? when(key.expiresAt) : t("keyNever")}</td>
                  <td class="whitespace-nowrap px-3 py-2 text-right">
                    <Show when={!key.builtIn}>
                      <button type="button" class="btn mr-1" onClick={() => setDialog({ editing: key })}>
                        {t("keyEdit")}
                      </button>
                      <button
                        type="button"
                        class="btn mr-1"
                        data-testid="toggle-key"
                        onClick={() => void act(() => client.updateKey({ id: key.id, disabled: !key.disabled }), t("keySaved", { name: key.name }))}
                      >
                        {key.disabled ? t("keyEnable") : t("keyDisable")}
                      </button>
                      <button type="button" class="btn btn-danger" data-testid="delete-key" onClick={() => setDeleting(key)}>
                        {t("keyDelete")}
                      </button>
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <Show when={dialog()}>{(d) => <KeyDialog {...(d().editing ? { editing: d().editing } : {})} onClose={() => setDialog()} onSaved={() => void refetch()} />}</Show>
      <Show when={deleting()}>
        {(key) => (
          <Modal title={t("keyDeleteTitle", { name: key().name })} onClose={() => setDeleting()} testId="delete-key-dialog">
            <p class="text-sm">{t("keyDeleteConfirm")}</p>
            <div class="mt-4 flex justify-end gap-2">
              <button type="button" class="btn" onClick={() => setDeleting()}>
                {t("cancel")}
              </button>
              <button
                type="button"
                class="btn btn-danger"
                data-testid="confirm-delete-key"
                onClick={() => {
                  const k = key();
                  setDeleting();
                  void act(() => client.deleteKey(k.id), t("keyDeleted", { name: k.name }));
                }}
              >
                {t("keyDelete")}
              </button>
            </div>
          </Modal>
        )}
      </Show>
    </div>
  );
}

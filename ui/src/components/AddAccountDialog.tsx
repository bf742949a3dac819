import { createSignal, For, type JSX, Match, Show, Switch } from "solid-js";
import { createStore } from "solid-js/store";
import type { AddAccountRequest, AuthMethod } from "../api/types";
import { emptyForm, type FormState, formProblem, formToRequest, requestToForm } from "../lib/account-form";
import { type ParsedCredentials, parseCredentialsJson } from "../lib/credentials-json";
import { useApp } from "../state/app-context";
import { t } from "../state/i18n";
import { Field, Modal, Select } from "./common";

type Tab = "form" | "json" | "sso";

const PROVIDERS = ["Google", "Github", "BuilderId", "Enterprise"];
const AUTH_METHODS: readonly AuthMethod[] = ["social", "IdC", "api_key"];

/** Why pasted JSON gave no accounts, for the user (only read when it gave none). */
function jsonProblem(outcome: ParsedCredentials): string {
  if (outcome.ok) return t("jsonNoAccounts");
  if (outcome.reason === "no_api_key") return t("jsonNoApiKey", { items: outcome.items.join(", ") });
  return outcome.reason === "invalid_json" ? t("jsonInvalid") : t("jsonNoAccounts");
}

function TabButton(props: { tab: Tab; current: Tab; onSelect: (tab: Tab) => void; children: JSX.Element }) {
  return (
    <button
      type="button"
      role="tab"
      aria-selected={props.current === props.tab}
      class={`rounded-md px-3 py-1.5 text-sm font-medium ${props.current === props.tab ? "bg-white shadow-sm dark:bg-slate-700" : "muted hover:text-slate-900 dark:hover:text-white"}`}
      onClick={() => props.onSelect(props.tab)}
    >
      {props.children}
    </button>
  );
}

function TextInput(props: { id: string; label: string; value: string; onInput: (value: string) => void; hint?: string; type?: string; placeholder?: string }) {
  return (
    <Field label={props.label} for={props.id} hint={props.hint}>
      <input id={props.id} class="input" type={props.type ?? "text"} value={props.value} placeholder={props.placeholder} autocomplete="off" spellcheck={false} onInput={(e) => props.onInput(e.currentTarget.value)} />
    </Field>
  );
}

export function AddAccountDialog(props: { onClose: () => void }) {
  const { actions, handleError } = useApp();
  const [tab, setTab] = createSignal<Tab>("form");
  const [form, setForm] = createStore<FormState>(emptyForm());
  const [error, setError] = createSignal<string | null>(null);
  const [pending, setPending] = createSignal(false);
  const [json, setJson] = createSignal("");
  const [sso, setSso] = createStore({ name: "", ssoToken: "", region: "us-east-1", addToPool: true });

  const parsed = () => (json().trim() === "" ? undefined : parseCredentialsJson(json()));

  const run = async (work: () => Promise<unknown>) => {
    setPending(true);
    setError(null);
    try {
      await work();
      props.onClose();
    } catch (failure) {
      setError(handleError(failure));
    } finally {
      setPending(false);
    }
  };

  const submitForm = (event: SubmitEvent) => {
    event.preventDefault();
    const problem = formProblem(form);
    if (problem) return setError(problem);
    void run(() => actions.add(formToRequest(form)));
  };

  const submitSso = (event: SubmitEvent) => {
    event.preventDefault();
    if (sso.name.trim() === "") return setError(t("required", { field: t("fieldName") }));
    if (sso.ssoToken.trim() === "") return setError(t("required", { field: t("fieldSsoToken") }));
    void run(() => actions.importSso({ name: sso.name.trim(), ssoToken: sso.ssoToken.trim(), region: sso.region.trim() || undefined, addToPool: sso.addToPool }));
  };

  const useInForm = (request: AddAccountRequest) => {
    setForm(requestToForm(request));
    setError(null);
    setTab("form");
  };

  const addAll = (requests: AddAccountRequest[]) => {
    props.onClose();
    void actions.addMany(requests);
  };

  const selectTab = (next: Tab) => {
    setError(null);
    setTab(next);
  };

  return (
    <Modal title={t("addTitle")} onClose={props.onClose} wide testId="add-account-dialog">
      <div role="tablist" class="mb-4 inline-flex gap-1 rounded-lg bg-slate-100 p-1 dark:bg-slate-800">
        <TabButton tab="form" current={tab()} onSelect={selectTab}>
          {t("tabForm")}
        </TabButton>
        <TabButton tab="json" current={tab()} onSelect={selectTab}>
          {t("tabJson")}
        </TabButton>
        <TabButton tab="sso" current={tab()} onSelect={selectTab}>
          {t("tabSso")}
        </TabButton>
      </div>

      <Switch>
        <Match when={tab() === "form"}>
          <form class="space-y-3" onSubmit={submitForm} data-testid="add-account-form">
            <div class="grid gap-3 sm:grid-cols-2">
              <TextInput id="acc-name" label={t("fieldName")} hint={t("fieldNameHint")} value={form.name} onInput={(v) => setForm("name", v)} />
              <Field label={t("fieldAuthMethod")} for="acc-auth">
                <Select
                  id="acc-auth"
                  label={t("fieldAuthMethod")}
                  value={form.authMethod}
                  onChange={(v) => setForm("authMethod", AUTH_METHODS.find((m) => m === v) ?? "social")}
                  options={[
                    { value: "social", label: t("authSocial") },
                    { value: "IdC", label: t("authIdc") },
                    { value: "api_key", label: t("authApiKey") },
                  ]}
                />
              </Field>
            </div>
            {/* An API key is the whole credential: no refresh token, and none of the fields only token sign-ins use. */}
            <Show
              when={form.authMethod !== "api_key"}
              fallback={
                <Field label={t("fieldApiKey")} for="acc-api-key">
                  <textarea id="acc-api-key" class="input h-20 font-mono text-xs" spellcheck={false} placeholder="ksk_…" value={form.kiroApiKey} onInput={(e) => setForm("kiroApiKey", e.currentTarget.value)} />
                </Field>
              }
            >
              <>
                <Field label={t("fieldRefreshToken")} for="acc-refresh">
                  <textarea id="acc-refresh" class="input h-20 font-mono text-xs" spellcheck={false} value={form.refreshToken} onInput={(e) => setForm("refreshToken", e.currentTarget.value)} />
                </Field>
                <div class="grid gap-3 sm:grid-cols-2">
                  <Field label={t("fieldProvider")} for="acc-provider">
                    <Select id="acc-provider" label={t("fieldProvider")} value={form.provider} onChange={(v) => setForm("provider", v)} options={[{ value: "", label: "—" }, ...PROVIDERS.map((p) => ({ value: p, label: p }))]} />
                  </Field>
                  <TextInput id="acc-region" label={t("fieldRegion")} value={form.region} placeholder="us-east-1" onInput={(v) => setForm("region", v)} />
                </div>
                <Show when={form.authMethod === "IdC"}>
                  <div class="grid gap-3 sm:grid-cols-2">
                    <TextInput id="acc-client-id" label={t("fieldClientId")} value={form.clientId} onInput={(v) => setForm("clientId", v)} />
                    <TextInput id="acc-client-secret" label={t("fieldClientSecret")} type="password" value={form.clientSecret} onInput={(v) => setForm("clientSecret", v)} />
                  </div>
                </Show>
                <details class="rounded-lg border border-slate-200 px-3 py-2 dark:border-slate-800">
                  <summary class="cursor-pointer text-sm font-medium">{t("advanced")}</summary>
                  <div class="mt-3 grid gap-3 sm:grid-cols-2">
                    <TextInput id="acc-access" label={t("fieldAccessToken")} value={form.accessToken} onInput={(v) => setForm("accessToken", v)} />
                    <TextInput id="acc-csrf" label={t("fieldCsrfToken")} value={form.csrfToken} onInput={(v) => setForm("csrfToken", v)} />
                    <TextInput id="acc-profile" label={t("fieldProfileArn")} value={form.profileArn} onInput={(v) => setForm("profileArn", v)} />
                    <TextInput id="acc-expires" label={t("fieldExpiresAt")} value={form.expiresAt} placeholder="2025-01-01T00:00:00Z" onInput={(v) => setForm("expiresAt", v)} />
                    <Show when={form.authMethod !== "IdC"}>
                      <TextInput id="acc-client-id2" label={t("fieldClientId")} value={form.clientId} onInput={(v) => setForm("clientId", v)} />
                      <TextInput id="acc-client-secret2" label={t("fieldClientSecret")} type="password" value={form.clientSecret} onInput={(v) => setForm("clientSecret", v)} />
                    </Show>
                  </div>
                </details>
              </>
            </Show>
            <label class="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={form.addToPool} onChange={(e) => setForm("addToPool", e.currentTarget.checked)} />
              {t("fieldAddToPool")}
            </label>
            <FormFooter error={error()} pending={pending()} submitLabel={t("add")} onCancel={props.onClose} />
          </form>
        </Match>

        <Match when={tab() === "json"}>
          <div class="space-y-3">
            <p class="muted text-sm">{t("jsonHint")}</p>
            <textarea
              aria-label={t("tabJson")}
              data-testid="add-account-json"
              class="input h-48 font-mono text-xs"
              spellcheck={false}
              placeholder='{"refreshToken": "…", "authMethod": "social", "provider": "Google"}'
              value={json()}
              onInput={(e) => setJson(e.currentTarget.value)}
            />
            <Show when={parsed()}>
              {(result) => {
                const outcome = result();
                return (
                  <Show
                    when={outcome.ok ? outcome.accounts : undefined}
                    fallback={
                      <p role="alert" class="text-sm text-red-600 dark:text-red-400">
                        {jsonProblem(outcome)}
                      </p>
                    }
                  >
                    {(accounts) => (
                      <div class="flex flex-wrap items-center gap-2">
                        <span class="text-sm">{t("jsonFound", { count: accounts().length })}</span>
                        <span class="muted truncate text-xs">
                          <For each={accounts().slice(0, 5)}>{(a, i) => `${i() > 0 ? ", " : ""}${a.name || "?"}`}</For>
                          {accounts().length > 5 ? ", …" : ""}
                        </span>
                        <div class="ml-auto flex gap-2">
                          <Show when={accounts().length === 1}>
                            <button type="button" class="btn btn-primary" onClick={() => useInForm(accounts()[0] as AddAccountRequest)}>
                              {t("jsonUseForm")}
                            </button>
                          </Show>
                          <Show when={accounts().length > 1}>
                            <button type="button" class="btn btn-primary" onClick={() => addAll(accounts())}>
                              {t("jsonAddAll", { count: accounts().length })}
                            </button>
                          </Show>
                        </div>
                      </div>
                    )}
                  </Show>
                );
              }}
            </Show>
          </div>
        </Match>

        <Match when={tab() === "sso"}>
          <form class="space-y-3" onSubmit={submitSso} data-testid="import-sso-form">
            <div class="rounded-lg border border-violet-300 bg-violet-50 p-3 text-sm dark:border-violet-500/40 dark:bg-violet-500/10">
              <h3 class="mb-1 font-medium">{t("ssoHowTo")}</h3>
              <ol class="list-decimal space-y-0.5 pl-5">
                <li>{t("ssoStep1")}</li>
                <li>{t("ssoStep2")}</li>
                <li>{t("ssoStep3")}</li>
                <li>{t("ssoStep4")}</li>
              </ol>
            </div>
            <div class="grid gap-3 sm:grid-cols-2">
              <TextInput id="sso-name" label={t("fieldName")} hint={t("fieldNameHint")} value={sso.name} onInput={(v) => setSso("name", v)} />
              <TextInput id="sso-region" label={t("fieldRegion")} value={sso.region} onInput={(v) => setSso("region", v)} />
            </div>
            <Field label={t("fieldSsoToken")} for="sso-token">
              <textarea id="sso-token" class="input h-24 font-mono text-xs" spellcheck={false} value={sso.ssoToken} onInput={(e) => setSso("ssoToken", e.currentTarget.value)} />
            </Field>
            <label class="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={sso.addToPool} onChange={(e) => setSso("addToPool", e.currentTarget.checked)} />
              {t("fieldAddToPool")}
            </label>
            <FormFooter error={error()} pending={pending()} pendingLabel={t("ssoImporting")} submitLabel={t("ssoImport")} onCancel={props.onClose} />
          </form>
        </Match>
      </Switch>
    </Modal>
  );
}

function FormFooter(props: { error: string | null; pending: boolean; submitLabel: string; pendingLabel?: string; onCancel: () => void }) {
  return (
    <div class="flex flex-wrap items-center gap-2 pt-2">
      <Show when={props.error}>
        <p role="alert" class="flex-1 text-sm text-red-600 dark:text-red-400" data-testid="form-error">
          {props.error}
        </p>
      </Show>
      <div class="ml-auto flex gap-2">
        <button type="button" class="btn" onClick={() => props.onCancel()}>
          {t("cancel")}
        </button>
        <button type="submit" class="btn btn-primary" disabled={props.pending}>
          {props.pending ? (props.pendingLabel ?? "…") : props.submitLabel}
        </button>
      </div>
    </div>
  );
}

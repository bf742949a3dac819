import { For, type JSX, onMount, Show } from "solid-js";
import type { AccountInfo } from "../api/types";
import { formatDateTime, formatNumber, formatRelative, parseTime, resetDateMs } from "../lib/format";
import { type Quota, usageTone } from "../lib/quota";
import { now } from "../state/clock";
import { lang, t } from "../state/i18n";
import { CredentialBadge, CredentialHint } from "./CredentialBadge";

/** A native modal dialog (focus trap, Escape to close); mount it only while it is open. */
export function Modal(props: { title: string; onClose: () => void; wide?: boolean; children: JSX.Element; testId?: string }) {
  let dialog!: HTMLDialogElement;
  onMount(() => dialog.showModal());
  return (
    <dialog
      ref={dialog}
      data-testid={props.testId}
      aria-label={props.title}
      class={`m-auto max-h-[90vh] w-[calc(100%-2rem)] overflow-y-auto rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-2xl dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 ${props.wide ? "max-w-3xl" : "max-w-lg"}`}
      onClose={() => props.onClose()}
    >
      <div class="flex items-center justify-between border-b border-slate-200 px-5 py-3 dark:border-slate-800">
        <h2 class="text-base font-semibold">{props.title}</h2>
        <button type="button" class="btn-icon" aria-label={t("close")} onClick={() => dialog.close()}>
          ✕
        </button>
      </div>
      <div class="px-5 py-4">{props.children}</div>
    </dialog>
  );
}

export function ProgressBar(props: { percent: number; tone?: "ok" | "warn" | "high" | "accent"; label?: string; thin?: boolean }) {
  const color = () =>
    ({ ok: "bg-emerald-500", warn: "bg-amber-500", high: "bg-red-500", accent: "bg-violet-500" })[props.tone ?? "accent"];
  const clamped = () => Math.max(0, Math.min(100, props.percent));
  return (
    <div
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(clamped())}
      class={`w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800 ${props.thin ? "h-1.5" : "h-2.5"}`}
    >
      <div class={`h-full rounded-full transition-[width] duration-300 ${color()}`} style={{ width: `${clamped()}%` }} />
    </div>
  );
}

/** Subscription and reset date, for the bar's tooltip. */
function quotaDetail(quota: Quota): string {
  const reset = quota.nextResetDate === undefined ? undefined : t("quotaResets", { date: formatDateTime(resetDateMs(quota.nextResetDate), lang()) });
  return [quota.subscription, reset].filter(Boolean).join(" · ");
}

export function QuotaBar(props: { quota: Quota | undefined }) {
  return (
    <Show when={props.quota} fallback={<span class="muted text-xs">{t("quotaUnknown")}</span>}>
      {(quota) => (
        <div class="w-full min-w-0" title={quotaDetail(quota())}>
          <div class="mb-1 flex justify-between gap-2 text-xs tabular-nums">
            <span>
              {formatNumber(quota().used, lang())} / {formatNumber(quota().limit, lang())}
            </span>
            <span class="muted">{Math.round(quota().percent)}%</span>
          </div>
          <ProgressBar percent={quota().percent} tone={usageTone(quota().percent)} thin label={t("colQuota")} />
        </div>
      )}
    </Show>
  );
}

const STATE_STYLE = {
  healthy: "bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-300",
  cooling: "bg-amber-100 text-amber-800 dark:bg-amber-500/15 dark:text-amber-300",
  disabled: "bg-red-100 text-red-800 dark:bg-red-500/15 dark:text-red-300",
  suspended: "bg-fuchsia-100 text-fuchsia-800 dark:bg-fuchsia-500/15 dark:text-fuchsia-300",
} as const;

export const STATE_LABEL = { healthy: "stateHealthy", cooling: "stateCooling", disabled: "stateDisabled", suspended: "stateSuspended" } as const;

/** The account's state, why, when it comes back, and whether its credential file is behind (explained unless compact). */
export function StateBadge(props: { account: AccountInfo; compact?: boolean }) {
  const recovery = () => {
    const at = parseTime(props.account.available_at);
    return at !== undefined && props.account.state !== "healthy" ? t("recoversAt", { time: formatRelative(at, now(), lang()) }) : undefined;
  };
  return (
    <div class="min-w-0" data-state={props.account.state}>
      <span class={`chip ${STATE_STYLE[props.account.state]}`}>{t(STATE_LABEL[props.account.state])}</span>
      <Show when={!props.account.in_pool}>
        <span class="chip ml-1 bg-slate-200 text-slate-600 dark:bg-slate-800 dark:text-slate-400">{t("notInPool")}</span>
      </Show>
      <CredentialBadge account={props.account} />
      <Show when={props.account.state_reason || recovery()}>
        <div class={`muted mt-0.5 text-xs ${props.compact ? "truncate" : ""}`} title={[props.account.state_reason, recovery()].filter(Boolean).join(" · ")}>
          {[props.account.state_reason, recovery()].filter(Boolean).join(" · ")}
        </div>
      </Show>
      <Show when={!props.compact}>
        <CredentialHint account={props.account} />
      </Show>
    </div>
  );
}

export function Field(props: { label: string; hint?: string; children: JSX.Element; for?: string }) {
  return (
    <div>
      <label class="label" for={props.for}>
        {props.label}
      </label>
      {props.children}
      <Show when={props.hint}>
        <p class="muted mt-1 text-xs">{props.hint}</p>
      </Show>
    </div>
  );
}

/** A select whose options may change; the chosen option is marked on the option itself so it survives that. */
export function Select(props: {
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
  label: string;
  id?: string;
  class?: string;
}) {
  return (
    <select id={props.id} aria-label={props.label} class={`input ${props.class ?? ""}`} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <For each={props.options}>
        {(option) => (
          <option value={option.value} selected={option.value === props.value}>
            {option.label}
          </option>
        )}
      </For>
    </select>
  );
}

export function Chip(props: { color?: string; children: JSX.Element }) {
  return (
    <span class="chip border border-slate-300 text-slate-700 dark:border-slate-700 dark:text-slate-300">
      <Show when={props.color}>
        <span class="inline-block h-2 w-2 rounded-full" style={{ "background-color": props.color }} />
      </Show>
      {props.children}
    </span>
  );
}

export function ErrorLine(props: { error: string; retry?: () => void }) {
  return (
    <p role="alert" class="flex items-center gap-3 text-sm text-red-600 dark:text-red-400">
      {t("loadFailed", { error: props.error })}
      <Show when={props.retry}>
        <button type="button" class="btn" onClick={() => props.retry?.()}>
          {t("retry")}
        </button>
      </Show>
    </p>
  );
}

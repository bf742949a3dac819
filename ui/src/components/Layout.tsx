import { A } from "@solidjs/router";
import { For, type JSX, Show } from "solid-js";
import { ROUTES } from "../routes";
import { lang, setLang, t } from "../state/i18n";
import { signOut } from "../state/session";
import { setTheme, theme } from "../state/theme";
import { dismissToast, toasts } from "../state/toasts";
import { BatchProgressPanel } from "./BatchProgressPanel";

const TOAST_STYLE = {
  ok: "border-emerald-500/40 bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100",
  error: "border-red-500/40 bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-100",
  info: "border-slate-400/40 bg-white text-slate-900 dark:bg-slate-900 dark:text-slate-100",
} as const;

export function LanguageToggle() {
  return (
    <button
      type="button"
      class="btn"
      data-testid="language-toggle"
      aria-label={t("switchLanguageLabel")}
      title={t("switchLanguageLabel")}
      onClick={() => setLang(lang() === "zh" ? "en" : "zh")}
    >
      {t("switchLanguage")}
    </button>
  );
}

export function ThemeToggle() {
  return (
    <button
      type="button"
      class="btn"
      data-testid="theme-toggle"
      aria-label={theme() === "dark" ? t("themeLight") : t("themeDark")}
      title={theme() === "dark" ? t("themeLight") : t("themeDark")}
      onClick={() => setTheme(theme() === "dark" ? "light" : "dark")}
    >
      {theme() === "dark" ? "☀" : "☾"}
    </button>
  );
}

export function Layout(props: { children: JSX.Element }) {
  const navClass = "rounded-lg px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800";
  const active = "bg-slate-200 text-slate-900 dark:bg-slate-800 dark:text-white";
  return (
    <div class="flex min-h-screen flex-col">
      <header class="sticky top-0 z-20 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-950/90">
        <div class="mx-auto flex max-w-[1400px] flex-wrap items-center gap-2 px-4 py-2">
          <span class="mr-4 flex items-center gap-2 font-semibold">
            <span class="inline-block h-6 w-6 rounded-md bg-violet-600 text-center text-sm leading-6 text-white">K</span>
            {t("appName")}
          </span>
          <nav class="flex gap-1">
            <A href={ROUTES.dashboard} end class={navClass} activeClass={active}>
              {t("navDashboard")}
            </A>
            <A href={ROUTES.accounts} class={navClass} activeClass={active}>
              {t("navAccounts")}
            </A>
            <A href={ROUTES.usage} class={navClass} activeClass={active}>
              {t("navUsage")}
            </A>
            <A href={ROUTES.keys} class={navClass} activeClass={active}>
              {t("navKeys")}
            </A>
            <A href={ROUTES.requests} class={navClass} activeClass={active}>
              {t("navRequests")}
            </A>
            <A href={ROUTES.config} class={navClass} activeClass={active}>
              {t("navConfig")}
            </A>
          </nav>
          <div class="ml-auto flex items-center gap-2">
            <A href={ROUTES.apiReference} class={navClass}>
              {t("navApiReference")}
            </A>
            <LanguageToggle />
            <ThemeToggle />
            <button type="button" class="btn" onClick={() => signOut("user")}>
              {t("logout")}
            </button>
          </div>
        </div>
      </header>
      <main class="mx-auto w-full max-w-[1400px] flex-1 px-4 py-4">
        <BatchProgressPanel />
        {props.children}
      </main>
      <div class="fixed bottom-4 right-4 z-50 flex w-80 flex-col gap-2" role="status" aria-live="polite">
        <For each={toasts()}>
          {(toast) => (
            <div class={`flex items-start gap-2 rounded-lg border px-3 py-2 text-sm shadow-lg ${TOAST_STYLE[toast.tone]}`}>
              <span class="flex-1 break-words">{toast.text}</span>
              <Show when={toast.tone === "error"}>
                <button type="button" class="btn-icon h-5 w-5" aria-label={t("close")} onClick={() => dismissToast(toast.id)}>
                  ✕
                </button>
              </Show>
            </div>
          )}
        </For>
      </div>
    </div>
  );
}

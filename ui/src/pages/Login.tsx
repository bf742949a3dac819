import { Navigate, useNavigate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { AdminClient, UnauthorizedError } from "../api/client";
import { Field } from "../components/common";
import { LanguageToggle, ThemeToggle } from "../components/Layout";
import { ROUTES } from "../routes";
import { t } from "../state/i18n";
import { adminKey, signIn, signOutReason } from "../state/session";

type LoginError = { kind: "wrong" } | { kind: "unreachable"; message: string };

export function LoginPage() {
  const navigate = useNavigate();
  const [key, setKey] = createSignal("");
  const [checking, setChecking] = createSignal(false);
  const [error, setError] = createSignal<LoginError | null>(null);

  /** The key is only kept once the server has accepted it. */
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const candidate = key().trim();
    if (candidate === "") return;
    setChecking(true);
    setError(null);
    try {
      await new AdminClient(candidate).config();
      signIn(candidate);
      navigate(ROUTES.dashboard, { replace: true });
    } catch (failure) {
      setError(failure instanceof UnauthorizedError ? { kind: "wrong" } : { kind: "unreachable", message: failure instanceof Error ? failure.message : String(failure) });
    } finally {
      setChecking(false);
    }
  };

  const message = () => {
    const current = error();
    if (current?.kind === "wrong") return t("loginWrongKey");
    if (current?.kind === "unreachable") return t("loginFailed", { error: current.message });
    return signOutReason() === "expired" ? t("loginExpired") : null;
  };

  return (
    <Show when={adminKey() === null} fallback={<Navigate href={ROUTES.dashboard} />}>
      <div class="flex min-h-screen flex-col items-center justify-center px-4">
        <div class="absolute right-4 top-4 flex gap-2">
          <LanguageToggle />
          <ThemeToggle />
        </div>
        <form class="card w-full max-w-sm space-y-4" onSubmit={submit} data-testid="login-form">
          <div class="flex items-center gap-2">
            <span class="inline-block h-8 w-8 rounded-lg bg-violet-600 text-center leading-8 text-white">K</span>
            <h1 class="text-lg font-semibold">{t("appName")}</h1>
          </div>
          <p class="muted text-sm">{t("loginHint")}</p>
          <Field label={t("loginKey")} for="admin-key">
            <input
              id="admin-key"
              name="admin-key"
              type="password"
              autocomplete="current-password"
              class="input"
              value={key()}
              onInput={(e) => setKey(e.currentTarget.value)}
              required
              autofocus
            />
          </Field>
          <Show when={message()}>
            <p role="alert" class="text-sm text-red-600 dark:text-red-400" data-testid="login-error">
              {message()}
            </p>
          </Show>
          <button type="submit" class="btn btn-primary w-full" disabled={checking()}>
            {checking() ? t("loginChecking") : t("loginSubmit")}
          </button>
        </form>
      </div>
    </Show>
  );
}

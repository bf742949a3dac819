import { Show } from "solid-js";
import type { AccountInfo } from "../api/types";
import { t } from "../state/i18n";

/** The server leaves `credential_saved` out while the account's credential file holds its current token. */
export const credentialUnsaved = (account: AccountInfo) => account.credential_saved === false;

/** Warns that the account's rotated refresh token lives only in memory; it explains itself on hover and to screen readers. */
export function CredentialBadge(props: { account: AccountInfo }) {
  return (
    <Show when={credentialUnsaved(props.account)}>
      <span
        class="chip ml-1 cursor-help border border-amber-500/60 bg-amber-100 text-amber-900 dark:bg-amber-500/15 dark:text-amber-200"
        data-testid="credential-unsaved"
        title={t("credentialNotSavedHint")}
      >
        <span aria-hidden="true">⚠</span>
        {t("credentialNotSaved")}
        <span class="sr-only">: {t("credentialNotSavedHint")}</span>
      </span>
    </Show>
  );
}

/** The badge's explanation written out, where there is room for it. */
export function CredentialHint(props: { account: AccountInfo }) {
  return (
    <Show when={credentialUnsaved(props.account)}>
      <p class="mt-0.5 text-xs text-amber-800 dark:text-amber-300" data-testid="credential-unsaved-hint">
        {t("credentialNotSavedHint")}
      </p>
    </Show>
  );
}

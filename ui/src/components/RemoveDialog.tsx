import { createSignal, Show } from "solid-js";
import { useApp } from "../state/app-context";
import { t } from "../state/i18n";
import { Modal } from "./common";

/** Removal is confirmed; deleting the credential file too is a separate, explicit choice. */
export function RemoveDialog(props: { names: readonly string[]; onClose: () => void; onDone: () => void }) {
  const { actions } = useApp();
  const [deleteFile, setDeleteFile] = createSignal(false);
  const title = () => (props.names.length === 1 ? t("removeOne", { name: props.names[0] ?? "" }) : t("removeTitle", { count: props.names.length }));

  const confirm = () => {
    const names = [...props.names];
    const withFile = deleteFile();
    props.onDone();
    props.onClose();
    if (names.length === 1) void actions.remove(names[0] as string, withFile);
    else void actions.batchRemove(names, withFile);
  };

  return (
    <Modal title={title()} onClose={props.onClose} testId="remove-dialog">
      <div class="space-y-3">
        <p class="text-sm">{t("removeExplain")}</p>
        <Show when={props.names.length > 1}>
          <p class="muted max-h-24 overflow-y-auto text-xs">{props.names.join(", ")}</p>
        </Show>
        <label class="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={deleteFile()} onChange={(e) => setDeleteFile(e.currentTarget.checked)} />
          {t("removeDeleteFile")}
        </label>
        <Show when={deleteFile()}>
          <p class="text-xs text-red-600 dark:text-red-400">{t("removeDeleteFileWarn")}</p>
        </Show>
        <div class="flex justify-end gap-2">
          <button type="button" class="btn" onClick={() => props.onClose()}>
            {t("cancel")}
          </button>
          <button type="button" class="btn btn-danger" onClick={confirm}>
            {t("remove")}
          </button>
        </div>
      </div>
    </Modal>
  );
}

import { createSignal, For, Show } from "solid-js";
import type { AccountInfo } from "../api/types";
import { basicRecord, type ExportFormat, type ExportScope, exportFileName, pickFields, toCsv, toJson, withMeta } from "../lib/export";
import { useApp } from "../state/app-context";
import { t } from "../state/i18n";
import { Modal } from "./common";

type Which = "selected" | "shown" | "all";

function download(fileName: string, content: string, type: string) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Choice<T extends string>(props: { name: string; value: T; current: T; onSelect: (value: T) => void; label: string; disabled?: boolean }) {
  return (
    <label class={`flex items-center gap-2 text-sm ${props.disabled ? "opacity-50" : ""}`}>
      <input type="radio" name={props.name} value={props.value} checked={props.current === props.value} disabled={props.disabled} onChange={() => props.onSelect(props.value)} />
      {props.label}
    </label>
  );
}

/** Exports in the seed's shapes; "full" is the one place the UI asks the server for secrets. */
export function ExportDialog(props: { selected: readonly AccountInfo[]; shown: readonly AccountInfo[]; all: readonly AccountInfo[]; onClose: () => void }) {
  const { client, accountsMeta, handleError } = useApp();
  const [which, setWhich] = createSignal<Which>(props.selected.length > 0 ? "selected" : "shown");
  const [format, setFormat] = createSignal<ExportFormat>("json");
  const [scope, setScope] = createSignal<ExportScope>("basic");
  const [includeMeta, setIncludeMeta] = createSignal(false);
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const accounts = () => ({ selected: props.selected, shown: props.shown, all: props.all })[which()];

  const run = async () => {
    setPending(true);
    setError(null);
    try {
      const chosen = accounts();
      const names = chosen.map((a) => a.name);
      const source = scope() === "full" ? await client.credentials(names) : chosen.map(basicRecord);
      const wanted = new Set(names);
      let records = source.filter((r) => wanted.has(r.name)).map((r) => pickFields(r, scope()));
      if (includeMeta()) records = withMeta(records, accountsMeta.meta);
      const fileName = exportFileName(scope(), format(), new Date());
      if (format() === "json") download(fileName, toJson(records), "application/json");
      else download(fileName, toCsv(records, scope(), includeMeta()), "text/csv;charset=utf-8");
      props.onClose();
    } catch (failure) {
      setError(handleError(failure));
    } finally {
      setPending(false);
    }
  };

  return (
    <Modal title={t("exportTitle")} onClose={props.onClose} testId="export-dialog">
      <div class="space-y-4">
        <fieldset class="space-y-1">
          <legend class="label">{t("exportWhich")}</legend>
          <Choice name="which" value="selected" current={which()} onSelect={setWhich} label={t("exportSelected", { count: props.selected.length })} disabled={props.selected.length === 0} />
          <Choice name="which" value="shown" current={which()} onSelect={setWhich} label={t("exportShown", { count: props.shown.length })} />
          <Choice name="which" value="all" current={which()} onSelect={setWhich} label={t("exportAll", { count: props.all.length })} />
        </fieldset>
        <fieldset class="flex gap-4">
          <legend class="label">{t("exportFormat")}</legend>
          <For each={["json", "csv"] as const}>{(f) => <Choice name="format" value={f} current={format()} onSelect={setFormat} label={f.toUpperCase()} />}</For>
        </fieldset>
        <fieldset class="space-y-1">
          <legend class="label">{t("exportScope")}</legend>
          <Choice name="scope" value="basic" current={scope()} onSelect={setScope} label={t("exportBasic")} />
          <Choice name="scope" value="full" current={scope()} onSelect={setScope} label={t("exportFull")} />
          <Show when={scope() === "full"}>
            <p class="text-xs text-amber-700 dark:text-amber-400">{t("exportFullWarn")}</p>
          </Show>
        </fieldset>
        <label class="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={includeMeta()} onChange={(e) => setIncludeMeta(e.currentTarget.checked)} />
          {t("exportMeta")}
        </label>
        <div class="flex items-center gap-2">
          <Show when={error()}>
            <p role="alert" class="flex-1 text-sm text-red-600 dark:text-red-400">
              {error()}
            </p>
          </Show>
          <div class="ml-auto flex gap-2">
            <button type="button" class="btn" onClick={() => props.onClose()}>
              {t("cancel")}
            </button>
            <button type="button" class="btn btn-primary" disabled={pending() || accounts().length === 0} onClick={() => void run()}>
              {t("exportDownload")}
            </button>
          </div>
        </div>
      </div>
    </Modal>
  );
}

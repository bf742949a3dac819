import { createSignal, For } from "solid-js";
import { setAccountMeta } from "../state/accounts-meta";
import { useApp } from "../state/app-context";
import { t } from "../state/i18n";
import { Field, Modal, Select } from "./common";

/** One account's group, tags and notes: browser-local, in the seed's storage. */
export function LabelsDialog(props: { name: string; onClose: () => void }) {
  const { accountsMeta } = useApp();
  const current = accountsMeta.meta.metaByName[props.name];
  const [groupId, setGroupId] = createSignal(current?.groupId ?? "");
  const [tagIds, setTagIds] = createSignal<string[]>([...(current?.tagIds ?? [])]);
  const [notes, setNotes] = createSignal(current?.notes ?? "");

  const toggleTag = (id: string) => setTagIds((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]));

  const save = (event: SubmitEvent) => {
    event.preventDefault();
    accountsMeta.change((draft) => setAccountMeta(draft, props.name, { groupId: groupId() || undefined, tagIds: tagIds(), notes: notes() }));
    props.onClose();
  };

  return (
    <Modal title={t("labelsTitle", { name: props.name })} onClose={props.onClose} testId="labels-dialog">
      <form class="space-y-3" onSubmit={save}>
        <p class="muted text-xs">{t("labelsLocalOnly")}</p>
        <Field label={t("fieldGroup")} for="labels-group">
          <Select
            id="labels-group"
            label={t("fieldGroup")}
            value={groupId()}
            onChange={setGroupId}
            options={[{ value: "", label: t("noGroup") }, ...accountsMeta.meta.groups.map((g) => ({ value: g.id, label: g.name }))]}
          />
        </Field>
        <fieldset>
          <legend class="label">{t("fieldTags")}</legend>
          <div class="flex flex-wrap gap-2">
            <For each={accountsMeta.meta.tags} fallback={<span class="muted text-xs">{t("none")}</span>}>
              {(tag) => (
                <label class="chip cursor-pointer border border-slate-300 dark:border-slate-700">
                  <input type="checkbox" checked={tagIds().includes(tag.id)} onChange={() => toggleTag(tag.id)} />
                  <span class="inline-block h-2 w-2 rounded-full" style={{ "background-color": tag.color }} />
                  {tag.name}
                </label>
              )}
            </For>
          </div>
        </fieldset>
        <Field label={t("fieldNotes")} for="labels-notes">
          <textarea id="labels-notes" class="input h-24" value={notes()} onInput={(e) => setNotes(e.currentTarget.value)} />
        </Field>
        <div class="flex justify-end gap-2">
          <button type="button" class="btn" onClick={() => props.onClose()}>
            {t("cancel")}
          </button>
          <button type="submit" class="btn btn-primary">
            {t("save")}
          </button>
        </div>
      </form>
    </Modal>
  );
}

import { createSignal, For } from "solid-js";
import { addGroup, addTag, newId, PALETTE, removeGroup, removeTag, renameGroup, renameTag } from "../state/accounts-meta";
import { useApp } from "../state/app-context";
import { t } from "../state/i18n";
import { Modal } from "./common";

interface Item {
  id: string;
  name: string;
  color?: string;
}

function ItemList(props: {
  title: string;
  items: readonly Item[];
  countOf: (id: string) => number;
  onAdd: (name: string, color: string) => void;
  onRename: (id: string, name: string) => void;
  onRemove: (id: string) => void;
  placeholder: string;
}) {
  const [name, setName] = createSignal("");
  const [color, setColor] = createSignal<string>(PALETTE[0]);
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (name().trim() === "") return;
    props.onAdd(name().trim(), color());
    setName("");
    setColor(PALETTE[(PALETTE.indexOf(color() as (typeof PALETTE)[number]) + 1) % PALETTE.length] ?? PALETTE[0]);
  };
  return (
    <section>
      <h3 class="mb-2 text-sm font-semibold">{props.title}</h3>
      <ul class="mb-2 space-y-1">
        <For each={props.items} fallback={<li class="muted text-xs">{t("none")}</li>}>
          {(item) => (
            <li class="flex items-center gap-2">
              <span class="inline-block h-3 w-3 shrink-0 rounded-full" style={{ "background-color": item.color ?? "#94a3b8" }} />
              <input class="input py-1" aria-label={t("rename")} value={item.name} onChange={(e) => e.currentTarget.value.trim() && props.onRename(item.id, e.currentTarget.value.trim())} />
              <span class="muted shrink-0 text-xs">{t("accountsCount", { count: props.countOf(item.id) })}</span>
              <button type="button" class="btn-icon shrink-0" aria-label={`${t("remove")} ${item.name}`} onClick={() => props.onRemove(item.id)}>
                ✕
              </button>
            </li>
          )}
        </For>
      </ul>
      <form class="flex items-center gap-2" onSubmit={submit}>
        <input class="input py-1" placeholder={props.placeholder} aria-label={props.placeholder} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
        <div class="flex shrink-0 gap-1" role="radiogroup">
          <For each={PALETTE}>
            {(swatch) => (
              <button
                type="button"
                role="radio"
                aria-checked={color() === swatch}
                aria-label={swatch}
                class={`h-5 w-5 rounded-full ${color() === swatch ? "ring-2 ring-slate-900 ring-offset-1 dark:ring-white" : ""}`}
                style={{ "background-color": swatch }}
                onClick={() => setColor(swatch)}
              />
            )}
          </For>
        </div>
        <button type="submit" class="btn shrink-0">
          {t("add")}
        </button>
      </form>
    </section>
  );
}

export function ManageLabelsDialog(props: { onClose: () => void }) {
  const { accountsMeta } = useApp();
  const { meta, change } = accountsMeta;
  const entries = () => Object.values(meta.metaByName);
  return (
    <Modal title={t("manageTitle")} onClose={props.onClose} wide testId="manage-labels-dialog">
      <p class="muted mb-4 text-xs">{t("labelsLocalOnly")}</p>
      <div class="grid gap-6 md:grid-cols-2">
        <ItemList
          title={t("groups")}
          placeholder={t("newGroup")}
          items={meta.groups}
          countOf={(id) => entries().filter((m) => m.groupId === id).length}
          onAdd={(name, color) => change((d) => addGroup(d, { id: newId("group"), name, color, createdAt: Date.now() }))}
          onRename={(id, name) => change((d) => renameGroup(d, id, name))}
          onRemove={(id) => change((d) => removeGroup(d, id))}
        />
        <ItemList
          title={t("tags")}
          placeholder={t("newTag")}
          items={meta.tags}
          countOf={(id) => entries().filter((m) => m.tagIds.includes(id)).length}
          onAdd={(name, color) => change((d) => addTag(d, { id: newId("tag"), name, color }))}
          onRename={(id, name) => change((d) => renameTag(d, id, name))}
          onRemove={(id) => change((d) => removeTag(d, id))}
        />
      </div>
    </Modal>
  );
}

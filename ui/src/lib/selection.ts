/**
 * The accounts page's selection under its filters. A selection outlives a filter (clearing a search brings it
 * back), but an action touches only the selected accounts the table shows; the others are counted, so the
 * page can say plainly that they are selected, hidden, and left alone.
 */
interface Named {
  name: string;
}

export interface SelectionInView<T extends Named> {
  /** The selected accounts the table shows, in its order: exactly what a batch action touches. */
  targets: T[];
  /** Selected accounts that exist but that the filters hide. */
  hidden: number;
}

export function selectionInView<T extends Named>(selected: ReadonlySet<string>, shown: readonly T[], all: readonly T[]): SelectionInView<T> {
  const targets = shown.filter((account) => selected.has(account.name));
  const existing = all.reduce((count, account) => count + (selected.has(account.name) ? 1 : 0), 0);
  return { targets, hidden: existing - targets.length };
}

export function toggleOne(selected: ReadonlySet<string>, name: string): Set<string> {
  const next = new Set(selected);
  if (!next.delete(name)) next.add(name);
  return next;
}

/** The header checkbox: selects every shown account, or deselects them when all are selected; hidden ones stay as they are. */
export function toggleShown(selected: ReadonlySet<string>, shown: readonly Named[]): Set<string> {
  const next = new Set(selected);
  const allSelected = shown.length > 0 && shown.every((account) => selected.has(account.name));
  for (const account of shown) {
    if (allSelected) next.delete(account.name);
    else next.add(account.name);
  }
  return next;
}

/** Keeps only the selected accounts the table shows. */
export function keepShown(selected: ReadonlySet<string>, shown: readonly Named[]): Set<string> {
  return new Set(shown.map((account) => account.name).filter((name) => selected.has(name)));
}

export function without(selected: ReadonlySet<string>, names: readonly string[]): Set<string> {
  const next = new Set(selected);
  for (const name of names) next.delete(name);
  return next;
}

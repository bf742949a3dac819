import { expect, test } from "bun:test";
import { keepShown, selectionInView, toggleOne, toggleShown, without } from "./selection";

const accounts = Array.from({ length: 50 }, (_, i) => ({ name: `account-${String(i + 1).padStart(2, "0")}` }));
const everyName = new Set(accounts.map((a) => a.name));
/** What a filter leaves in view: 4 of the 50, in the table's order. */
const shown = [accounts[41], accounts[7], accounts[19], accounts[3]].map((a) => a as { name: string });

test("with 50 selected and a filter showing 4, an action touches those 4, and 46 are counted as hidden", () => {
  const view = selectionInView(everyName, shown, accounts);
  expect(view.targets.map((a) => a.name)).toEqual(["account-42", "account-08", "account-20", "account-04"]);
  expect(view.hidden).toBe(46);
});

test("a removed account is neither a target nor counted as hidden", () => {
  const selected = new Set(["account-08", "account-09", "gone"]);
  expect(selectionInView(selected, shown, accounts)).toEqual({ targets: [{ name: "account-08" }], hidden: 1 });
});

test("the header checkbox selects and deselects the shown accounts only", () => {
  const hiddenOne = new Set(["account-10"]);
  const all = toggleShown(hiddenOne, shown);
  expect([...all].sort()).toEqual(["account-04", "account-08", "account-10", "account-20", "account-42"]);
  expect([...toggleShown(all, shown)]).toEqual(["account-10"]);
  expect([...toggleShown(new Set(["account-08"]), shown)].sort()).toEqual(["account-04", "account-08", "account-20", "account-42"]);
  expect(toggleShown(hiddenOne, [])).toEqual(new Set(["account-10"]));
});

test("one row toggles; hidden ones can be deselected; removed ones leave the selection", () => {
  expect(toggleOne(new Set(["a"]), "b")).toEqual(new Set(["a", "b"]));
  expect(toggleOne(new Set(["a", "b"]), "a")).toEqual(new Set(["b"]));
  expect(keepShown(everyName, shown)).toEqual(new Set(["account-42", "account-08", "account-20", "account-04"]));
  expect(without(new Set(["a", "b", "c"]), ["a", "c"])).toEqual(new Set(["b"]));
});

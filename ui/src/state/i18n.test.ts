import { expect, test } from "bun:test";
import { initialLang, MESSAGE_KEYS, translate } from "./i18n";

test("a stored choice wins, else any zh-* browser language means Chinese", () => {
  expect(initialLang("en", ["zh-CN"])).toBe("en");
  expect(initialLang("zh", ["en-US"])).toBe("zh");
  expect(initialLang(null, ["zh-TW", "en"])).toBe("zh");
  expect(initialLang("fr", ["en-GB", "zh-CN"])).toBe("en");
  expect(initialLang(null, [])).toBe("en");
});

test("placeholders are filled; unknown ones stay visible", () => {
  expect(translate("en", "checkDone", { name: "alice", used: 3, limit: 50 })).toBe("alice: 3 of 50 used");
  expect(translate("zh", "checkDone", { name: "alice", used: 3, limit: 50 })).toBe("alice：已用 3 / 50");
  expect(translate("en", "shownOf", { shown: 1 })).toBe("1 of {total}");
});

test("both languages use the same placeholders in every message, and Chinese has every message", () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  expect(MESSAGE_KEYS.length).toBeGreaterThan(100);
  for (const key of MESSAGE_KEYS) {
    const zh = translate("zh", key);
    expect(zh.length).toBeGreaterThan(0);
    expect({ key, placeholders: placeholders(zh) }).toEqual({ key, placeholders: placeholders(translate("en", key)) });
  }
});

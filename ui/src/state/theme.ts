import { createSignal } from "solid-js";
import { readLocal, writeLocal } from "./local";

export type Theme = "light" | "dark";

/** The seed's key and default: dark unless the user chose light. */
export const THEME_KEY = "kiro-theme";

const [theme, setThemeSignal] = createSignal<Theme>(readLocal(THEME_KEY) === "light" ? "light" : "dark");

export { theme };

export function applyTheme(value: Theme): void {
  document.documentElement.classList.toggle("dark", value === "dark");
  document.documentElement.style.colorScheme = value;
}

export function setTheme(value: Theme): void {
  setThemeSignal(value);
  writeLocal(THEME_KEY, value);
  applyTheme(value);
}

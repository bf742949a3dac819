import "./styles.css";
import { render } from "solid-js/web";
import { App } from "./App";
import { lang } from "./state/i18n";
import { applyTheme, theme } from "./state/theme";

applyTheme(theme());
document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";

const root = document.getElementById("root");
if (root) render(() => <App />, root);

import type { Lang } from "../state/i18n";

export const localeOf = (lang: Lang) => (lang === "zh" ? "zh-CN" : "en");

export function formatNumber(value: number, lang: Lang): string {
  return new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: 1 }).format(value);
}

/** Kiro credits, alike on every page: a request's are often hundredths, so up to three decimals. */
export function formatCredits(value: number, lang: Lang): string {
  return new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: 3 }).format(value);
}

export function formatDateTime(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: "medium", timeStyle: "short" }).format(ms);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1_000],
];

/** "in 3 minutes", "2 hours ago", "3 分钟后": the largest unit that fits. */
export function formatRelative(targetMs: number, nowMs: number, lang: Lang): string {
  const diff = targetMs - nowMs;
  const format = new Intl.RelativeTimeFormat(localeOf(lang), { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size || unit === "second") return format.format(Math.round(diff / size), unit);
  }
  return format.format(0, "second");
}

/** The seed's UI treats a reset date below 10^12 as unix seconds, anything larger as milliseconds. */
export function resetDateMs(value: number): number {
  return value < 1e12 ? value * 1000 : value;
}

/** Milliseconds of an RFC 3339 time, or undefined when absent or unreadable. */
export function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

import { createEffect, on, onCleanup, onMount } from "solid-js";
import uPlot from "uplot";
import { localeOf } from "../lib/format";
import type { ChartData } from "../lib/usage-view";
import { lang } from "../state/i18n";
import { theme } from "../state/theme";

const HEIGHT = 260;
const COLORS = ["#8b5cf6", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#ec4899", "#14b8a6", "#6366f1", "#94a3b8"];

/** One line per group over time, with a legend; rebuilt when the series, the theme or the language change. */
export function UsageChart(props: { data: ChartData; daily: boolean; label: string }) {
  let container!: HTMLDivElement;
  let plot: uPlot | undefined;

  const build = () => {
    plot?.destroy();
    const dark = theme() === "dark";
    const axis = { stroke: dark ? "#94a3b8" : "#475569", grid: { stroke: dark ? "#1e293b" : "#e2e8f0", width: 1 }, ticks: { show: false } };
    const time = new Intl.DateTimeFormat(localeOf(lang()), props.daily ? { month: "short", day: "numeric" } : { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
    const number = new Intl.NumberFormat(localeOf(lang()), { notation: "compact", maximumFractionDigits: 1 });
    plot = new uPlot(
      {
        width: Math.max(200, container.clientWidth),
        height: HEIGHT,
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          // Room for a date and an hour under each tick, so labels never overlap.
          { ...axis, space: 110, values: (_u, ticks) => ticks.map((tick) => time.format(tick * 1000)) },
          { ...axis, size: 50, values: (_u, ticks) => ticks.map((tick) => number.format(tick)) },
        ],
        series: [
          { value: (_u, v) => (v === null ? "—" : time.format(v * 1000)) },
          ...props.data.series.map((s, i) => ({ label: s.name, stroke: COLORS[i % COLORS.length]!, width: 2, points: { show: false } })),
        ],
      },
      [props.data.x, ...props.data.series.map((s) => s.values)],
      container,
    );
  };

  onMount(() => {
    build();
    const resize = new ResizeObserver(() => plot?.setSize({ width: Math.max(200, container.clientWidth), height: HEIGHT }));
    resize.observe(container);
    onCleanup(() => {
      resize.disconnect();
      plot?.destroy();
    });
  });

  createEffect(on([() => props.data, theme, lang], build, { defer: true }));

  return <div ref={container} class="w-full" role="img" aria-label={props.label} data-testid="usage-chart" />;
}

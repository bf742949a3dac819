import { createEffect, on, onCleanup, onMount } from "solid-js";
import uPlot from "uplot";
import type { MinuteCount } from "../api/types";
import { localeOf } from "../lib/format";
import { lang, t } from "../state/i18n";
import { theme } from "../state/theme";

const HEIGHT = 180;

/** Requests per minute over the last hour, as bars. The plot is rebuilt when the theme or language changes. */
export function RequestsChart(props: { series: readonly MinuteCount[] }) {
  let container!: HTMLDivElement;
  let plot: uPlot | undefined;

  const data = (): uPlot.AlignedData => [props.series.map((m) => m.t / 1000), props.series.map((m) => m.count)];

  const build = () => {
    plot?.destroy();
    const dark = theme() === "dark";
    const axis = { stroke: dark ? "#94a3b8" : "#475569", grid: { stroke: dark ? "#1e293b" : "#e2e8f0", width: 1 }, ticks: { show: false } };
    const timeFormat = new Intl.DateTimeFormat(localeOf(lang()), { hour: "2-digit", minute: "2-digit" });
    plot = new uPlot(
      {
        width: Math.max(200, container.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
        axes: [
          { ...axis, values: (_u, ticks) => ticks.map((tick) => timeFormat.format(tick * 1000)) },
          { ...axis, size: 40, values: (_u, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? String(tick) : "")) },
        ],
        series: [
          {},
          {
            label: t("perMinute"),
            stroke: "#8b5cf6",
            fill: dark ? "rgba(139, 92, 246, 0.55)" : "rgba(124, 58, 237, 0.45)",
            paths: uPlot.paths.bars?.({ size: [0.7, 12] }),
            points: { show: false },
          },
        ],
      },
      data(),
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

  createEffect(on([theme, lang], build, { defer: true }));
  createEffect(on(data, (next) => plot?.setData(next), { defer: true }));

  return <div ref={container} class="w-full" role="img" aria-label={t("requestsLastHour")} data-testid="requests-chart" />;
}

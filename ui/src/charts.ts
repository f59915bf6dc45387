// History charts with ECharts (loaded on demand, so the Analyze screen
// starts without it): motive mix, conversations per day, per agent.

import * as echarts from "echarts/core";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

import { h, replace } from "./dom";
import { labelsOf, zh } from "./labels";
import type { Stats } from "./types";

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const charts: echarts.ECharts[] = [];

function dark(): boolean {
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
}

export function renderCharts(host: HTMLElement, stats: Stats): void {
  for (const chart of charts.splice(0)) chart.dispose();
  const mix = h("div", { class: "chart", id: "chart-motives" });
  const trend = h("div", { class: "chart", id: "chart-trend" });
  const agents = h("div", { class: "chart", id: "chart-agents" });
  replace(
    host,
    h("figure", null, h("figcaption", null, "购买动机分布"), mix),
    h("figure", null, h("figcaption", null, "每日对话数"), trend),
    h("figure", null, h("figcaption", null, "各客服接待（前 10 位）"), agents),
  );
  const theme = dark() ? "dark" : undefined;
  const base = { backgroundColor: "transparent", tooltip: { trigger: "axis" as const }, grid: { left: 40, right: 12, top: 24, bottom: 28 } };
  const motives = labelsOf("motive");
  // The ten busiest agents: more bars would not be readable at 1366×768.
  const perAgent = [...stats.perAgent].sort((x, y) => y.conversations - x.conversations).slice(0, 10);

  const a = echarts.init(mix, theme);
  a.setOption({
    ...base,
    xAxis: { type: "category", data: motives.map((m) => m.zh) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: motives.map((m) => stats.labels[m.code] ?? 0), itemStyle: { color: "#e4572e" } }],
  });
  const b = echarts.init(trend, theme);
  b.setOption({
    ...base,
    xAxis: { type: "category", data: stats.perDay.map(([day]) => day) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "line", smooth: true, data: stats.perDay.map(([, count]) => count), areaStyle: {} }],
  });
  const c = echarts.init(agents, theme);
  c.setOption({
    ...base,
    legend: { top: 0, type: "scroll" },
    grid: { ...base.grid, top: 36 },
    xAxis: { type: "category", data: perAgent.map((p) => p.agent), axisLabel: { interval: 0, rotate: perAgent.length > 5 ? 30 : 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: motives.map((m) => ({
      name: zh(m.code),
      type: "bar",
      stack: "motive",
      data: perAgent.map((p) => p.labels[m.code] ?? 0),
    })),
  });
  charts.push(a, b, c);
}

window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

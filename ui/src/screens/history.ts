// 历史: a filterable, searchable table of every analysis (virtual scrolling
// over server-side pages), a detail view with a correction form, charts and
// export.

import {
  correctLabels,
  countHistory,
  exportHistory,
  getConversation,
  historyStats,
  listHistory,
  pickSavePath,
} from "../api";
import { h, replace, toast } from "../dom";
import { describeError } from "../errors";
import { labelsOf, zh } from "../labels";
import { currentAgent } from "../settings";
import { asSupervisor } from "../supervisor";
import { renderTranscript } from "../transcript";
import type { Axis, ConversationDetail, HistoryFilter, HistoryRow } from "../types";
import { VirtualList } from "../virtual";
import type { Screen } from "./screen";

const ROW_HEIGHT = 34;

function labelSelect(axis: Axis, id: string, empty: string): HTMLSelectElement {
  return h(
    "select",
    { id, "aria-label": empty },
    h("option", { value: "" }, empty),
    labelsOf(axis).map((l) => h("option", { value: l.code }, l.zh)),
  );
}

export function historyScreen(): Screen {
  const search = h("input", { type: "search", id: "history-search", placeholder: "搜索聊天内容", "aria-label": "搜索" });
  const from = h("input", { type: "date", id: "history-from", "aria-label": "开始日期" });
  const to = h("input", { type: "date", id: "history-to", "aria-label": "结束日期" });
  const agent = h("input", { type: "text", id: "history-agent", placeholder: "客服", "aria-label": "客服", size: 8 });
  let motive = labelSelect("motive", "history-motive", "全部动机");
  let intent = labelSelect("intent", "history-intent", "全部意向");
  let experience = labelSelect("experience", "history-experience", "全部经验");
  let topic = labelSelect("topic", "history-topic", "全部问题");
  const corrected = h("input", { type: "checkbox", id: "history-corrected" });
  const total = h("span", { class: "muted", id: "history-total" });
  const detail = h("div", { class: "detail", id: "history-detail" });
  const charts = h("div", { class: "charts", id: "history-charts" });
  const filtersRow = h("div", { class: "filters" });
  let selected: number | null = null;

  function filter(): HistoryFilter {
    const f: HistoryFilter = {};
    if (search.value.trim()) f.search = search.value.trim();
    if (from.value) f.from = from.value;
    if (to.value) f.to = to.value;
    if (agent.value.trim()) f.agent = agent.value.trim();
    if (motive.value) f.motive = motive.value;
    if (intent.value) f.intent = intent.value;
    if (experience.value) f.experience = experience.value;
    if (topic.value) f.topic = topic.value;
    if (corrected.checked) f.corrected = true;
    return f;
  }

  const list = new VirtualList<HistoryRow>({
    rowHeight: ROW_HEIGHT,
    pageSize: 200,
    source: { fetch: (offset, limit, previous) => listHistory(filter(), offset, limit, previous ?? null) },
    renderPending: () => h("div", { class: "hrow pending" }, "…"),
    renderRow: (row) =>
      h(
        "div",
        {
          class: `hrow${row.id === selected ? " selected" : ""}`,
          role: "row",
          data: { id: String(row.id) },
          on: { click: () => void open(row.id) },
        },
        h("span", { class: "c-time" }, row.time),
        h("span", { class: "c-agent" }, row.agent ?? "—"),
        h("span", { class: "c-buyer" }, row.buyer ?? "—"),
        h("span", { class: "c-motives" }, row.motives.map(zh).join(" ") || "—"),
        h("span", { class: "c-exp" }, row.experience ? zh(row.experience) : "—"),
        h("span", { class: "c-intent" }, row.intent ? zh(row.intent) : "—"),
        h("span", { class: "c-preview" }, row.corrected ? h("span", { class: "badge" }, "已更正") : null, row.preview),
      ),
  });

  let timer = 0;
  let countSeq = 0;
  function refresh(): void {
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      list.reset().catch(showError);
      void paintCount();
      void paintCharts();
    }, 200);
  }

  /** The total of the filtered history (the list only loads what is seen). */
  async function paintCount(): Promise<void> {
    const mine = ++countSeq;
    replace(total, "计数中…");
    try {
      const n = await countHistory(filter());
      if (mine === countSeq) replace(total, `共 ${n.toLocaleString("zh-CN")} 条`);
    } catch (e) {
      if (mine === countSeq) replace(total);
      showError(e);
    }
  }

  async function exportRows(format: "csv" | "xlsx"): Promise<void> {
    try {
      const path = await pickSavePath(`买家画像历史.${format}`, format);
      if (!path) return;
      const rows = await exportHistory(filter(), path, format);
      toast(`已导出 ${rows} 条到 ${path}`);
    } catch (e) {
      showError(e);
    }
  }

  function showError(e: unknown): void {
    const { headline, detail: why } = describeError(e);
    toast(`${headline} ${why}`, "error");
  }

  async function open(id: number): Promise<void> {
    selected = id;
    list.paint();
    try {
      paintDetail(await getConversation(id));
    } catch (e) {
      showError(e);
    }
  }

  function paintDetail(d: ConversationDetail): void {
    const c = d.classification;
    const motiveBoxes = labelsOf("motive").map((l) =>
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "motive", value: l.code, checked: d.row.motives.includes(l.code) }), l.zh),
    );
    const topicBoxes = labelsOf("topic").map((l) =>
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "topic", value: l.code, checked: d.row.topics.includes(l.code) }), l.zh),
    );
    const exp = labelSelect("experience", "correct-experience", "经验");
    exp.value = d.row.experience ?? "";
    const int = labelSelect("intent", "correct-intent", "意向");
    int.value = d.row.intent ?? "";
    const note = h("input", { type: "text", id: "correct-note", placeholder: "备注（可选）" });
    const form = h(
      "form",
      {
        class: "correction",
        id: "correction-form",
        on: {
          submit: (ev) => {
            ev.preventDefault();
            const checked = (name: string) =>
              [...form.querySelectorAll<HTMLInputElement>(`input[name=${name}]:checked`)].map((i) => i.value);
            asSupervisor(() =>
              correctLabels(d.row.id, {
              motives: checked("motive"),
              topics: checked("topic"),
              experience: exp.value || undefined,
              intent: int.value || undefined,
              who: currentAgent() ?? "主管",
              note: note.value.trim() || undefined,
              }),
            )
              .then(() => {
                toast("已保存更正");
                refresh();
                return open(d.row.id);
              })
              .catch(showError);
          },
        },
      },
      h("h3", null, "更正标签"),
      h("fieldset", null, h("legend", null, "购买动机"), motiveBoxes),
      h("fieldset", null, h("legend", null, "咨询问题"), topicBoxes),
      h("div", { class: "row" }, exp, int, note, h("button", { type: "submit", class: "primary" }, "保存更正")),
    );
    replace(
      detail,
      h(
        "div",
        { class: "detail-head" },
        h("h3", null, `对话 #${d.row.id}`),
        h("button", { type: "button", on: { click: () => ((selected = null), replace(detail), list.paint()) } }, "关闭"),
      ),
      form,
      d.corrections ? h("p", { class: "muted" }, `已更正 ${d.corrections} 次；原始标签：${[...d.original.motives, d.original.experience, d.original.intent, ...d.original.topics].filter((x): x is string => !!x).map(zh).join("、")}`) : null,
      c ? h("div", { class: "detail-transcript" }, renderTranscript(c)) : null,
    );
  }

  async function paintCharts(): Promise<void> {
    try {
      const stats = await historyStats(filter());
      const { renderCharts } = await import("../charts");
      renderCharts(charts, stats);
    } catch (e) {
      showError(e);
    }
  }

  for (const input of [search, agent]) input.addEventListener("input", refresh);
  for (const input of [from, to, corrected]) input.addEventListener("change", refresh);

  function paintFilters(): void {
    // The label catalogue arrives after start-up: rebuild the selects with it.
    [motive, intent, experience, topic] = [
      labelSelect("motive", "history-motive", "全部动机"),
      labelSelect("intent", "history-intent", "全部意向"),
      labelSelect("experience", "history-experience", "全部经验"),
      labelSelect("topic", "history-topic", "全部问题"),
    ];
    for (const select of [motive, intent, experience, topic]) select.addEventListener("change", refresh);
    replace(
      filtersRow,
      search,
      from,
      to,
      agent,
      motive,
      experience,
      intent,
      topic,
      h("label", { class: "check" }, corrected, "仅已更正"),
      h("span", { class: "spacer" }),
      total,
      h("button", { type: "button", id: "history-export-csv", title: "导出当前筛选的记录（CSV，Excel/WPS 可打开）", on: { click: () => void exportRows("csv") } }, "导出 CSV"),
      h("button", { type: "button", id: "history-export-xlsx", title: "导出当前筛选的记录和统计（Excel 工作簿）", on: { click: () => void exportRows("xlsx") } }, "导出 Excel"),
    );
  }

  const root = h(
    "section",
    { class: "screen history", id: "screen-history" },
    filtersRow,
    h(
      "div",
      { class: "history-body" },
      h(
        "div",
        { class: "table" },
        h(
          "div",
          { class: "hrow head", role: "row" },
          ["时间", "客服", "买家", "动机", "经验", "意向", "内容"].map((t, i) =>
            h("span", { class: ["c-time", "c-agent", "c-buyer", "c-motives", "c-exp", "c-intent", "c-preview"][i] }, t),
          ),
        ),
        list.element,
      ),
      detail,
    ),
    charts,
  );
  let painted = false;
  return {
    id: "history",
    title: "历史",
    root,
    onShow: () => {
      if (!painted) paintFilters();
      painted = true;
      refresh();
    },
  };
}

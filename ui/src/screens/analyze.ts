// 分析: paste a chat, see who the buyer is, copy a reply.
// Keyboard: Ctrl+V in the paste area classifies; Ctrl+Enter classifies
// again; Ctrl+1…9 copies the n-th suggested reply.

import { classifyTranscript, copyTemplate } from "../api";
import { h, replace, toast } from "../dom";
import { describeError } from "../errors";
import { FORMAT_NAME } from "../labels";
import { agents, currentAgent, loadAgents, setCurrentAgent } from "../settings";
import { renderTranscript } from "../transcript";
import type { Analysis, LabelScore, SuggestedTemplate } from "../types";
import type { Screen } from "./screen";

export function analyzeScreen(): Screen {
  let current: Analysis | null = null;
  let focusLabel: string | null = null;
  // Only the newest request may paint: a slow answer to an older paste is dropped.
  let sequence = 0;

  const paste = h("textarea", {
    id: "paste",
    class: "paste",
    spellcheck: false,
    placeholder: "把和买家的聊天记录粘贴到这里：粘贴后自动分析，Ctrl+Enter 重新分析",
    "aria-label": "聊天记录",
  });
  const agentSelect = h("select", { id: "agent", "aria-label": "客服" });
  const status = h("div", { class: "status", id: "analyze-status", role: "status" });
  const result = h("div", { class: "result", id: "result" });
  const replies = h("div", { class: "replies", id: "replies" });
  const transcript = h("div", { class: "transcript-wrap", id: "transcript" });

  function fillAgents(): void {
    const names = agents();
    const chosen = currentAgent();
    replace(
      agentSelect,
      h("option", { value: "" }, "（未选择客服）"),
      names.map((n) => h("option", { value: n, selected: n === chosen }, n)),
    );
  }
  agentSelect.addEventListener("change", () => setCurrentAgent(agentSelect.value || null));

  async function run(): Promise<void> {
    const text = paste.value;
    const mine = ++sequence;
    status.className = "status busy";
    replace(status, "正在分析…");
    const started = performance.now();
    try {
      const analysis = await classifyTranscript(text, agentSelect.value || null);
      if (mine !== sequence) return;
      current = analysis;
      focusLabel = null;
      paint();
      const total = Math.round(performance.now() - started);
      status.className = "status ok";
      replace(
        status,
        `已分析 ${analysis.classification.messages.length} 条消息 · ${FORMAT_NAME[analysis.classification.format] ?? analysis.classification.format} · ${total} ms`,
        analysis.conversationId === null ? " · 未保存到历史" : ` · 已保存 #${analysis.conversationId}`,
      );
      status.dataset.ms = String(total);
    } catch (e) {
      if (mine !== sequence) return;
      const { headline, detail } = describeError(e);
      status.className = "status error";
      status.setAttribute("role", "alert");
      replace(status, headline, h("small", null, detail));
    }
  }

  function chip(score: LabelScore, kind: string, showScore: boolean): HTMLElement {
    const active = focusLabel === score.label;
    return h(
      "button",
      {
        class: `chip chip-${kind}${active ? " active" : ""}`,
        type: "button",
        title: score.evidence.length ? `点击只高亮“${score.label}”的依据` : "没有直接依据",
        "aria-pressed": active ? "true" : "false",
        data: { code: score.code },
        on: {
          click: () => {
            focusLabel = active ? null : score.label;
            paint();
          },
        },
      },
      score.label,
      showScore ? h("span", { class: "score" }, score.score.toFixed(2)) : null,
    );
  }

  function paint(): void {
    if (!current) {
      replace(result, h("p", { class: "empty" }, "粘贴聊天后，这里显示买家画像。"));
      replace(replies);
      replace(
        transcript,
        h(
          "div",
          { class: "hint" },
          h("p", null, h("kbd", null, "Ctrl+V"), " 粘贴聊天记录，自动分析"),
          h("p", null, h("kbd", null, "Ctrl+Enter"), " 重新分析"),
          h("p", null, h("kbd", null, "Ctrl+1"), "…", h("kbd", null, "Ctrl+5"), " 复制第 1…5 条推荐话术"),
          h("p", null, h("kbd", null, "Alt+1"), "…", h("kbd", null, "Alt+6"), " 切换页面"),
        ),
      );
      return;
    }
    const c = current.classification;
    replace(
      result,
      h("h2", null, "买家画像"),
      h(
        "dl",
        { class: "profile" },
        h("dt", null, "购买动机"),
        h(
          "dd",
          { id: "motives" },
          c.motives.length ? c.motives.map((m) => chip(m, "motive", true)) : h("span", { class: "muted" }, "未识别出动机"),
        ),
        h("dt", null, "网购经验"),
        h("dd", { id: "experience" }, chip(c.experience, "experience", false)),
        h("dt", null, "购买意向"),
        h("dd", { id: "intent" }, chip(c.intent, "intent", false)),
        h("dt", null, "咨询问题"),
        h("dd", { id: "topics" }, c.topics.length ? c.topics.map((t) => chip(t, "topic", false)) : h("span", { class: "muted" }, "无")),
        h("dt", null, "买家信用"),
        h("dd", { id: "credit" }, c.buyer_credit ?? h("span", { class: "muted" }, "未显示")),
      ),
    );
    paintReplies(current.templates);
    replace(transcript, renderTranscript(c, focusLabel));
  }

  function paintReplies(templates: SuggestedTemplate[]): void {
    if (templates.length === 0) {
      replace(replies, h("h2", null, "推荐话术"), h("p", { class: "muted" }, "没有匹配的话术。"));
      return;
    }
    replace(
      replies,
      h("h2", null, "推荐话术", h("small", null, "Ctrl+数字 复制")),
      h(
        "ol",
        { class: "reply-list" },
        templates.map((t, i) =>
          h(
            "li",
            { class: "reply", data: { templateId: String(t.id) } },
            h("div", { class: "reply-head" }, h("kbd", null, String(i + 1)), h("strong", null, t.title)),
            h("p", { class: "reply-text" }, t.text),
            h(
              "div",
              { class: "reply-foot" },
              h("span", { class: "why" }, t.why),
              h("button", { type: "button", class: "copy", on: { click: () => copy(t) } }, "复制"),
            ),
          ),
        ),
      ),
    );
  }

  async function copy(t: SuggestedTemplate): Promise<void> {
    try {
      await copyTemplate(t.id, current?.conversationId ?? null, t.text);
      toast(`已复制：${t.title}`);
    } catch (e) {
      const { headline, detail } = describeError(e);
      toast(`${headline} ${detail}`, "error");
    }
  }

  paste.addEventListener("paste", () => {
    // The textarea's value changes after the event: classify on the next task.
    setTimeout(() => void run(), 0);
  });

  function onKey(ev: KeyboardEvent): void {
    if (ev.ctrlKey && ev.key === "Enter") {
      ev.preventDefault();
      void run();
    } else if (ev.ctrlKey && !ev.shiftKey && !ev.altKey && /^[1-9]$/.test(ev.key) && current) {
      const t = current.templates[Number(ev.key) - 1];
      if (t) {
        ev.preventDefault();
        void copy(t);
      }
    }
  }

  const root = h(
    "section",
    { class: "screen analyze", id: "screen-analyze" },
    h(
      "div",
      { class: "col-main" },
      h(
        "div",
        { class: "toolbar" },
        h("label", { for: "agent" }, "客服"),
        agentSelect,
        h("span", { class: "spacer" }),
        h("button", { type: "button", id: "analyze-btn", class: "primary", on: { click: () => void run() } }, "分析", h("kbd", null, "Ctrl+Enter")),
        h(
          "button",
          {
            type: "button",
            on: {
              click: () => {
                paste.value = "";
                current = null;
                replace(status);
                paint();
                paste.focus();
              },
            },
          },
          "清空",
        ),
      ),
      paste,
      status,
      transcript,
    ),
    h("aside", { class: "col-side" }, result, replies),
  );

  fillAgents();
  paint();
  return {
    id: "analyze",
    title: "分析",
    root,
    onShow: () => {
      paste.focus();
      void loadAgents().then(fillAgents);
    },
    onKey,
  };
}

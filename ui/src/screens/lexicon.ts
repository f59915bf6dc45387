// 词库: the keyword lexicon as its TOML source; try a phrase live against
// the edited text, validate before save, reset to the shipped default, and
// the edited lexicon's eval figures against corrected history beside the
// saved one's.

import { evalLexicon, getLexicon, resetLexicon, saveLexicon, tryLexicon } from "../api";
import { h, replace, toast } from "../dom";
import { describeError } from "../errors";
import { asSupervisor } from "../supervisor";
import { zh } from "../labels";
import { shortRule } from "../transcript";
import type { EvalFigures, LexiconEval } from "../types";
import type { Screen } from "./screen";

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The figures table: edited beside saved, a change marked. */
export function renderEval(figures: LexiconEval): HTMLElement {
  const { edited, saved } = figures;
  if (edited.conversations === 0) {
    return h("p", { class: "muted" }, "还没有更正过的历史。在「历史」里更正几条对话后，这里会显示词库的准确度。");
  }
  const row = (name: string, e: number, s: number, title?: string) =>
    h(
      "tr",
      { title },
      h("th", { scope: "row" }, name),
      h("td", { class: e - s > 1e-9 ? "better" : s - e > 1e-9 ? "worse" : undefined }, percent(e)),
      h("td", null, percent(s)),
    );
  const both = (name: string, pick: (f: EvalFigures) => number) => row(name, pick(edited), pick(saved));
  const motives = edited.motives
    .map((m, i) => ({ m, s: saved.motives[i] }))
    .filter(({ m }) => m.support > 0)
    .map(({ m, s }) => row(`${zh(m.code)} F1`, m.f1, s?.f1 ?? 0, `${m.support} 条更正里有此动机`));
  return h(
    "div",
    null,
    h(
      "p",
      { class: "muted" },
      `${edited.conversations} 条更正过的对话；至少一个标签不符：编辑后 ${edited.missedConversations} 条，已保存 ${saved.missedConversations} 条。`,
    ),
    h(
      "p",
      { class: "muted small" },
      "只有改过标签的对话才算更正，所以这些对话多半是当时分错的；看编辑后的词库改对了多少。",
    ),
    h(
      "table",
      { class: "eval", id: "lexicon-eval-table" },
      h("thead", null, h("tr", null, h("th", null, "指标"), h("th", null, "编辑后"), h("th", null, "已保存"))),
      h(
        "tbody",
        null,
        both("动机 micro-F1", (f) => f.motivesMicroF1),
        both("动机 macro-F1", (f) => f.motivesMacroF1),
        both("问题 micro-F1", (f) => f.topicsMicroF1),
        both("经验 准确率", (f) => f.experienceAccuracy),
        both("意向 准确率", (f) => f.intentAccuracy),
        motives,
      ),
    ),
  );
}

export function lexiconScreen(): Screen {
  const source = h("textarea", { id: "lexicon-source", class: "code", spellcheck: false, "aria-label": "词库" });
  const phrase = h("input", { type: "text", id: "lexicon-phrase", placeholder: "输入一句买家的话，看看命中哪些规则", "aria-label": "试一试" });
  const matches = h("div", { id: "lexicon-matches", class: "matches", role: "status" });
  let seq = 0;

  function tryIt(): void {
    const mine = ++seq;
    if (!phrase.value.trim()) {
      replace(matches);
      return;
    }
    tryLexicon(source.value, phrase.value)
      .then((found) => {
        if (mine !== seq) return;
        replace(
          matches,
          found.length === 0
            ? h("p", { class: "muted" }, "没有命中任何规则。")
            : h("ul", null, found.map((m) => h("li", null, h("span", { class: "tag" }, m.label), h("mark", null, m.text), h("code", { title: m.rule }, shortRule(m.rule))))),
        );
      })
      .catch((e) => {
        if (mine !== seq) return;
        const { headline, detail } = describeError(e);
        replace(matches, h("p", { class: "error" }, headline, h("small", null, detail)));
      });
  }

  const evaluation = h("div", { id: "lexicon-eval", role: "status" });
  let evalSeq = 0;
  function evaluate(): void {
    const mine = ++evalSeq;
    replace(evaluation, h("p", { class: "muted" }, "评估中…"));
    evalLexicon(source.value)
      .then((figures) => {
        if (mine === evalSeq) replace(evaluation, renderEval(figures));
      })
      .catch((e) => {
        if (mine !== evalSeq) return;
        const { headline, detail } = describeError(e);
        replace(evaluation, h("p", { class: "error" }, headline, h("small", null, detail)));
      });
  }

  let timer = 0;
  const later = () => {
    clearTimeout(timer);
    timer = window.setTimeout(tryIt, 250);
  };
  phrase.addEventListener("input", later);
  source.addEventListener("input", later);

  async function load(): Promise<void> {
    try {
      source.value = await getLexicon();
      // a phrase typed while the lexicon was loading is tried against it now
      tryIt();
      evaluate();
    } catch (e) {
      const { headline, detail } = describeError(e);
      toast(`${headline} ${detail}`, "error");
    }
  }

  const root = h(
    "section",
    { class: "screen lexicon", id: "screen-lexicon" },
    h(
      "div",
      { class: "col-main" },
      h(
        "div",
        { class: "toolbar" },
        h("h2", null, "词库"),
        h("span", { class: "spacer" }),
        h(
          "button",
          {
            type: "button",
            class: "primary",
            id: "lexicon-save",
            on: {
              click: () =>
                void asSupervisor(() => saveLexicon(source.value))
                  .then(() => {
                    toast("词库已保存，新的分析立即使用");
                    evaluate();
                  })
                  .catch((e) => {
                    const { headline, detail } = describeError(e);
                    toast(`${headline} ${detail}`, "error");
                  }),
            },
          },
          "校验并保存",
        ),
        h(
          "button",
          {
            type: "button",
            on: {
              click: () => {
                if (!window.confirm("恢复为默认词库？当前的修改会丢失。")) return;
                void asSupervisor(resetLexicon)
                  .then((text) => {
                    source.value = text;
                    toast("已恢复默认词库");
                    evaluate();
                  })
                  .catch((e) => toast(describeError(e).headline, "error"));
              },
            },
          },
          "恢复默认",
        ),
      ),
      source,
    ),
    h(
      "aside",
      { class: "col-side" },
      h("h3", null, "试一试"),
      phrase,
      matches,
      h(
        "div",
        { class: "toolbar" },
        h("h3", null, "对照更正过的历史"),
        h("span", { class: "spacer" }),
        h("button", { type: "button", id: "lexicon-evaluate", title: "用编辑后的词库重新分析所有更正过的对话", on: { click: evaluate } }, "评估"),
      ),
      evaluation,
    ),
  );
  return { id: "lexicon", title: "词库", root, onShow: () => void load() };
}

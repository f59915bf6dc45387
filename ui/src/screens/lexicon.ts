// 词库: the keyword lexicon as its TOML source; try a phrase live against
// the edited text, validate before save, reset to the shipped default.

import { getLexicon, resetLexicon, saveLexicon, tryLexicon } from "../api";
import { h, replace, toast } from "../dom";
import { describeError } from "../errors";
import { asSupervisor } from "../supervisor";
import { shortRule } from "../transcript";
import type { Screen } from "./screen";

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
                  .then(() => toast("词库已保存，新的分析立即使用"))
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
    h("aside", { class: "col-side" }, h("h3", null, "试一试"), phrase, matches),
  );
  return { id: "lexicon", title: "词库", root, onShow: () => void load() };
}

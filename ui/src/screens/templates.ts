// 话术: search, list, edit with a live placeholder preview, enable/disable.

import {
  deleteTemplate,
  exportTemplates,
  importTemplates,
  listTemplates,
  pickOpenPath,
  pickSavePath,
  previewTemplate,
  saveTemplate,
} from "../api";
import { h, replace, toast } from "../dom";
import { describeError } from "../errors";
import { labelsOf, zh } from "../labels";
import { currentAgent } from "../settings";
import { asSupervisor } from "../supervisor";
import type { Axis, Template, TemplateEdit } from "../types";
import type { Screen } from "./screen";

const PLACEHOLDERS = ["{买家}", "{客服}", "{店铺}", "{商品}"];

export function templatesScreen(): Screen {
  const search = h("input", { type: "search", id: "template-search", placeholder: "搜索话术（标题、内容、分组）", "aria-label": "搜索话术" });
  const list = h("ul", { class: "template-list", id: "template-list" });
  const editor = h("div", { class: "template-editor", id: "template-editor" });
  let templates: Template[] = [];
  let all: Template[] = [];
  let editing: TemplateEdit | null = null;

  function showError(e: unknown): void {
    const { headline, detail } = describeError(e);
    toast(`${headline} ${detail}`, "error");
  }

  async function load(): Promise<void> {
    try {
      all = await listTemplates();
      filter();
    } catch (e) {
      showError(e);
    }
  }

  /** A few hundred templates at most: filtering here keeps typing instant. */
  function filter(): void {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    templates = all.filter((t) => {
      const hay = `${t.title}\n${t.body}\n${t.group}\n${t.shortcut ?? ""}`.toLowerCase();
      return words.every((w) => hay.includes(w));
    });
    paintList();
  }

  function paintList(): void {
    replace(
      list,
      templates.map((t) =>
        h(
          "li",
          {
            class: `template-item${t.enabled ? "" : " disabled"}${editing?.id === t.id ? " selected" : ""}`,
            tabindex: 0,
            data: { id: String(t.id) },
            on: {
              click: () => edit(t),
              keydown: (ev) => {
                if (ev.key === "Enter") edit(t);
              },
            },
          },
          h("strong", null, t.title),
          h("span", { class: "muted" }, `${t.group || "未分组"} · 使用 ${t.useCount} 次${t.enabled ? "" : " · 已停用"}`),
          h("span", { class: "tags" }, t.tags.map((tag) => h("span", { class: "tag" }, zh(tag)))),
        ),
      ),
    );
  }

  function tagBoxes(axis: Axis, chosen: string[]): HTMLElement[] {
    return labelsOf(axis).map((l) =>
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "tag", value: l.code, checked: chosen.includes(l.code) }), l.zh),
    );
  }

  function edit(t: Template | null): void {
    editing = t
      ? { id: t.id, title: t.title, body: t.body, group: t.group, tags: t.tags, shortcut: t.shortcut, enabled: t.enabled }
      : { id: null, title: "", body: "", group: "", tags: [], shortcut: null, enabled: true };
    const draft = editing;
    const title = h("input", { type: "text", id: "template-title", value: draft.title, required: true, "aria-label": "标题" });
    const group = h("input", { type: "text", id: "template-group", value: draft.group, placeholder: "分组", "aria-label": "分组" });
    const shortcut = h("input", { type: "text", id: "template-shortcut", value: draft.shortcut ?? "", placeholder: "快捷短语", "aria-label": "快捷短语", size: 8 });
    const enabled = h("input", { type: "checkbox", id: "template-enabled", checked: draft.enabled });
    const body = h("textarea", { id: "template-body", rows: 6, "aria-label": "话术内容" });
    body.value = draft.body;
    const preview = h("p", { class: "preview", id: "template-preview" });
    let previewSeq = 0;
    const refreshPreview = () => {
      const mine = ++previewSeq;
      previewTemplate(body.value, currentAgent())
        .then((text) => {
          if (mine === previewSeq) replace(preview, text);
        })
        .catch((e) => replace(preview, describeError(e).headline));
    };
    body.addEventListener("input", refreshPreview);
    refreshPreview();
    const form = h(
      "form",
      {
        id: "template-form",
        on: {
          submit: (ev) => {
            ev.preventDefault();
            const tags = [...form.querySelectorAll<HTMLInputElement>("input[name=tag]:checked")].map((i) => i.value);
            asSupervisor(() =>
              saveTemplate({
              id: draft.id,
              title: title.value.trim(),
              body: body.value,
              group: group.value.trim(),
              shortcut: shortcut.value.trim() || null,
              enabled: enabled.checked,
              tags,
              }),
            )
              .then((id) => {
                toast("话术已保存");
                draft.id = id;
                return load();
              })
              .catch(showError);
          },
        },
      },
      h("div", { class: "row" }, title, group, shortcut, h("label", { class: "check" }, enabled, "启用")),
      h(
        "div",
        { class: "row placeholders" },
        "插入：",
        PLACEHOLDERS.map((p) =>
          h(
            "button",
            {
              type: "button",
              class: "small",
              on: {
                click: () => {
                  body.setRangeText(p, body.selectionStart, body.selectionEnd, "end");
                  body.focus();
                  refreshPreview();
                },
              },
            },
            p,
          ),
        ),
      ),
      body,
      h("div", { class: "preview-box" }, h("small", { class: "muted" }, "预览"), preview),
      h("fieldset", null, h("legend", null, "适用动机"), tagBoxes("motive", draft.tags)),
      h("fieldset", null, h("legend", null, "经验 · 意向 · 问题"), tagBoxes("experience", draft.tags), tagBoxes("intent", draft.tags), tagBoxes("topic", draft.tags)),
      h(
        "div",
        { class: "row" },
        h("button", { type: "submit", class: "primary", id: "template-save" }, "保存"),
        draft.id !== null
          ? h(
              "button",
              {
                type: "button",
                class: "danger",
                on: {
                  click: () => {
                    if (draft.id === null || !window.confirm(`删除话术“${draft.title}”？`)) return;
                    asSupervisor(() => deleteTemplate(draft.id as number))
                      .then(() => {
                        replace(editor);
                        editing = null;
                        return load();
                      })
                      .catch(showError);
                  },
                },
              },
              "删除",
            )
          : null,
      ),
    );
    replace(editor, h("h3", null, draft.id === null ? "新建话术" : "编辑话术"), form);
    paintList();
    title.focus();
  }

  async function importPack(): Promise<void> {
    try {
      const path = await pickOpenPath("话术包", ["toml"]);
      if (!path) return;
      const outcome = await asSupervisor(() => importTemplates(path));
      toast(`已导入：新增 ${outcome.added} 条，更新 ${outcome.updated} 条`);
      await load();
    } catch (e) {
      showError(e);
    }
  }

  async function exportPack(): Promise<void> {
    try {
      const path = await pickSavePath("话术包.toml", "toml");
      if (!path) return;
      toast(`已导出 ${await exportTemplates(path)} 条话术到 ${path}`);
    } catch (e) {
      showError(e);
    }
  }

  let timer = 0;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(filter, 100);
  });

  const root = h(
    "section",
    { class: "screen templates", id: "screen-templates" },
    h(
      "div",
      { class: "col-list" },
      h("div", { class: "row" }, search, h("button", { type: "button", id: "template-new", class: "primary", on: { click: () => edit(null) } }, "新建")),
      h(
        "div",
        { class: "row" },
        h("button", { type: "button", class: "small", on: { click: () => void importPack() } }, "导入话术包…"),
        h("button", { type: "button", class: "small", on: { click: () => void exportPack() } }, "导出话术包…"),
      ),
      list,
    ),
    editor,
  );
  return { id: "templates", title: "话术", root, onShow: () => void load() };
}

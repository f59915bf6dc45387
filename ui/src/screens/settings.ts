// 设置: agent names, where the data lives, backup.

import { appInfo, backupDatabase, pickSavePath } from "../api";
import { h, replace, toast } from "../dom";
import { describeError } from "../errors";
import { loadAgents, setAgents } from "../settings";
import type { Screen } from "./screen";

export function settingsScreen(): Screen {
  const names = h("textarea", { id: "settings-agents", rows: 5, "aria-label": "客服名单", placeholder: "每行一个客服名字" });
  const info = h("dl", { class: "info", id: "settings-info" });

  async function load(): Promise<void> {
    names.value = (await loadAgents()).join("\n");
    try {
      const a = await appInfo();
      replace(
        info,
        h("dt", null, "版本"),
        h("dd", null, a.version),
        h("dt", null, "数据库"),
        h("dd", null, h("code", null, a.dbPath ?? "（内存）")),
        h("dt", null, "状态"),
        h("dd", { class: a.storeError ? "error" : "" }, a.storeError ?? `正常，共 ${a.conversations ?? 0} 段对话`),
        h("dt", null, "词库版本"),
        h("dd", null, a.lexiconVersion),
      );
    } catch (e) {
      replace(info, h("dd", { class: "error" }, describeError(e).headline));
    }
  }

  const root = h(
    "section",
    { class: "screen settings", id: "screen-settings" },
    h("h2", null, "设置"),
    h(
      "div",
      { class: "card" },
      h("h3", null, "客服名单"),
      names,
      h(
        "button",
        {
          type: "button",
          class: "primary",
          on: {
            click: async () => {
              try {
                names.value = (await setAgents(names.value.split("\n"))).join("\n");
                toast("客服名单已保存");
              } catch (e) {
                const { headline, detail } = describeError(e);
                toast(`${headline} ${detail}`, "error");
              }
            },
          },
        },
        "保存名单",
      ),
    ),
    h("div", { class: "card" }, h("h3", null, "数据"), info),
    h(
      "div",
      { class: "card" },
      h("h3", null, "备份"),
      h("p", { class: "muted" }, "把全部历史、话术和词库备份到一个文件。"),
      h(
        "button",
        {
          type: "button",
          on: {
            click: async () => {
              try {
                const path = await pickSavePath("buyerlens-backup.sqlite", "sqlite");
                if (!path) return;
                await backupDatabase(path);
                toast(`已备份到 ${path}`);
              } catch (e) {
                const { headline, detail } = describeError(e);
                toast(`${headline} ${detail}`, "error");
              }
            },
          },
        },
        "备份到…",
      ),
    ),
  );
  return { id: "settings", title: "设置", root, onShow: () => void load() };
}

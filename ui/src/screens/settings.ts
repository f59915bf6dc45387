// 设置: agent names, where the data lives, backup.

import { appInfo, backupDatabase, pickSavePath, setSupervisorPin, supervisorStatus } from "../api";
import { h, replace, toast } from "../dom";
import { describeError } from "../errors";
import { loadAgents, setAgents } from "../settings";
import { asSupervisor } from "../supervisor";
import type { Screen } from "./screen";

export function settingsScreen(): Screen {
  const names = h("textarea", { id: "settings-agents", rows: 5, "aria-label": "客服名单", placeholder: "每行一个客服名字" });
  const info = h("dl", { class: "info", id: "settings-info" });

  const pinState = h("p", { id: "pin-state", class: "muted" });
  const newPin = h("input", { type: "password", id: "pin-new", inputmode: "numeric", autocomplete: "off", placeholder: "4–12 位数字", "aria-label": "新 PIN" });
  const removePin = h("button", { type: "button", id: "pin-remove" }, "取消 PIN");

  async function paintPin(): Promise<void> {
    try {
      const status = await supervisorStatus();
      replace(pinState, status.pinSet ? (status.unlocked ? "已设置主管 PIN（当前已解锁）。" : "已设置主管 PIN。") : "未设置主管 PIN：任何人都可以更正标签、修改话术和词库。");
      removePin.hidden = !status.pinSet;
    } catch (e) {
      replace(pinState, describeError(e).headline);
    }
  }

  async function changePin(pin: string | null): Promise<void> {
    try {
      await asSupervisor(() => setSupervisorPin(pin));
      newPin.value = "";
      toast(pin === null ? "已取消主管 PIN" : "主管 PIN 已设置");
    } catch (e) {
      const { headline, detail } = describeError(e);
      toast(`${headline} ${detail}`, "error");
    }
    await paintPin();
  }
  removePin.addEventListener("click", () => void changePin(null));

  async function load(): Promise<void> {
    void paintPin();
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
    h(
      "div",
      { class: "card" },
      h("h3", null, "主管 PIN"),
      pinState,
      h(
        "form",
        {
          class: "row",
          on: {
            submit: (ev) => {
              ev.preventDefault();
              void changePin(newPin.value);
            },
          },
        },
        newPin,
        h("button", { type: "submit", class: "primary", id: "pin-set" }, "设置 PIN"),
        removePin,
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

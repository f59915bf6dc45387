// The banner at the top when the database could not be opened. When it is
// damaged or was written by a newer BuyerLens and an automatic backup
// exists, the banner offers to restore the newest one (named, with its
// time) after a confirmation. The shell keeps the current file beside the
// restored one (….before-restore-<time>); nothing is deleted.

import { restoreLatestBackup } from "./api";
import { h, replace } from "./dom";
import { describeError } from "./errors";
import type { AppInfo, Backup } from "./types";

/** Fills `banner` for the app's state; `onRestored` runs after a restore. */
export function paintStoreBanner(banner: HTMLElement, info: AppInfo, onRestored: () => void): void {
  if (!info.storeError) {
    banner.hidden = true;
    return;
  }
  banner.hidden = false;
  banner.className = "banner";
  banner.setAttribute("role", "alert");
  const offer = info.restoreOffer;
  replace(
    banner,
    h("p", null, "历史数据库无法打开，分析结果不会保存：", h("span", { class: "banner-detail" }, info.storeError)),
    offer
      ? h(
          "p",
          { id: "restore-offer" },
          `可以从最新的自动备份恢复：${offer.name}（${offer.taken ?? "时间不详"}）。`,
          h(
            "button",
            { type: "button", id: "restore-start", on: { click: () => confirmRestore(banner, offer, onRestored) } },
            "从最新的自动备份恢复…",
          ),
        )
      : null,
  );
}

/** Asks before restoring; on "恢复" restores and says where the old file is. */
function confirmRestore(banner: HTMLElement, offer: Backup, onRestored: () => void): void {
  const message = h("p", { class: "error", role: "alert" });
  const dialog = h("dialog", { class: "pin-dialog restore-dialog", id: "restore-dialog" });
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  const confirm = h("button", { type: "submit", class: "primary", id: "restore-confirm" }, "恢复");
  const cancel = h("button", { type: "button", id: "restore-cancel", on: { click: close } }, "取消");
  const form = h(
    "form",
    {
      on: {
        submit: (ev) => {
          ev.preventDefault();
          confirm.disabled = true;
          cancel.disabled = true;
          replace(message, "正在恢复…");
          restoreLatestBackup(offer.name)
            .then((done) => {
              close();
              banner.className = "banner banner-ok";
              banner.setAttribute("role", "status");
              replace(
                banner,
                h(
                  "p",
                  { id: "restore-done" },
                  `已从自动备份 ${done.backup.name} 恢复，共 ${done.conversations.toLocaleString("zh-CN")} 段对话。`,
                  done.keptAs ? `原数据库文件未删除，保留为：${done.keptAs}` : null,
                ),
              );
              onRestored();
            })
            .catch((e) => {
              const { headline, detail } = describeError(e);
              replace(message, `${headline} ${detail}`);
              confirm.disabled = false;
              cancel.disabled = false;
            });
        },
      },
    },
    h("h3", null, "从自动备份恢复？"),
    h("p", null, `将用自动备份 ${offer.name}（${offer.taken ?? "时间不详"}）替换当前的数据库。`),
    h(
      "p",
      { class: "muted" },
      "当前的数据库文件不会删除：它会原样保留在同一文件夹中（文件名后加 .before-restore-时间）。这个备份之后保存的记录不在恢复后的数据库中。",
    ),
    message,
    h("div", { class: "row" }, confirm, cancel),
  );
  dialog.addEventListener("cancel", close);
  dialog.appendChild(form);
  document.body.appendChild(dialog);
  dialog.showModal();
  cancel.focus();
}

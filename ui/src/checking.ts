// After an unexpected exit (a crash, a power cut, the process killed) the
// shell checks the whole database before it uses it: about a minute for a
// million conversations. A database written by an older version is
// upgraded the same way (a copy is kept first; a minute or two at a million). The window is up meanwhile; this cover says what
// is happening, with an indeterminate bar and the seconds waited, and keeps
// the screens inert underneath until the check is over. The shell sends
// `store-checked` when it is done; the cover also asks again every second,
// so a missed event cannot leave it up.

import { h, replace } from "./dom";
import type { AppInfo } from "./types";

export interface CheckWait {
  /** The cover (hidden unless a check runs). */
  cover: HTMLElement;
  /** Elements made inert while the check runs. */
  blocked: HTMLElement[];
  /** Asks the shell for its state again (`app_info`). */
  ask: () => Promise<AppInfo>;
  /** Subscribes to the shell's "check is over" event. */
  onChecked?: (fn: () => void) => void;
  /** Called once, with the state after the check (at once when none ran). */
  done: (info: AppInfo) => void;
  /** How often to ask again (ms). */
  everyMs?: number;
}

/** Shows the cover while `first.checking`, then calls `done`. */
export function waitForCheck(first: AppInfo, wait: CheckWait): void {
  if (!first.checking) {
    wait.done(first);
    return;
  }
  const started = Date.now();
  const elapsed = h("span", { id: "store-checking-elapsed" }, "");
  const tick = () => replace(elapsed, `已等待 ${Math.round((Date.now() - started) / 1000)} 秒`);
  tick();
  wait.cover.hidden = false;
  wait.cover.className = "checking-cover";
  wait.cover.setAttribute("role", "status");
  wait.cover.setAttribute("aria-busy", "true");
  replace(
    wait.cover,
    h(
      "div",
      { class: "checking-box" },
      h("h2", null, first.upgrading ? "正在升级数据库…" : "正在检查数据库…"),
      h(
        "p",
        null,
        first.upgrading
          ? "这一版 BuyerLens 改进了历史数据库的结构，正在升级（升级前先把原文件备份到数据库旁的 backups 文件夹）。记录很多时需要一两分钟，请稍候；升级完成后即可继续使用。"
          : "上次 BuyerLens 没有正常退出（程序崩溃、断电或被强制结束），正在检查历史数据库是否完好。记录很多时需要一分钟左右，请稍候；检查完成后即可继续使用。",
      ),
      h("progress", {
        id: "store-checking-progress",
        "aria-label": first.upgrading ? "正在升级数据库" : "正在检查数据库",
      }),
      h("p", { class: "muted" }, elapsed),
    ),
  );
  for (const el of wait.blocked) el.setAttribute("inert", "");

  let finished = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finish = (info: AppInfo) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    wait.cover.hidden = true;
    wait.cover.removeAttribute("aria-busy");
    replace(wait.cover);
    for (const el of wait.blocked) el.removeAttribute("inert");
    wait.done(info);
  };
  const askAgain = () => {
    if (finished) return;
    wait
      .ask()
      .then((info) => {
        if (!info.checking) finish(info);
      })
      .catch(() => undefined)
      .finally(() => {
        if (!finished) {
          clearTimeout(timer);
          tick();
          timer = setTimeout(askAgain, wait.everyMs ?? 1000);
        }
      });
  };
  wait.onChecked?.(askAgain);
  timer = setTimeout(askAgain, wait.everyMs ?? 1000);
}

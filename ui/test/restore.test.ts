import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { paintStoreBanner } from "../src/restore";
import type { AppInfo } from "../src/types";

// jsdom has <dialog> without its methods; WebKit has both.
beforeAll(() => {
  const proto = HTMLDialogElement.prototype as { showModal?: () => void; close?: () => void };
  proto.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  proto.close ??= function (this: HTMLDialogElement) {
    this.removeAttribute("open");
  };
});

afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

const backup = {
  name: "buyerlens-auto-20261120-093000.sqlite",
  path: "/data/backups/buyerlens-auto-20261120-093000.sqlite",
  taken: "2026-11-20 09:30:00",
  bytes: 4096,
};

function damaged(offer: AppInfo["restoreOffer"]): AppInfo {
  return {
    version: "0.1.0",
    dbPath: "/data/history.sqlite",
    storeError: "the database at /data/history.sqlite is damaged (<b>bad page</b>); it was left untouched",
    lexiconVersion: "2026.11.2",
    conversations: null,
    restoreOffer: offer,
    checking: false,
    upgrading: false,
  };
}

function banner(info: AppInfo, onRestored = () => undefined): HTMLElement {
  const el = document.createElement("div");
  document.body.appendChild(el);
  paintStoreBanner(el, info, onRestored);
  return el;
}

describe("store banner", () => {
  // An open database shows no banner.
  it("stays hidden when the database is open", () => {
    const el = banner({ ...damaged(null), storeError: null });
    expect(el.hidden).toBe(true);
  });

  // The open error is shown as text; without a backup nothing is offered.
  it("says why without an offer when there is no backup", () => {
    const el = banner(damaged(null));
    expect(el.hidden).toBe(false);
    expect(el.textContent).toContain("<b>bad page</b>");
    expect(el.querySelector("b")).toBeNull();
    expect(el.querySelector("#restore-start")).toBeNull();
  });

  // The offer names the backup and its time; cancelling restores nothing.
  it("offers the newest backup and asks first", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      return null;
    });
    const el = banner(damaged(backup));
    expect(el.querySelector("#restore-offer")?.textContent).toContain("buyerlens-auto-20261120-093000.sqlite（2026-11-20 09:30:00）");
    (el.querySelector("#restore-start") as HTMLButtonElement).click();
    const dialog = document.getElementById("restore-dialog");
    expect(dialog?.textContent).toContain("不会删除");
    (document.getElementById("restore-cancel") as HTMLButtonElement).click();
    await settle();
    expect(document.getElementById("restore-dialog")).toBeNull();
    expect(calls).toEqual([]);
  });

  // Confirming restores exactly the offered backup and says where the old file is.
  it("restores the offered backup on confirmation", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      return { backup, keptAs: "/data/history.sqlite.before-restore-20261123-160000", conversations: 1234 };
    });
    let restored = 0;
    const el = banner(damaged(backup), () => {
      restored++;
    });
    (el.querySelector("#restore-start") as HTMLButtonElement).click();
    (document.getElementById("restore-confirm") as HTMLButtonElement).form!.requestSubmit();
    await settle();
    expect(calls).toEqual([{ cmd: "restore_latest_backup", args: { name: backup.name } }]);
    expect(document.getElementById("restore-dialog")).toBeNull();
    const done = el.querySelector("#restore-done")?.textContent ?? "";
    expect(done).toContain("1,234 段对话");
    expect(done).toContain("/data/history.sqlite.before-restore-20261123-160000");
    expect(el.getAttribute("role")).toBe("status");
    expect(restored).toBe(1);
  });

  // A failed restore is said in the dialog, which stays open to try again.
  it("says why a restore failed", async () => {
    mockIPC(() => {
      throw { kind: "store", message: "the database at /data/backups/x.sqlite is damaged" };
    });
    const el = banner(damaged(backup));
    (el.querySelector("#restore-start") as HTMLButtonElement).click();
    const confirm = document.getElementById("restore-confirm") as HTMLButtonElement;
    confirm.form!.requestSubmit();
    await settle();
    expect(document.querySelector("#restore-dialog .error")?.textContent).toContain("本地数据库出错。");
    expect(confirm.disabled).toBe(false);
    expect(el.querySelector("#restore-done")).toBeNull();
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";

import { waitForCheck } from "../src/checking";
import type { AppInfo } from "../src/types";

afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
});

function info(checking: boolean, storeError: string | null = null, upgrading = false): AppInfo {
  return {
    version: "0.1.0",
    dbPath: "/data/history.sqlite",
    storeError,
    lexiconVersion: "2026.11.2",
    conversations: checking ? null : 12,
    restoreOffer: null,
    checking,
    upgrading: checking && upgrading,
  };
}

function setUp() {
  const cover = document.createElement("div");
  cover.hidden = true;
  const main = document.createElement("main");
  document.body.append(main, cover);
  return { cover, main };
}

describe("database check after an unexpected exit", () => {
  // Without a check nothing is covered and the app goes on at once.
  it("does nothing when no check runs", () => {
    const { cover, main } = setUp();
    const done = vi.fn();
    waitForCheck(info(false), { cover, blocked: [main], ask: vi.fn(), done });
    expect(done).toHaveBeenCalledWith(info(false));
    expect(cover.hidden).toBe(true);
    expect(main.hasAttribute("inert")).toBe(false);
  });

  // While it runs: a cover in words with an indeterminate bar, the
  // screens inert; asked again until the shell says it is over.
  it("covers the screens until the check is over", async () => {
    vi.useFakeTimers();
    const { cover, main } = setUp();
    const answers = [info(true), info(false)];
    const ask = vi.fn(() => Promise.resolve(answers.shift() ?? info(false)));
    const done = vi.fn();
    waitForCheck(info(true), { cover, blocked: [main], ask, done, everyMs: 1000 });
    expect(cover.hidden).toBe(false);
    expect(cover.getAttribute("aria-busy")).toBe("true");
    expect(cover.textContent).toContain("正在检查数据库");
    expect(cover.textContent).toContain("没有正常退出");
    const bar = cover.querySelector("progress");
    expect(bar, "a progress bar").not.toBeNull();
    expect(bar?.hasAttribute("value"), "indeterminate: no value").toBe(false);
    expect(main.hasAttribute("inert")).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ask).toHaveBeenCalledTimes(1);
    expect(done).not.toHaveBeenCalled();
    expect(cover.textContent).toContain("已等待 1 秒");
    await vi.advanceTimersByTimeAsync(1000);
    expect(ask).toHaveBeenCalledTimes(2);
    expect(done).toHaveBeenCalledTimes(1);
    expect(cover.hidden).toBe(true);
    expect(main.hasAttribute("inert")).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ask, "no more asking after it is over").toHaveBeenCalledTimes(2);
  });

  // An upgrade of an older database says so, not that the app crashed.
  it("says an upgrade is an upgrade", () => {
    const { cover, main } = setUp();
    waitForCheck(info(true, null, true), { cover, blocked: [main], ask: vi.fn(), done: vi.fn() });
    expect(cover.hidden).toBe(false);
    expect(cover.textContent).toContain("正在升级数据库");
    expect(cover.textContent).toContain("备份");
    expect(cover.textContent).not.toContain("没有正常退出");
    expect(cover.querySelector("progress")?.getAttribute("aria-label")).toBe("正在升级数据库");
    expect(main.hasAttribute("inert")).toBe(true);
  });

  // The shell's event ends the wait at once; a damaged file found by the
  // check reaches `done` (which paints the restore offer).
  it("ends on the shell's event with what the check found", async () => {
    const { cover, main } = setUp();
    let checked: () => void = () => undefined;
    const found = info(false, "the database at /data/history.sqlite is damaged");
    const done = vi.fn();
    waitForCheck(info(true), {
      cover,
      blocked: [main],
      ask: () => Promise.resolve(found),
      onChecked: (fn) => {
        checked = fn;
      },
      done,
      everyMs: 60_000,
    });
    checked();
    await vi.waitFor(() => expect(done).toHaveBeenCalledWith(found));
    expect(cover.hidden).toBe(true);
  });
});

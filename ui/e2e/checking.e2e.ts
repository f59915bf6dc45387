// After a crash the app checks the whole database before it uses it
// (about a minute at a million conversations). The window comes up at
// once and says so, with a progress bar, over screens that wait; then the
// history is there. The app is killed with SIGKILL for a real crash (the
// -wal file stays); the check of this small file is lengthened with
// BUYERLENS_TEST_CHECK_DELAY_MS so that the waiting screen can be seen.
// See scripts/e2e.sh.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alive, analyze, appOn, browser, invoke, showScreen, startApp, until } from "./driver";

const dir = mkdtempSync(join(tmpdir(), "buyerlens-e2e-checking-"));
const db = join(dir, "history.sqlite");

afterAll(async () => {
  await browser?.deleteSession().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("the start after a crash", () => {
  it("shows the window at once, says the database is checked, then has the history", async () => {
    const pidFile = join(dir, "app.pid");
    await startApp(appOn(db, { pidFile }));
    await analyze("买家：这件羊毛衫有货吗？能包邮吗\n客服：有货的亲，包邮");
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    process.kill(pid, "SIGKILL");
    await until(() => !alive(pid), 10_000);
    await browser.deleteSession().catch(() => undefined);
    expect(existsSync(`${db}-wal`), "a crash leaves the -wal file").toBe(true);

    const slow = appOn(db, { name: "app-slow-check.sh", env: { BUYERLENS_TEST_CHECK_DELAY_MS: "6000" } });
    const started = Date.now();
    await startApp(slow);
    const cover = browser.$("#store-checking");
    await cover.waitForDisplayed({ timeout: 5_000 });
    expect(Date.now() - started, "the window is up before the check ends").toBeLessThan(30_000);
    expect(await cover.getText()).toContain("正在检查数据库");
    expect(await browser.$("#store-checking-progress").isDisplayed()).toBe(true);
    const during = await invoke<{ checking: boolean }>("app_info", {});
    expect(during.checking).toBe(true);

    await cover.waitForDisplayed({ reverse: true, timeout: 30_000 });
    const after = await invoke<{ checking: boolean; storeError: string | null; conversations: number }>("app_info", {});
    expect(after).toMatchObject({ checking: false, storeError: null, conversations: 1 });
    await showScreen("history");
    await browser.waitUntil(
      async () => {
        // rows of the virtual list are repainted often: read them in one go
        const previews = await browser.execute(() =>
          [...document.querySelectorAll(".vlist .hrow .c-preview")].map((p) => p.textContent ?? ""),
        );
        return previews.length === 1 && previews[0].includes("羊毛衫");
      },
      { timeout: 10_000, timeoutMsg: "the chat stored before the crash is not listed in the history" },
    );
    expect(await browser.$("#history-total").getText()).toBe("共 1 条");
  });
});

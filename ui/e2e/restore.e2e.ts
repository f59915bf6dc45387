// A damaged database with an automatic backup beside it: the real app
// starts on it, says so, offers the newest backup by name and time, and
// after a confirmation restores it, keeping the damaged file beside it
// byte for byte. See scripts/e2e.sh.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { analyze, appOn, browser, invoke, screenshotIfFailed, showScreen, startApp } from "./driver";

const dir = mkdtempSync(join(tmpdir(), "buyerlens-e2e-restore-"));
const db = join(dir, "history.sqlite");
const backupName = "buyerlens-auto-20261120-093000.sqlite";
let damaged: Buffer;

beforeAll(async () => {
  // A real backup, written by the app itself, of a database holding a chat
  // (a database of its own: the one the other tests share must not get
  // this chat).
  await startApp(appOn(join(dir, "source.sqlite"), { name: "app-on-source.sh" }));
  await analyze("买家：这件羊毛衫有货吗？会起球吗\n客服：有货的亲，不起球");
  mkdirSync(join(dir, "backups"));
  const backup = join(dir, "backups", backupName);
  const written = await invoke<unknown>("backup_database", { path: backup });
  expect(written).toBeNull();
  await browser.deleteSession();

  // The same file, damaged: every page after the first two scribbled over.
  damaged = readFileSync(backup);
  expect(damaged.length, "a backup of several pages").toBeGreaterThan(4 * 4096);
  damaged.fill(0x5a, 2 * 4096);
  writeFileSync(db, damaged);

  await startApp(appOn(db));
});

afterEach(screenshotIfFailed);

afterAll(async () => {
  await browser?.deleteSession();
  rmSync(dir, { recursive: true, force: true });
});

describe("a damaged database", () => {
  it("is said, with the newest automatic backup offered, and left untouched", async () => {
    const banner = browser.$("#store-banner");
    await banner.waitForDisplayed({ timeout: 20_000 });
    expect(await banner.getText()).toContain("历史数据库无法打开");
    expect(await banner.getText()).toContain("damaged");
    const offer = await browser.$("#restore-offer").getText();
    expect(offer).toContain(`${backupName}（2026-11-20 09:30:00）`);
    expect(readFileSync(db).equals(damaged), "the damaged file is not written to").toBe(true);
  });

  it("is not replaced when the confirmation is cancelled", async () => {
    await browser.$("#restore-start").click();
    await browser.$("#restore-dialog").waitForDisplayed();
    expect(await browser.$("#restore-dialog").getText()).toContain("不会删除");
    await browser.$("#restore-cancel").click();
    await browser.$("#restore-dialog").waitForExist({ reverse: true });
    expect(readFileSync(db).equals(damaged)).toBe(true);
  });

  it("is restored from the backup on confirmation, the damaged file kept beside it", async () => {
    await browser.$("#restore-start").click();
    await browser.$("#restore-confirm").click();
    const done = browser.$("#restore-done");
    await done.waitForDisplayed({ timeout: 20_000 });
    expect(await done.getText()).toContain("原数据库文件未删除");
    const kept = readdirSync(dir).filter((name) => name.startsWith("history.sqlite.before-restore-") && !/-(wal|shm)$/.test(name));
    expect(kept, `files: ${readdirSync(dir).join(", ")}`).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0])).equals(damaged), "kept byte for byte").toBe(true);

    const info = await invoke<{ storeError: string | null; conversations: number | null }>("app_info", {});
    expect(info.storeError).toBeNull();
    expect(info.conversations).toBeGreaterThan(0);
    await showScreen("history");
    await browser.waitUntil(async () => (await browser.$$("#screen-history .hrow:not(.pending)").length) > 0, {
      timeoutMsg: "the restored history is not listed",
    });
  });
});

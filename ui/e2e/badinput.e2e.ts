// The bad-input cases of the CLI's table (tests/badinput.rs) that apply to
// the app, through its real window: a folder of broken, empty, binary,
// oversized and oddly encoded files picked on the Import screen, and odd
// pastes on the Analyze screen. Every file gets its row saying in Chinese
// what happened to it, the good chats in the same folder are stored, and
// nothing stored before is lost. See scripts/e2e.sh.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { analyze, appOn, browser, invoke, screenshotIfFailed, showScreen, startApp } from "./driver";

const dir = mkdtempSync(join(tmpdir(), "buyerlens-e2e-badinput-"));
const db = join(dir, "history.sqlite");

beforeAll(async () => {
  await startApp(appOn(db));
});

afterEach(screenshotIfFailed);

afterAll(async () => {
  await browser?.deleteSession();
  rmSync(dir, { recursive: true, force: true });
});

const conversations = async () => (await invoke<{ conversations: number }>("app_info", {})).conversations;

/** UTF-16LE bytes without a BOM. */
function utf16le(text: string): Buffer {
  return Buffer.from(text, "utf16le");
}

describe("bad input through the app", () => {
  it("imports a folder of bad files: a row for each, the good chats stored", async () => {
    await analyze("买家：这件羊毛衫有货吗 包邮吗\n客服：有货的亲，包邮");
    const before = await conversations();
    expect(before).toBe(1);

    const folder = join(dir, "chats");
    mkdirSync(folder);
    const file = (name: string, bytes: Buffer | string) => writeFileSync(join(folder, name), bytes);
    file("empty.txt", "");
    file("blank.txt", " \n\t\r\n\u3000\n");
    file("photo.txt", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    file("archive.txt", Buffer.from("PK\x03\x04\x14\x00\x00\x00\x00\x00 not text", "latin1"));
    file("report.xlsx", Buffer.from("PK\x03\x04 not really a workbook", "latin1"));
    file("unbalanced.csv", 'id,text\n1,"买家：在吗\n2,买家：包邮吗\n');
    file("chats.jsonl", '{"id":"a","text":"买家：质量怎么样 会掉色吗"}\n{oops\n{"id":"c","text":"买家：什么时候发货 急用"}\n');
    // A chat cut off in the middle of its last character.
    file("cut.txt", Buffer.from("买家：这件毛衣起球吗\n客服：不起球\n买家：好", "utf8").subarray(0, -1));
    file("gbk.txt", execFileSync("iconv", ["-f", "UTF-8", "-t", "GBK"], { input: "买家：能包邮吗？\n客服：亲，包邮哦\n" }));
    file("utf16.txt", utf16le("买家：这双鞋偏码吗？\n客服：亲，正码的\n"));
    file("newlines.csv", 'id,客服,text\n1,小雅,"买家：能开发票吗\n客服：可以的\n买家：好"\n');
    // 200 MB without writing them: over the import limit by its size.
    file("big.txt", "");
    truncateSync(join(folder, "big.txt"), 200 * 1024 * 1024);

    await showScreen("import");
    await browser.execute((paths: string[]) => {
      (window as unknown as { __BUYERLENS_E2E_PICK__: string[] }).__BUYERLENS_E2E_PICK__ = paths;
    }, [folder]);
    await browser.$("button=选择文件夹…").click();
    await browser.waitUntil(async () => (await browser.$("#import-outcome").getText()).includes("导入完成"), {
      timeout: 60_000,
      timeoutMsg: "the import did not finish",
    });
    const rows = await browser.execute(() =>
      [...document.querySelectorAll("#import-outcome tbody tr")].map((row) => ({
        file: (row.querySelector(".path")?.textContent ?? "").split("/").pop(),
        kind: row.getAttribute("data-kind"),
        reason: row.querySelector(".reason")?.textContent ?? "",
        detail: row.querySelector("small")?.textContent ?? "",
      })),
    );
    const row = (name: string) => rows.find((r) => r.file === name);
    const expected: [string, string, string, string][] = [
      ["empty.txt", "no_chat", "没有聊天记录", "no chat in this file"],
      ["blank.txt", "no_chat", "没有聊天记录", "no chat in this file"],
      ["photo.txt", "not_text", "不是文本文件", "PNG image"],
      ["archive.txt", "not_text", "不是文本文件", "zip archive"],
      ["report.xlsx", "broken", "格式有误", "not a readable spreadsheet"],
      ["unbalanced.csv", "broken", "格式有误", "unbalanced quotes"],
      ["chats.jsonl", "skipped", "已跳过", "line 2"],
      ["cut.txt", "damaged", "损坏的字符", "not valid UTF-8"],
      ["big.txt", "too_large", "文件太大", "209715200 bytes"],
    ];
    for (const [name, kind, reason, detail] of expected) {
      const found = row(name);
      expect(found, `${name}: rows ${JSON.stringify(rows)}`).toBeDefined();
      expect(found?.kind, name).toBe(kind);
      expect(found?.reason, name).toContain(reason);
      expect(found?.detail, name).toContain(detail);
      expect(found?.detail, `${name}: the detail does not repeat the path`).not.toContain(folder);
    }
    expect(rows.length, JSON.stringify(rows)).toBe(expected.length);
    // chats.jsonl 2, cut.txt 1, gbk.txt 1, utf16.txt 1, newlines.csv 1
    expect(await browser.$("#import-summary").getText()).toContain("新增对话 6 段");
    expect(await conversations()).toBe(before + 6);
  });

  it("classifies a paste with control characters, bidi marks and emoji around the cues", async () => {
    await showScreen("analyze");
    const pasted = "买家：\u0007在吗，这款能\u202e包邮\u202c吗\u200b？😀便宜点👍🏽\n客服：亲，包邮的哦";
    await analyze(pasted);
    const marks = await browser.$$("#transcript mark.evidence").map((m) => m.getText());
    expect(marks.some((m) => m.includes("包邮")), `evidence: ${marks.join(" | ")}`).toBe(true);
    const motives = await browser.$$("#motives .chip").map((chip) => chip.getAttribute("data-code"));
    expect(motives).toContain("bargain");
  });

  it("says a paste of only whitespace is empty", async () => {
    const before = await conversations();
    await browser.$("#paste").click();
    await browser.keys(["Control", "a"]);
    await browser.keys(["Delete"]);
    await browser.$("#paste").setValue(" \n\t\u3000\n ");
    await browser.keys(["Control", "Enter"]);
    await browser.waitUntil(async () => (await browser.$("#analyze-status").getText()).includes("聊天记录是空的"), {
      timeoutMsg: "the blank paste was not called empty",
    });
    expect(await conversations()).toBe(before);
  });
});

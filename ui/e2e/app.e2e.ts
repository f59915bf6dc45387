// The app as an agent and a supervisor use it: the real window, the real
// shell and core, a fresh database (BUYERLENS_DB). Driven through
// tauri-driver + WebKitWebDriver; see scripts/e2e.sh.

import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { analyze, browser, invoke, readClipboard, showScreen, startApp } from "./driver";

beforeAll(async () => {
  await startApp();
});

// A failed test leaves a picture of the window behind (E2E_ARTIFACTS).
afterEach(async (context) => {
  const dir = process.env.E2E_ARTIFACTS;
  if (dir && context.task.result?.state === "fail") {
    await browser.saveScreenshot(join(dir, `${context.task.name.replace(/\W+/g, "-")}.png`));
  }
});

afterAll(async () => {
  await browser?.deleteSession();
});

describe("analyze", () => {
  it("classifies a pasted chat and shows the buyer", async () => {
    await analyze(
      "lulu_0725 2024-09-16 19:01:31\n这条碎花连衣裙能包邮吗？有优惠券吗\n言衣女装旗舰店:小雅 2024-09-16 19:02:35\n亲，包邮的哦，领券再减10元\nlulu_0725 2024-09-16 19:03:01\n好的 那我拍M码",
    );
    const motives = await browser.$$("#motives .chip").map((chip) => chip.getAttribute("data-code"));
    expect(motives).toContain("bargain");
    expect(await browser.$("#intent").getText()).toBe("购物者");
    const marks = await browser.$$("#transcript mark.evidence").map((m) => m.getText());
    expect(marks.some((m) => m.includes("包邮")), `evidence: ${marks.join(" | ")}`).toBe(true);
    // the tooltip (drawn by CSS from data-rule) names the rule
    const rule = await browser.$("#transcript mark.evidence").getAttribute("data-rule");
    expect(rule).toMatch(/规则 \w+\//);
    // buyer and shop are told apart
    expect(await browser.$$("#transcript .bubble-shop").length).toBeGreaterThan(0);
    expect(await browser.$$("#transcript .bubble-buyer").length).toBeGreaterThan(0);
  });

  it("copies the first reply with Ctrl+1 and counts the use", async () => {
    const first = browser.$("#replies .reply");
    await first.waitForDisplayed();
    const text = await first.$(".reply-text").getText();
    const templateId = Number(await first.getAttribute("data-template-id"));
    await browser.keys(["Control", "1"]);
    await browser.waitUntil(async () => readClipboard() === text, { timeoutMsg: "the reply did not reach the clipboard" });
    const templates = await invoke<{ id: number; useCount: number }[]>("list_templates", {});
    expect(templates.find((t) => t.id === templateId)?.useCount).toBe(1);
  });

  it("shows markup in a chat as text and never runs it", async () => {
    const attack = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';
    await analyze(`买家：${attack}能包邮吗\n客服：亲，包邮的`);
    expect(await browser.$$("#transcript img").length).toBe(0);
    expect(await browser.$$("#transcript script").length).toBe(0);
    const bubble = await browser.$("#transcript .bubble-buyer .bubble-text").getText();
    expect(bubble).toContain(attack);
    expect(await browser.getTitle()).toBe("买家画像 BuyerLens");
  });

  it("says an empty paste is empty", async () => {
    await browser.$("#paste").click();
    await browser.keys(["Control", "a"]);
    await browser.keys(["Delete"]);
    await browser.keys(["Control", "Enter"]);
    await browser.waitUntil(async () => (await browser.$("#analyze-status").getText()).includes("聊天记录是空的"));
  });
});

describe("templates", () => {
  it("suggests a template added in the editor", async () => {
    await showScreen("templates");
    await browser.$("#template-new").click();
    await browser.$("#template-title").setValue("端到端测试话术");
    await browser.$("#template-body").setValue("{买家}您好，{商品}今天下单立减20元并包邮哦");
    // the live preview fills the placeholders with sample values
    await browser.waitUntil(async () => (await browser.$("#template-preview").getText()).includes("小美您好"));
    for (const tag of ["bargain", "discount", "shopper"]) await browser.$(`input[name=tag][value=${tag}]`).click();
    await browser.$("#template-save").click();
    await browser.$("#template-list").$("strong=端到端测试话术").waitForDisplayed();

    await showScreen("analyze");
    await analyze("买家：这款卫衣能便宜点吗？有没有优惠券，包邮吗\n客服：亲，可以领券的");
    const titles = await browser.$$("#replies .reply strong").map((t) => t.getText());
    expect(titles).toContain("端到端测试话术");
  });
});

describe("history", () => {
  it("imports a GBK file and finds it in history", async () => {
    const dir = mkdtempSync(join(tmpdir(), "buyerlens-e2e-"));
    const file = join(dir, "gbk-chat.txt");
    // "买家：这件羊毛衫有货吗\n客服：有货的亲" in GBK, written as bytes
    writeFileSync(file, Buffer.from(execFileSync("iconv", ["-f", "UTF-8", "-t", "GBK"], { input: "买家：这件羊毛衫有货吗\n客服：有货的亲\n" })));
    // The file dialog is native (out of WebDriver's reach): call what it would.
    const summary = await invoke<{ conversationsAdded: number }>("import_paths", { paths: [file] });
    expect(summary.conversationsAdded).toBe(1);
    await showScreen("history");
    await browser.$("#history-search").setValue("羊毛衫");
    await browser.waitUntil(
      async () => {
        // rows of the virtual list are repainted often: read them in one go
        const previews = await browser.execute(() =>
          [...document.querySelectorAll(".vlist .hrow .c-preview")].map((p) => p.textContent ?? ""),
        );
        return previews.length === 1 && previews[0].includes("羊毛衫");
      },
      { timeoutMsg: "the search did not list exactly the imported chat" },
    );
  });

  it("records a correction and counts it in the stats", async () => {
    await browser.$("#history-search").clearValue();
    await browser.$("#history-search").setValue("羊毛衫");
    await browser.$(".vlist .hrow").click();
    const form = browser.$("#correction-form");
    await form.waitForDisplayed();
    const before = await invoke<{ labels: Record<string, number> }>("history_stats", { filter: {} });
    await form.$("input[name=motive][value=aesthetic]").click();
    await form.$("button[type=submit]").click();
    await browser.waitUntil(async () => {
      const after = await invoke<{ labels: Record<string, number> }>("history_stats", { filter: {} });
      return (after.labels.aesthetic ?? 0) === (before.labels.aesthetic ?? 0) + 1;
    }, { timeoutMsg: "the correction did not reach the stats" });
    await browser.$("#history-search").clearValue();
    await browser.$("#history-motive").selectByAttribute("value", "aesthetic");
    await browser.waitUntil(async () => (await browser.$$(".vlist .hrow .badge").length) > 0, {
      timeoutMsg: "the corrected row is not listed under 求美",
    });
  });
});

describe("supervisor PIN", () => {
  it("asks for the PIN before a template edit once one is set", async () => {
    await showScreen("settings");
    await browser.$("#pin-new").setValue("2468");
    await browser.$("#pin-set").click();
    await browser.waitUntil(async () => (await browser.$("#pin-state").getText()).startsWith("已设置主管 PIN"));
    // setting a PIN does not unlock: the edit asks for it
    await showScreen("templates");
    await browser.$(".template-item").click();
    await browser.$("#template-title").setValue("改过的标题");
    await browser.$("#template-save").click();
    const pin = browser.$("#pin-input");
    await pin.waitForDisplayed();
    await pin.setValue("1357");
    await browser.$("#pin-ok").click();
    await browser.waitUntil(async () => (await browser.$("#pin-dialog .error").getText()) === "PIN 不正确。", {
      timeout: 20_000,
    });
    await pin.setValue("2468");
    await browser.$("#pin-ok").click();
    await browser.$("#template-list").$("strong=改过的标题").waitForDisplayed({ timeout: 20_000 });
  });
});

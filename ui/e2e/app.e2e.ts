// The app as an agent and a supervisor use it: the real window, the real
// shell and core, a fresh database (BUYERLENS_DB). Driven through
// tauri-driver + WebKitWebDriver; see scripts/e2e.sh.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { analyze, browser, invoke, readClipboard, screenshotIfFailed, showScreen, startApp } from "./driver";

beforeAll(async () => {
  await startApp();
});

// A failed test leaves a picture of the window behind (E2E_ARTIFACTS).
afterEach(screenshotIfFailed);

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
    // The stored result reads back whole: its evidence names its rules
    // (stored by number since schema 5).
    const rule = await browser.$(".detail-transcript mark.evidence").getAttribute("data-rule");
    expect(rule).toMatch(/规则 \w+\//);
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

describe("history export", () => {
  it("writes the filtered rows to a CSV and an xlsx file and shows the total", async () => {
    await showScreen("history");
    await browser.$("#history-search").clearValue();
    await browser.$("#history-motive").selectByAttribute("value", "");
    const total = await invoke<number>("count_history", { filter: {} });
    expect(total).toBeGreaterThan(0);
    await browser.waitUntil(async () => (await browser.$("#history-total").getText()) === `共 ${total} 条`, {
      timeoutMsg: "the total of the unfiltered history is not shown",
    });
    const dir = mkdtempSync(join(tmpdir(), "buyerlens-export-"));
    const csv = join(dir, "历史.csv");
    // the save dialog is native (out of WebDriver's reach): the page takes this path instead
    await browser.execute((path: string) => {
      (window as unknown as { __BUYERLENS_E2E_PICK__: string }).__BUYERLENS_E2E_PICK__ = path;
    }, csv);
    await browser.$("#history-export-csv").click();
    await browser.waitUntil(async () => (await browser.$("#toasts").getText()).includes(`已导出 ${total} 条`), {
      timeoutMsg: "no toast says the rows were exported",
    });
    const text = readFileSync(csv, "utf8");
    expect(text.charCodeAt(0)).toBe(0xfeff);
    // a header line, then one line per row (no chat text here spans lines: the preview is one line)
    expect(text.trim().split("\n").length).toBe(total + 1);
    expect(text).toContain("羊毛衫");

    const xlsx = join(dir, "历史.xlsx");
    await browser.execute((path: string) => {
      (window as unknown as { __BUYERLENS_E2E_PICK__: string }).__BUYERLENS_E2E_PICK__ = path;
    }, xlsx);
    await browser.$("#history-export-xlsx").click();
    await browser.waitUntil(() => existsSync(xlsx) && statSync(xlsx).size > 0, { timeoutMsg: "no xlsx written" });
    expect(readFileSync(xlsx).subarray(0, 2).toString()).toBe("PK");
  });
});

// Markup typed or imported anywhere is shown as text: no element is made
// from it and no script of it runs (an alert would block the session).
describe("markup in data is never run", () => {
  const img = "<img src=x onerror=alert('xss')>";
  const script = "<script>alert('xss')</script>";

  beforeAll(async () => {
    // count alerts instead of showing them (an open one would also fail every later command)
    await browser.execute(() => {
      const w = window as unknown as { __alerts: number; alert: (m?: unknown) => void };
      w.__alerts = 0;
      w.alert = () => void (w.__alerts += 1);
    });
  });

  async function assertNothingInjected(): Promise<void> {
    const { injected, alerts } = await browser.execute(() => ({
      injected: document.querySelectorAll('img[src="x"], script:not([src]), iframe, object, embed').length,
      alerts: (window as unknown as { __alerts: number }).__alerts,
    }));
    expect(injected, "no element was made from the data").toBe(0);
    expect(alerts, "no script of the data ran").toBe(0);
    expect(await browser.getTitle()).toBe("买家画像 BuyerLens");
  }

  it("in a template's title and body", async () => {
    await showScreen("templates");
    await browser.$("#template-new").click();
    await browser.$("#template-title").setValue(`标题${img}`);
    await browser.$("#template-body").setValue(`{买家}您好${script}${img}包邮哦`);
    await browser.waitUntil(async () => (await browser.$("#template-preview").getText()).includes(script), {
      timeoutMsg: "the preview does not show the markup as text",
    });
    expect(await browser.$("#template-preview").getText()).toContain(img);
    for (const tag of ["bargain", "shopper"]) await browser.$(`input[name=tag][value=${tag}]`).click();
    await browser.$("#template-save").click();
    await browser.$("#template-list").$(`strong=标题${img}`).waitForDisplayed();
    await assertNothingInjected();
  });

  it("in a lexicon cue and the phrase tried against it", async () => {
    await showScreen("lexicon");
    await browser.waitUntil(async () => (await browser.$("#lexicon-source").getValue()).includes("[labels.practical"), {
      timeout: 20_000,
    });
    await browser.execute((cue: string) => {
      const source = document.querySelector<HTMLTextAreaElement>("#lexicon-source")!;
      const entry = `cue = ${JSON.stringify(cue)}\nmeans = ${JSON.stringify(cue)}\n`;
      source.value = source.value.includes("[[labels.practical.cues]]")
        ? `${source.value}\n[[labels.practical.cues]]\n${entry}`
        : source.value.replace(/\[labels\.practical\]\s*cues = \[/, (m) => `${m}\n  { ${entry.trim().replace("\n", ", ")} },`);
      source.dispatchEvent(new Event("input"));
    }, img);
    await browser.$("#lexicon-phrase").setValue(`买家说${img}${script}`);
    // (a debug build takes seconds to compile a lexicon)
    await browser.waitUntil(async () => (await browser.$("#lexicon-matches").getText()).includes(img), {
      timeout: 30_000,
      timeoutMsg: "the matched cue is not shown as text",
    });
    await assertNothingInjected();
  });

  it("in an imported file's name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "buyerlens-e2e-names-"));
    // a name cannot hold "/", so the script payload goes in without its closing tag
    const name = `${img}<script>alert('xss').txt`;
    writeFileSync(join(dir, name), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0xff, 0]));
    await showScreen("import");
    await browser.execute((paths: string[]) => {
      (window as unknown as { __BUYERLENS_E2E_PICK__: string[] }).__BUYERLENS_E2E_PICK__ = paths;
    }, [dir]);
    await browser.$("button=选择文件夹…").click();
    await browser.waitUntil(async () => (await browser.$("#import-outcome").getText()).includes("导入完成"), {
      timeoutMsg: "the import did not finish",
    });
    const failed = await browser.$$("#import-outcome td.path").map((td) => td.getText());
    expect(failed.some((path) => path.includes(name)), `failed files: ${failed.join(" | ")}`).toBe(true);
    await assertNothingInjected();
  });
});

describe("import", () => {
  it("cancels a big import part-way and keeps the committed batches", async () => {
    const dir = mkdtempSync(join(tmpdir(), "buyerlens-e2e-big-"));
    mkdirSync(join(dir, "chats"));
    const files = 40;
    const perFile = 1000;
    for (let f = 0; f < files; f++) {
      const lines = [];
      for (let i = 0; i < perFile; i++) {
        const n = f * perFile + i;
        lines.push(JSON.stringify({ id: `big-${n}`, text: `买家：第${n}号连衣裙能包邮吗，有优惠券吗\n客服：亲，第${n}号包邮的哦` }));
      }
      writeFileSync(join(dir, "chats", `chats-${String(f).padStart(2, "0")}.jsonl`), lines.join("\n") + "\n");
    }
    const before = await invoke<number>("count_history", { filter: {} });
    await showScreen("import");
    await browser.execute((paths: string[]) => {
      (window as unknown as { __BUYERLENS_E2E_PICK__: string[] }).__BUYERLENS_E2E_PICK__ = paths;
    }, [join(dir, "chats")]);
    await browser.$("button=选择文件夹…").click();
    // cancel once the first batches are in
    await browser.waitUntil(async () => /新增对话 [1-9]/.test(await browser.$("#import-counts").getText()), {
      timeout: 60_000,
      timeoutMsg: "no progress was shown",
    });
    expect(await browser.$("#import-cancel").isEnabled()).toBe(true);
    await browser.$("#import-cancel").click();
    await browser.waitUntil(async () => (await browser.$("#import-outcome h3").getText()).startsWith("导入已取消"), {
      timeout: 60_000,
      timeoutMsg: "the import did not say it was cancelled",
    });
    const summary = await browser.$("#import-summary").getText();
    const added = Number(/新增对话 (\d+) 段/.exec(summary)?.[1]);
    expect(added, summary).toBeGreaterThan(0);
    expect(added, "cancelled before the end").toBeLessThan(files * perFile);
    const after = await invoke<number>("count_history", { filter: {} });
    expect(after - before, "what was committed stays, and nothing more").toBe(added);
    expect(await browser.$("#import-cancel").isEnabled()).toBe(false);
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

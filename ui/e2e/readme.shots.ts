// README screenshots from the real window (scripts/screenshots.sh): the X
// display is captured with ImageMagick's `import`, so what is saved is what
// a person would see. SHOTS_DIR is where they go; SHOTS_SUFFIX tells the
// light and the dark run apart; SHOTS_CORPUS (optional) is a JSONL file of
// chats to import so History has something to show.

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, it } from "vitest";

import { analyze, browser, invoke, showScreen, startApp } from "./driver";

const DIR = process.env.SHOTS_DIR ?? "shots";
const SUFFIX = process.env.SHOTS_SUFFIX ?? "";
const CORPUS = process.env.SHOTS_CORPUS;

function shoot(name: string): void {
  mkdirSync(DIR, { recursive: true });
  execFileSync("import", ["-window", "root", join(DIR, `${name}${SUFFIX}.png`)]);
}

async function settle(): Promise<void> {
  // let charts and fonts finish painting
  await browser.pause(600);
}

const CHAT = `lulu_0725 2024-09-16 19:01:31
在吗 这条碎花连衣裙 165 110斤穿什么码
言衣女装旗舰店:小雅 2024-09-16 19:02:35
亲在的呢~ 165/110斤建议M码哦，版型是正常偏修身的
lulu_0725 2024-09-16 19:04:06
腰那里收不收 我小肚子有点明显 想穿着显瘦一点
言衣女装旗舰店:小雅 2024-09-16 19:04:53
亲腰部是松紧设计的，可以遮肚子哦，上身很显瘦的
lulu_0725 2024-09-16 19:05:01
面料是雪纺吗 会起球不 能包邮吗
言衣女装旗舰店:小雅 2024-09-16 19:05:19
亲是聚酯纤维雪纺，不起球的，全店包邮哦
lulu_0725 2024-09-16 19:07:49
有运费险吧 不合适的话我好退`;

beforeAll(async () => {
  const started = performance.now();
  await startApp();
  // An upper bound of cold start: it includes WebKitWebDriver's own start.
  console.log(`start to interactive window (via WebDriver): ${Math.round(performance.now() - started)} ms`);
  if (CORPUS && existsSync(CORPUS)) {
    await invoke("import_paths", { paths: [CORPUS] });
    // A supervisor's corrections (the corpus' own labels) for the first
    // chats, so the Lexicon screen has eval figures to show.
    const examples = readFileSync(CORPUS, "utf8")
      .split("\n")
      .filter((line) => line.trim())
      .slice(0, 60)
      .map((line) => JSON.parse(line) as { text: string; labels: Record<string, unknown> });
    for (const { text, labels } of examples) {
      const { conversationId } = await invoke<{ conversationId: number }>("classify_transcript", { text, agent: null });
      await invoke("correct_labels", { id: conversationId, correction: { ...labels, who: "主管", note: null } });
    }
  }
});

afterAll(async () => {
  await browser?.deleteSession();
});

it("measures paste to result for a 50-message chat", async () => {
  const lines = CHAT.split("\n");
  const fifty = Array.from({ length: 50 }, (_, i) => lines.slice((i % 6) * 2, (i % 6) * 2 + 2).join("\n")).join("\n");
  const figures: number[] = [];
  for (let run = 0; run < 7; run++) {
    await analyze(`${fifty}\n买家：第${run}次`);
    figures.push(Number(await browser.$("#analyze-status").getAttribute("data-ms")));
  }
  figures.sort((a, b) => a - b);
  const messages = await browser.$$("#transcript li").length;
  console.log(`paste to result on screen, ${messages} messages: median ${figures[3]} ms (min ${figures[0]}, max ${figures[6]})`);
});

it("takes the README screenshots", async () => {
  await analyze(CHAT);
  await browser.$("#transcript mark.evidence").moveTo();
  await settle();
  shoot("analyze");

  await showScreen("history");
  await browser.waitUntil(async () => (await browser.$$(".vlist .hrow").length) > 0);
  await browser.$(".vlist .hrow").click();
  await browser.$("#correction-form").waitForDisplayed();
  await settle();
  shoot("history");

  await showScreen("templates");
  await browser.$(".template-item").click();
  await settle();
  shoot("templates");

  await showScreen("lexicon");
  await browser.$("#lexicon-phrase").setValue("这件衣服会不会起球，能便宜点吗");
  await browser.waitUntil(async () => (await browser.$$("#lexicon-matches li").length) > 0, { timeout: 30_000 });
  await browser.$("#lexicon-eval-table").waitForDisplayed({ timeout: 60_000 });
  await settle();
  shoot("lexicon");

  await showScreen("import");
  // an import through the screen (the native dialog's answer handed over):
  // chats already stored count as repeats, a picture renamed .txt fails
  const folder = mkdtempSync(join(tmpdir(), "buyerlens-shots-"));
  if (CORPUS && existsSync(CORPUS)) copyFileSync(CORPUS, join(folder, "千牛导出-9月.jsonl"));
  writeFileSync(join(folder, "截图.txt"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0xff, 0]));
  writeFileSync(join(folder, "新客户.txt"), "买家：这款保温杯能装开水吗？明天能到吗\n客服：可以的亲，今天下午发货");
  await browser.execute((paths: string[]) => {
    (window as unknown as { __BUYERLENS_E2E_PICK__: string[] }).__BUYERLENS_E2E_PICK__ = paths;
  }, [folder]);
  await browser.$("button=选择文件夹…").click();
  await browser.$("#import-summary").waitForDisplayed({ timeout: 60_000 });
  await settle();
  shoot("import");

  await showScreen("settings");
  await settle();
  shoot("settings");
});

// The app and the CLI writing one database at once: the CLI imports in
// transactions of two chats and adds templates, while the app imports a
// file of its own and stores pastes. Neither says the database is locked or busy, both
// finish, and everything each of them wrote is there. See scripts/e2e.sh
// (it sets BUYERLENS_CLI).

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { analyze, appOn, browser, importInPage, invoke, screenshotIfFailed, startApp, startImportInPage } from "./driver";

const dir = mkdtempSync(join(tmpdir(), "buyerlens-e2e-concurrent-"));
const db = join(dir, "history.sqlite");

interface Finished {
  code: number | null;
  stderr: string;
}

/** Runs the CLI on the app's database. */
function cli(args: string[]): Promise<Finished> {
  const binary = process.env.BUYERLENS_CLI;
  if (!binary) throw new Error("BUYERLENS_CLI must name the CLI binary (scripts/e2e.sh sets it)");
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["--db", db, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

/** `count` distinct chats as JSONL, each naming `who` and its number. */
function chats(who: string, count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) {
    const text = `买家：${who}第${i}位 这件羊毛衫有货吗 能便宜点吗\n客服：有货的亲，可以领券`;
    out += JSON.stringify({ id: `${who}-${i}`, text }) + "\n";
  }
  return out;
}

beforeAll(async () => {
  await startApp(appOn(db));
});

afterEach(screenshotIfFailed);

afterAll(async () => {
  await browser?.deleteSession();
  rmSync(dir, { recursive: true, force: true });
});

describe("the app and the CLI on one database", () => {
  it("both write at once; nothing is locked and nothing is lost", async () => {
    const templatesBefore = (await invoke<unknown[]>("list_templates", {})).length;
    const appFile = join(dir, "app.jsonl");
    writeFileSync(appFile, chats("应用", 300));

    // The CLI imports file after file, in transactions of two chats, until
    // the app has done all its writing: whatever the machine's speed, the
    // app always writes while the CLI does.
    let appDone = false;
    const cliImports = (async () => {
      const done: Finished[] = [];
      for (let round = 0; !appDone || round < 2; round++) {
        const file = join(dir, `cli-${round}.jsonl`);
        writeFileSync(file, chats(`命令行${round}-`, 200));
        done.push(await cli(["import", "--batch", "2", file]));
      }
      return done;
    })();
    const cliTemplates = (async () => {
      const done: Finished[] = [];
      for (let i = 0; i < 8; i++) {
        done.push(await cli(["templates", "add", "--title", `并发${i}`, "--body", `亲，第${i}条回复`, "--tags", "bargain"]));
      }
      return done;
    })();

    // The pastes below go on while the app's import writes.
    await startImportInPage([appFile]);
    for (let i = 0; i < 5; i++) {
      await analyze(`买家：第${i}次粘贴 这件有货吗 包邮吗\n客服：有的亲`);
    }
    await browser.waitUntil(async () => (await importInPage()) !== null, {
      timeout: 60_000,
      timeoutMsg: "the app's import did not finish",
    });
    appDone = true;
    const appImport = await importInPage();
    expect(appImport).toMatchObject({ conversationsAdded: 300, duplicates: 0, errors: [] });
    expect(await browser.$("#analyze-status").getText()).toMatch(/^已分析/);

    const [imports, templates] = await Promise.all([cliImports, cliTemplates]);
    for (const run of [...imports, ...templates]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/locked|busy/i);
    }

    const info = await invoke<{ conversations: number; storeError: string | null }>("app_info", {});
    expect(info.storeError).toBeNull();
    expect(info.conversations).toBe(200 * imports.length + 300 + 5);
    expect((await invoke<unknown[]>("list_templates", {})).length).toBe(templatesBefore + 8);
  });
});

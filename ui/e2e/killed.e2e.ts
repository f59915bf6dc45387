// The app killed (SIGKILL) in the middle of an import: the next start
// checks the database behind its cover and opens it; it holds the batches
// committed before the kill, whole, and importing the file again adds
// exactly the rest. See scripts/e2e.sh.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alive, appOn, browser, importInPage, invoke, startApp, startImportInPage, until } from "./driver";

const dir = mkdtempSync(join(tmpdir(), "buyerlens-e2e-killed-"));
const db = join(dir, "history.sqlite");
// Enough that the import is still running when the first batch is in.
const CHATS = 40_000;
// What the app's import writes per transaction into a small database
// (`import::automatic_batch_size`).
const BATCH = 2_000;

afterAll(async () => {
  await browser?.deleteSession().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

interface Info {
  checking: boolean;
  storeError: string | null;
  conversations: number;
}

describe("the app killed during an import", () => {
  it("starts again with the committed batches, and a re-import adds the rest", async () => {
    const file = join(dir, "chats.jsonl");
    let lines = "";
    for (let i = 0; i < CHATS; i++) {
      const text = `买家：第${i}位 这件羊毛衫有货吗 能便宜点吗\n客服：有货的亲，可以领券`;
      lines += JSON.stringify({ id: i, text }) + "\n";
    }
    writeFileSync(file, lines);
    const pidFile = join(dir, "app.pid");
    const app = appOn(db, { pidFile });
    await startApp(app);

    await startImportInPage([file]);
    let committed = 0;
    await browser.waitUntil(
      async () => {
        committed = (await invoke<Info>("app_info", {})).conversations;
        return committed > 0;
      },
      { timeout: 60_000, interval: 50, timeoutMsg: "no batch was committed" },
    );
    expect(await importInPage(), "the import is still running when the app is killed").toBeNull();
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    process.kill(pid, "SIGKILL");
    await until(() => !alive(pid), 10_000);
    expect(alive(pid)).toBe(false);
    await browser.deleteSession().catch(() => undefined);

    await startApp(app);
    await browser.$("#store-checking").waitForDisplayed({ reverse: true, timeout: 60_000 });
    const after = await invoke<Info>("app_info", {});
    expect(after.storeError).toBeNull();
    expect(after.checking).toBe(false);
    expect(after.conversations).toBeGreaterThanOrEqual(committed);
    expect(after.conversations).toBeLessThan(CHATS);
    expect(after.conversations % BATCH, "whole batches only").toBe(0);

    await browser.setTimeout({ script: 300_000 });
    const again = await invoke<{ conversationsAdded: number; duplicates: number; errors: unknown[] }>(
      "import_paths",
      { paths: [file] },
    );
    expect(again).toMatchObject({ conversationsAdded: CHATS - after.conversations, duplicates: after.conversations, errors: [] });
    expect((await invoke<Info>("app_info", {})).conversations).toBe(CHATS);
  });
});

// Ending the app cleanly closes its database: SQLite folds the -wal file
// in and removes it, so the next start is not taken for a recovery after
// a crash (which checks every page of the file: about a minute for a
// million conversations). SIGTERM (logout, shutdown) ends the app through
// its event loop as closing the window does, so both reach the same
// `RunEvent::Exit`. See scripts/e2e.sh.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alive, analyze, appOn, browser, startApp, until } from "./driver";

const dir = mkdtempSync(join(tmpdir(), "buyerlens-e2e-exit-"));
const db = join(dir, "history.sqlite");

afterAll(async () => {
  await browser?.deleteSession().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("ending the app", () => {
  it("closes the database on SIGTERM, leaving no -wal file", async () => {
    const pidFile = join(dir, "app.pid");
    await startApp(appOn(db, { pidFile }));
    await analyze("买家：这件羊毛衫有货吗？能包邮吗\n客服：有货的亲，包邮");
    expect(existsSync(`${db}-wal`), "the open database has a -wal file").toBe(true);
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    process.kill(pid, "SIGTERM");
    await until(() => !alive(pid) && !existsSync(`${db}-wal`), 20_000);
    expect(alive(pid), "the app ended").toBe(false);
    expect(existsSync(`${db}-wal`), "the -wal file is gone: the database was closed").toBe(false);
    expect(existsSync(db)).toBe(true);
  });
});

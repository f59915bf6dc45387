// Shared by the end-to-end tests and the screenshot script: a WebdriverIO
// session on the real app through tauri-driver, and the steps an agent takes.

import { execFileSync, spawn } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { remote } from "webdriverio";

const APP = process.env.BUYERLENS_APP;
const DRIVER_PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);

export let browser: WebdriverIO.Browser;

/** Puts text on the X clipboard (xclip keeps serving it in the background). */
export function setClipboard(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const xclip = spawn("xclip", ["-selection", "clipboard", "-i"], { stdio: ["pipe", "ignore", "inherit"] });
    xclip.on("error", reject);
    xclip.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`xclip exited ${code}`))));
    xclip.stdin.end(text);
  });
}

export function readClipboard(): string {
  return execFileSync("xclip", ["-selection", "clipboard", "-o"], { encoding: "utf8" });
}

/** Calls a command of the real shell from the page (for what a native dialog would do). */
export async function invoke<T>(cmd: string, args: Record<string, unknown>): Promise<T> {
  return browser.executeAsync(
    (cmd: string, args: Record<string, unknown>, done: (v: unknown) => void) => {
      (window as unknown as { __TAURI_INTERNALS__: { invoke: (c: string, a: unknown) => Promise<unknown> } }).__TAURI_INTERNALS__
        .invoke(cmd, args)
        .then(done, (e: unknown) => done({ error: e }));
    },
    cmd,
    args,
  ) as Promise<T>;
}

export async function analyze(text: string): Promise<void> {
  const before = await browser.$("#analyze-status").getText();
  await setClipboard(text);
  const paste = browser.$("#paste");
  await paste.click();
  await browser.keys(["Control", "a"]);
  await browser.keys(["Control", "v"]);
  await browser.waitUntil(async () => {
    const status = await browser.$("#analyze-status").getText();
    return status !== before && status.startsWith("已分析");
  }, { timeoutMsg: "pasting did not classify" });
}

export async function showScreen(id: string): Promise<void> {
  await browser.$(`#tab-${id}`).click();
  await browser.$(`#screen-${id}`).waitForDisplayed();
}

/** Waits until `done()` holds, at most `ms` (then returns all the same). */
export async function until(done: () => boolean, ms: number): Promise<void> {
  const start = Date.now();
  while (!done() && Date.now() - start < ms) await new Promise((r) => setTimeout(r, 200));
}

/** Whether the process `pid` is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The built app binary (scripts/e2e.sh sets BUYERLENS_APP). */
export function appBinary(): string {
  if (!APP) throw new Error("BUYERLENS_APP must name the built app binary (scripts/e2e.sh sets it)");
  return APP;
}

/**
 * Writes a script beside `db` that starts the app on that database, with
 * `env` set besides, and returns its path: tauri-driver starts the program
 * it is given, so this is how a test picks the app's database. With
 * `pidFile`, the script writes its pid there first; `exec` keeps it, so it
 * is the app's.
 */
export function appOn(db: string, options: { name?: string; env?: Record<string, string>; pidFile?: string } = {}): string {
  const script = join(dirname(db), options.name ?? "app.sh");
  const env = Object.entries({ BUYERLENS_DB: db, ...options.env })
    .map(([key, value]) => `${key}='${value}'`)
    .join(" ");
  const pid = options.pidFile ? `echo $$ > '${options.pidFile}'\n` : "";
  writeFileSync(script, `#!/bin/sh\n${pid}${env} exec '${appBinary()}' "$@"\n`);
  chmodSync(script, 0o755);
  return script;
}

/** For `afterEach`: a failed test leaves a picture of the window in E2E_ARTIFACTS. */
export async function screenshotIfFailed(context: { task: { name: string; result?: { state?: string } } }): Promise<void> {
  const artifacts = process.env.E2E_ARTIFACTS;
  if (artifacts && context.task.result?.state === "fail") {
    await browser.saveScreenshot(join(artifacts, `${context.task.name.replace(/\W+/g, "-")}.png`));
  }
}

/**
 * Starts `import_paths` from the page without waiting for it, so that the
 * WebDriver session is free for other steps while it runs; its summary is
 * then read with {@link importInPage}.
 */
export async function startImportInPage(paths: string[]): Promise<void> {
  await browser.execute((paths: string[]) => {
    const page = window as unknown as {
      e2eImport?: unknown;
      __TAURI_INTERNALS__: { invoke: (c: string, a: unknown) => Promise<unknown> };
    };
    page.e2eImport = undefined;
    page.__TAURI_INTERNALS__
      .invoke("import_paths", { paths })
      .then((summary) => (page.e2eImport = summary), (error: unknown) => (page.e2eImport = { error }));
  }, paths);
}

/** What the import of {@link startImportInPage} returned; null while it runs. */
export async function importInPage<T>(): Promise<T | null> {
  // WebDriver returns undefined as null
  return browser.execute(() => (window as unknown as { e2eImport?: unknown }).e2eImport ?? null) as Promise<T | null>;
}

/**
 * Starts the app (BUYERLENS_APP, or `application`: e.g. a script that sets
 * another BUYERLENS_DB and execs it) through tauri-driver and waits for the
 * Analyze screen.
 */
export async function startApp(application: string = appBinary()): Promise<WebdriverIO.Browser> {
  browser = await remote({
    hostname: "127.0.0.1",
    port: DRIVER_PORT,
    logLevel: "warn",
    capabilities: {
      "tauri:options": { application },
      "wdio:enforceWebDriverClassic": true,
    } as WebdriverIO.Capabilities,
  });
  await browser.$("#paste").waitForDisplayed({ timeout: 30_000 });
  return browser;
}

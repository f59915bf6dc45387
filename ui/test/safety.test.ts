import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const src = join(__dirname, "..", "src");

describe("source rules", () => {
  // Chat text must never be parsed as HTML: no HTML-string sinks anywhere in the UI.
  it("uses no HTML string sinks", () => {
    const sinks = /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment/;
    const offenders = sources(src).filter((path) => sinks.test(readFileSync(path, "utf8")));
    expect(offenders).toEqual([]);
  });

  // api.ts is the only module that imports @tauri-apps packages.
  it("imports Tauri only in api.ts", () => {
    const offenders = sources(src).filter(
      (path) => !path.endsWith("api.ts") && /from\s+["']@tauri-apps\//.test(readFileSync(path, "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});

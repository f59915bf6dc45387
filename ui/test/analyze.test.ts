import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { analyzeScreen } from "../src/screens/analyze";
import { analysis } from "./fixtures";

type Call = [string, Record<string, unknown>];

let keys = new AbortController();

function mount() {
  const screen = analyzeScreen();
  document.body.replaceChildren(screen.root);
  document.addEventListener("keydown", (ev) => screen.onKey?.(ev), { signal: keys.signal });
  return screen;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

let calls: Call[] = [];
beforeEach(() => {
  calls = [];
  localStorage.clear();
});
afterEach(() => {
  keys.abort();
  keys = new AbortController();
  clearMocks();
  document.body.replaceChildren();
});

describe("analyze screen", () => {
  // Pasting classifies the pasted text without a click.
  it("classifies on paste and shows the profile", async () => {
    mockIPC((cmd, args) => {
      calls.push([cmd, args as Record<string, unknown>]);
      return analysis();
    });
    mount();
    const paste = document.getElementById("paste") as HTMLTextAreaElement;
    paste.value = "买家：能包邮吗";
    paste.dispatchEvent(new Event("paste"));
    await settle();
    expect(calls).toEqual([["classify_transcript", { text: "买家：能包邮吗", agent: null }]]);
    const motives = [...document.querySelectorAll("#motives .chip")].map((c) => c.firstChild?.textContent);
    expect(motives).toEqual(["求廉", "求名"]);
    expect(document.querySelector("#intent")?.textContent).toBe("购物者");
    expect(document.querySelector("#topics")?.textContent).toBe("发货物流");
    expect(document.querySelectorAll("#transcript mark")).toHaveLength(2);
    expect(document.getElementById("analyze-status")?.textContent).toContain("已保存 #7");
  });

  // Ctrl+Enter classifies again with the chosen agent.
  it("classifies on Ctrl+Enter with the agent", async () => {
    localStorage.setItem("buyerlens.currentAgent", "小雅");
    mockIPC((cmd, args) => {
      if (cmd === "list_agents") return ["小王", "小雅"];
      calls.push([cmd, args as Record<string, unknown>]);
      return analysis();
    });
    mount().onShow?.();
    await settle();
    (document.getElementById("paste") as HTMLTextAreaElement).value = "在吗";
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true }));
    await settle();
    expect(calls).toEqual([["classify_transcript", { text: "在吗", agent: "小雅" }]]);
  });

  // An error is shown in Chinese by its kind, and the old result is not shown as new.
  it("shows an empty paste as a clear message", async () => {
    mockIPC(() => {
      throw { kind: "empty_input", message: "the transcript is empty" };
    });
    mount();
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true }));
    await settle();
    const status = document.getElementById("analyze-status")!;
    expect(status.className).toContain("error");
    expect(status.textContent).toContain("聊天记录是空的");
  });

  // Ctrl+2 copies the second suggested reply and records its use.
  it("copies the n-th reply with Ctrl+digit", async () => {
    mockIPC((cmd, args) => {
      calls.push([cmd, args as Record<string, unknown>]);
      return cmd === "classify_transcript" ? analysis() : null;
    });
    mount();
    (document.getElementById("paste") as HTMLTextAreaElement).value = "能包邮吗";
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true }));
    await settle();
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "2", ctrlKey: true }));
    await settle();
    const names = calls.map((c) => c[0]);
    expect(names).toEqual(["classify_transcript", "plugin:clipboard-manager|write_text", "record_template_use"]);
    expect(JSON.stringify(calls[1][1])).toContain("假一赔十");
    expect(calls[2][1]).toEqual({ templateId: 12, conversationId: 7 });
  });

  // Replies, titles and reasons are text: markup in a template body stays literal.
  it("renders template text literally", async () => {
    mockIPC(() =>
      analysis({ templates: [{ id: 1, title: "<b>t</b>", text: "<img src=x onerror=alert(1)>", why: "<i>w</i>" }] }),
    );
    mount();
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true }));
    await settle();
    const replies = document.getElementById("replies")!;
    expect(replies.querySelector("img, b, i")).toBeNull();
    expect(replies.querySelector(".reply-text")?.textContent).toBe("<img src=x onerror=alert(1)>");
  });

  // A slow answer to an older request must not overwrite the newer result.
  it("drops stale answers", async () => {
    let release: (v: unknown) => void = () => undefined;
    let n = 0;
    mockIPC(() => {
      n++;
      if (n === 1) return new Promise((r) => (release = r));
      return analysis({ conversationId: 2 });
    });
    mount();
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true }));
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true }));
    await settle();
    release(analysis({ conversationId: 1 }));
    await settle();
    expect(document.getElementById("analyze-status")?.textContent).toContain("已保存 #2");
  });
});

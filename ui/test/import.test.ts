import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import { importScreen, PROBLEM } from "../src/screens/import";
import type { ImportSummary } from "../src/types";

afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
}

const attack = "<img src=x onerror=alert(1)>";

const summary: ImportSummary = {
  files: 4,
  conversationsAdded: 3,
  duplicates: 1,
  errors: [
    { path: "/chats/photo.txt", kind: "not_text", message: "this is not a text file (it looks like a PNG image)" },
    { path: "/chats/chats.jsonl", kind: "skipped", message: "line 2: not JSON (EOF while parsing)" },
    { path: `/chats/${attack}.txt`, kind: "no_chat", message: `no chat in this file ${attack}` },
  ],
  cancelled: false,
};

describe("import screen", () => {
  // Each problem row says in Chinese what happened to the file, with the
  // shell's message under it; names and messages are text, never markup.
  it("says what each problem means, in Chinese, with the detail", async () => {
    mockIPC((cmd) => {
      if (cmd === "import_paths") return summary;
      if (cmd === "plugin:event|listen") return 1;
      return null;
    });
    const screen = importScreen();
    document.body.appendChild(screen.root);
    screen.onDrop?.(["/chats"]);
    await settle();

    expect(document.querySelector("#import-summary")?.textContent).toBe(
      "处理文件 4 个，新增对话 3 段，重复 1 段，问题 3 条。",
    );
    const rows = [...document.querySelectorAll("#import-outcome tbody tr")];
    expect(rows.map((r) => r.getAttribute("data-kind"))).toEqual(["not_text", "skipped", "no_chat"]);
    expect(rows[0].querySelector(".reason")?.textContent).toBe(PROBLEM.not_text);
    expect(rows[1].querySelector(".reason")?.textContent).toBe("其中一段有误，已跳过；其余已导入");
    expect(rows[1].querySelector("small")?.textContent).toBe("line 2: not JSON (EOF while parsing)");
    expect(rows[2].querySelector(".path")?.textContent).toBe(`/chats/${attack}.txt`);
    expect(document.querySelector("#import-outcome img")).toBeNull();
  });
});

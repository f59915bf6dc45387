// 导入: files, folders or drag-and-drop; progress with counts; cancel; the
// files that failed and why. The work runs in the shell, off the UI thread.

import {
  cancelImport,
  importPaths,
  onImportProgress,
  pickImportFiles,
} from "../api";
import { h, replace } from "../dom";
import { describeError } from "../errors";
import type { ImportProblemKind, ImportProgress, ImportSummary } from "../types";
import type { Screen } from "./screen";

/** What each kind of import problem means for the agent. */
export const PROBLEM: Record<ImportProblemKind, string> = {
  too_large: "文件太大，未导入：请拆分后再导入",
  not_text: "不是文本文件（图片、压缩包等），未导入",
  unreadable: "无法读取（文件不存在或没有权限），未导入",
  broken: "文件格式有误，未导入",
  skipped: "其中一段有误，已跳过；其余已导入",
  no_chat: "文件里没有聊天记录（空文件，或只有空行、表头）",
  damaged: "文件有损坏的字符（已用 � 代替），对话已导入",
};

export function importScreen(): Screen {
  let running = false;
  const bar = h("progress", { id: "import-progress", max: 1, value: 0 });
  const counts = h("div", { class: "counts", id: "import-counts", role: "status" });
  const outcome = h("div", { class: "outcome", id: "import-outcome" });
  const cancel = h("button", { type: "button", id: "import-cancel", disabled: true, on: { click: () => void cancelImport() } }, "取消导入");
  const pickFiles = h("button", { type: "button", class: "primary", on: { click: () => void pick(false) } }, "选择文件…");
  const pickFolder = h("button", { type: "button", on: { click: () => void pick(true) } }, "选择文件夹…");
  const drop = h(
    "div",
    { class: "dropzone", id: "dropzone" },
    h("strong", null, "把聊天记录文件或文件夹拖到窗口里"),
    h("p", { class: "muted" }, "支持 txt、csv、jsonl、xlsx；GBK、UTF-8 等编码自动识别；同一段对话重复导入不会重复保存。"),
    h("div", { class: "row" }, pickFiles, pickFolder),
  );

  function showProgress(p: ImportProgress): void {
    bar.max = Math.max(1, p.filesTotal);
    bar.value = p.filesDone;
    replace(
      counts,
      `文件 ${p.filesDone}/${p.filesTotal} · 新增对话 ${p.conversations} · 重复 ${p.duplicates}`,
      p.currentFile ? h("div", { class: "muted ellipsis" }, p.currentFile) : null,
    );
  }

  function showSummary(s: ImportSummary): void {
    replace(
      outcome,
      h("h3", null, s.cancelled ? "导入已取消（已完成的批次已保存）" : "导入完成"),
      h("p", { id: "import-summary" }, `处理文件 ${s.files} 个，新增对话 ${s.conversationsAdded} 段，重复 ${s.duplicates} 段，问题 ${s.errors.length} 条。`),
      s.errors.length
        ? h(
            "table",
            { class: "errors" },
            h("thead", null, h("tr", null, h("th", null, "文件"), h("th", null, "原因"))),
            h(
              "tbody",
              null,
              s.errors.map((e) =>
                h(
                  "tr",
                  { "data-kind": e.kind },
                  h("td", { class: "path" }, e.path),
                  h("td", null, h("div", { class: "reason" }, PROBLEM[e.kind] ?? e.kind), h("small", { class: "muted" }, e.message)),
                ),
              ),
            ),
          )
        : null,
    );
  }

  async function run(paths: string[]): Promise<void> {
    if (running || paths.length === 0) return;
    running = true;
    cancel.disabled = false;
    pickFiles.disabled = pickFolder.disabled = true;
    replace(outcome);
    showProgress({ filesDone: 0, filesTotal: paths.length, conversations: 0, duplicates: 0, currentFile: null });
    const unlisten = await onImportProgress(showProgress);
    try {
      showSummary(await importPaths(paths));
    } catch (e) {
      const { headline, detail } = describeError(e);
      replace(outcome, h("p", { class: "error", role: "alert" }, headline, h("small", null, detail)));
    } finally {
      unlisten();
      running = false;
      cancel.disabled = true;
      pickFiles.disabled = pickFolder.disabled = false;
    }
  }

  async function pick(folders: boolean): Promise<void> {
    await run(await pickImportFiles(folders));
  }

  const root = h(
    "section",
    { class: "screen import", id: "screen-import" },
    h("h2", null, "导入聊天记录"),
    drop,
    h("div", { class: "progress-row" }, bar, cancel),
    counts,
    outcome,
  );
  return { id: "import", title: "导入", root, onDrop: (paths) => void run(paths) };
}

// What to tell the user for each error kind. The shell's message (English,
// with the detail) is shown under it, smaller.

import { ApiError, type ErrorKind } from "./api";

const HEADLINE: Record<ErrorKind, string> = {
  empty_input: "聊天记录是空的，请先粘贴或导入一段对话。",
  binary: "这不是文本文件，请导入 txt、csv、jsonl 或 xlsx 格式的聊天记录。",
  too_large: "文件太大，请拆分后再导入。",
  lexicon: "词库有错误，未保存。",
  bad_input: "输入有误。",
  io: "读写文件失败。",
  store: "本地数据库出错。",
  not_found: "找不到这条记录，可能已被删除。",
  cancelled: "已取消。",
  unavailable: "此功能暂不可用。",
  checking: "正在检查数据库，请稍候再试。",
  locked: "需要主管 PIN。",
  wrong_pin: "PIN 不正确。",
  internal: "出现意外错误。",
};

export function describeError(e: unknown): { headline: string; detail: string } {
  if (e instanceof ApiError) return { headline: HEADLINE[e.kind] ?? HEADLINE.internal, detail: e.message };
  return { headline: HEADLINE.internal, detail: String(e) };
}

// Label names for the UI. The catalogue comes from the core (list_labels);
// this is only the lookup around it.

import type { Axis, LabelInfo } from "./types";

let catalog: LabelInfo[] = [];

export function setCatalog(labels: LabelInfo[]): void {
  catalog = labels;
}

export function labelsOf(axis: Axis): LabelInfo[] {
  return catalog.filter((l) => l.axis === axis);
}

export function zh(code: string): string {
  return catalog.find((l) => l.code === code)?.zh ?? code;
}

export const FORMAT_NAME: Record<string, string> = {
  qianniu_paste: "千牛聊天",
  plain_prefixed: "角色前缀",
  wechat_paste: "微信聊天",
  csv_export: "CSV 导出",
  jd_tsv: "京东 TSV",
  json_export: "JSON 导出",
  buyer_only: "仅买家发言",
};

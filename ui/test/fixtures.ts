import type { Analysis, Classification } from "../src/types";

/** A classification shaped like the core's JSON (see crates/core/src/model.rs). */
export function classification(overrides: Partial<Classification> = {}): Classification {
  return {
    format: "plain_prefixed",
    messages: [
      { speaker: "buyer", text: "能包邮吗 😀 要正品" },
      { speaker: "shop", name: "小雅", text: "亲，包邮的哦" },
    ],
    motives: [
      {
        code: "bargain",
        label: "求廉",
        score: 0.8,
        evidence: [{ message: 0, start: 1, end: 3, text: "包邮", rule: "bargain/包邮" }],
      },
      {
        code: "prestige",
        label: "求名",
        score: 0.6,
        // after the emoji: code point offsets, not UTF-16 ones
        evidence: [{ message: 0, start: 8, end: 10, text: "正品", rule: "prestige/正品" }],
      },
    ],
    experience: { code: "unknown", label: "未知", score: 0, evidence: [] },
    intent: { code: "shopper", label: "购物者", score: 0.7, evidence: [] },
    topics: [{ code: "shipping", label: "发货物流", score: 0.6, evidence: [] }],
    buyer_credit: null,
    ...overrides,
  };
}

export function analysis(overrides: Partial<Analysis> = {}): Analysis {
  return {
    conversationId: 7,
    classification: classification(),
    templates: [
      { id: 11, title: "包邮说明", text: "亲，全店包邮哦～", why: "求廉" },
      { id: 12, title: "正品保障", text: "亲，官方正品，假一赔十", why: "求名" },
    ],
    elapsedMs: 1,
    ...overrides,
  };
}

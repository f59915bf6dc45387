// The Lexicon screen's eval table: edited beside saved, changes marked.

import { describe, expect, it } from "vitest";
import { renderEval } from "../src/screens/lexicon";
import type { EvalFigures } from "../src/types";

function figures(over: Partial<EvalFigures>): EvalFigures {
  return {
    conversations: 4,
    motivesMicroF1: 0.5,
    motivesMacroF1: 0.4,
    topicsMicroF1: 0.75,
    experienceAccuracy: 0.5,
    intentAccuracy: 1,
    motives: [
      { code: "bargain", support: 2, precision: 1, recall: 0.5, f1: 0.667 },
      { code: "habit", support: 0, precision: 0, recall: 0, f1: 0 },
    ],
    missedConversations: 2,
    ...over,
  };
}

describe("renderEval", () => {
  it("shows both lexicons' figures and marks what the edit changed", () => {
    const table = renderEval({ edited: figures({ motivesMicroF1: 0.6, intentAccuracy: 0.75 }), saved: figures({}) });
    const rows = [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows[0]).toEqual(["动机 micro-F1", "60.0%", "50.0%"]);
    expect(table.querySelector("tbody tr:nth-child(1) td")?.className).toBe("better");
    expect(table.querySelector("tbody tr:nth-child(5) td")?.className).toBe("worse");
    expect(table.querySelector("tbody tr:nth-child(2) td")?.className).toBe("");
    // motives nobody corrected to are left out
    expect(rows.map((r) => r[0])).toContain("bargain F1");
    expect(rows.map((r) => r[0])).not.toContain("habit F1");
    expect(table.textContent).toContain("4 条更正过的对话");
  });

  it("says how to get figures when nothing is corrected yet", () => {
    const empty = figures({ conversations: 0 });
    expect(renderEval({ edited: empty, saved: empty }).textContent).toContain("还没有更正过的历史");
  });
});

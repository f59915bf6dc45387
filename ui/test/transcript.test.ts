import { describe, expect, it } from "vitest";

import { allEvidence, renderTranscript, segments } from "../src/transcript";
import { classification } from "./fixtures";

describe("segments", () => {
  // Offsets are code points: an emoji before the evidence must not shift it.
  it("cuts at code point offsets", () => {
    const c = classification();
    const segs = segments(c.messages[0].text, allEvidence(c).filter((e) => e.message === 0));
    const marked = segs.filter((s) => s.hits.length > 0).map((s) => s.text);
    expect(marked).toEqual(["包邮", "正品"]);
    expect(segs.map((s) => s.text).join("")).toBe(c.messages[0].text);
  });

  // Overlapping evidence splits into runs that name every rule covering them.
  it("names every rule on overlapping spans", () => {
    const segs = segments("不起球吗", [
      { message: 0, start: 0, end: 3, text: "不起球", rule: "practical/不起球", label: "求实" },
      { message: 0, start: 1, end: 3, text: "起球", rule: "quality/起球", label: "材质/描述" },
    ]);
    expect(segs.map((s) => [s.text, s.hits.map((h) => h.rule)])).toEqual([
      ["不", ["practical/不起球"]],
      ["起球", ["practical/不起球", "quality/起球"]],
      ["吗", []],
    ]);
  });

  // Evidence past the end of the text (a stale result) is clamped, not thrown.
  it("clamps out-of-range evidence", () => {
    const segs = segments("好", [{ message: 0, start: 0, end: 9, text: "x", rule: "r", label: "l" }]);
    expect(segs).toEqual([{ text: "好", hits: [{ label: "l", rule: "r" }] }]);
  });
});

describe("renderTranscript", () => {
  // Chat text is data: markup in a message is shown literally and never becomes an element.
  it("shows HTML in chat text literally", () => {
    const attack = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const c = classification({
      messages: [{ speaker: "buyer", text: attack }],
      motives: [
        { code: "bargain", label: "求廉", score: 0.5, evidence: [{ message: 0, start: 1, end: 4, text: "img", rule: "<b>rule</b>" }] },
      ],
    });
    const el = renderTranscript(c);
    document.body.appendChild(el);
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("script")).toBeNull();
    expect(el.querySelector("b")).toBeNull();
    expect(el.querySelector(".bubble-text")?.textContent).toBe(attack);
    expect(el.querySelector("mark")?.dataset.rule).toContain("<b>rule</b>");
    el.remove();
  });

  // Buyer and shop messages get their own bubble classes; the tooltip names the rule.
  it("renders bubbles by speaker with rule tooltips", () => {
    const el = renderTranscript(classification());
    const bubbles = [...el.querySelectorAll("li")];
    expect(bubbles.map((b) => b.className)).toEqual(["bubble bubble-buyer", "bubble bubble-shop"]);
    const marks = [...el.querySelectorAll("mark")];
    expect(marks.map((m) => m.textContent)).toEqual(["包邮", "正品"]);
    expect(marks[0].dataset.rule).toBe("求廉 · 规则 bargain/包邮");
    expect(marks[0].getAttribute("aria-label")).toBe("求廉 · 规则 bargain/包邮");
  });

  // Focusing one label highlights only its evidence.
  it("highlights only the focused label", () => {
    const el = renderTranscript(classification(), "求名");
    expect([...el.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["正品"]);
  });
});

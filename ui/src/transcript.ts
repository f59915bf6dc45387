// Renders a parsed transcript as chat bubbles with the evidence highlighted.
// Offsets from the core count Unicode code points, so text is split with
// Array.from (a UTF-16 index would drift after any emoji).

import { h } from "./dom";
import type { Classification, Evidence, LabelScore, Message } from "./types";

export interface Segment {
  text: string;
  /** The label + rule of every piece of evidence that covers this text. */
  hits: { label: string; rule: string }[];
}

export interface Hit extends Evidence {
  label: string;
}

/** Every piece of evidence in a classification, tagged with its label. */
export function allEvidence(c: Classification): Hit[] {
  const scores: LabelScore[] = [...c.motives, c.experience, c.intent, ...c.topics];
  return scores.flatMap((s) => s.evidence.map((e) => ({ ...e, label: s.label })));
}

/** Splits a message's text into plain and highlighted runs. */
export function segments(text: string, hits: Hit[]): Segment[] {
  const chars = Array.from(text);
  const cuts = new Set<number>([0, chars.length]);
  for (const hit of hits) {
    cuts.add(Math.max(0, Math.min(hit.start, chars.length)));
    cuts.add(Math.max(0, Math.min(hit.end, chars.length)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i], points[i + 1]];
    if (from === to) continue;
    const covering = hits
      .filter((e) => e.start <= from && e.end >= to)
      .map((e) => ({ label: e.label, rule: e.rule }));
    const piece = chars.slice(from, to).join("");
    const last = out[out.length - 1];
    if (last && covering.length === 0 && last.hits.length === 0) {
      last.text += piece;
    } else {
      out.push({ text: piece, hits: dedupe(covering) });
    }
  }
  return out;
}

function dedupe(hits: Segment["hits"]): Segment["hits"] {
  const seen = new Set<string>();
  return hits.filter((x) => {
    const key = `${x.label}\u0000${x.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Rule ids of pattern cues are the pattern itself: keep the tooltip readable. */
export function shortRule(rule: string): string {
  const chars = Array.from(rule);
  return chars.length > 32 ? `${chars.slice(0, 30).join("")}…` : rule;
}

/** `2024-09-16T19:01:31` → `2024-09-16 19:01:31`. */
function showTime(time: string): string {
  return time.replace("T", " ");
}

const SPEAKER_NAME: Record<Message["speaker"], string> = {
  buyer: "买家",
  shop: "客服",
  unknown: "未知",
};

/** The transcript as a list of bubbles. Chat text only ever goes in as text. */
export function renderTranscript(c: Classification, focusLabel: string | null = null): HTMLElement {
  const hits = allEvidence(c).filter((e) => focusLabel === null || e.label === focusLabel);
  const list = h("ol", { class: "transcript", "aria-label": "聊天记录" });
  c.messages.forEach((message, index) => {
    const mine = hits.filter((e) => e.message === index);
    const body = h("div", { class: "bubble-text" });
    for (const seg of segments(message.text, mine)) {
      if (seg.hits.length === 0) {
        body.appendChild(document.createTextNode(seg.text));
      } else {
        // One tooltip, drawn by CSS from data-rule (a `title` would add the
        // toolkit's own tooltip on top); aria-label says the same to screen readers.
        const why = seg.hits.map((x) => `${x.label} · 规则 ${shortRule(x.rule)}`).join("\n");
        body.appendChild(
          h("mark", { class: "evidence", "aria-label": why, data: { rule: why }, tabindex: 0 }, seg.text),
        );
      }
    }
    const who = message.name ? `${SPEAKER_NAME[message.speaker]} · ${message.name}` : SPEAKER_NAME[message.speaker];
    list.appendChild(
      h(
        "li",
        { class: `bubble bubble-${message.speaker}${message.system ? " bubble-system" : ""}` },
        h("div", { class: "bubble-meta" }, who, message.time ? h("span", { class: "time" }, showTime(message.time)) : null),
        body,
      ),
    );
  });
  return list;
}
